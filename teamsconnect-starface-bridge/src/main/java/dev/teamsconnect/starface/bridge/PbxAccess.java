package dev.teamsconnect.starface.bridge;

/**
 * What the bridge needs from the PBX: the few operations only code inside the PBX can do. Inside STARFACE it is
 * implemented against the module API (package {@code dev.teamsconnect.starface.bridge.module}); the STARFACE
 * emulator implements it over its own state. Methods throw {@link XmlRpcFault} with
 * {@link BridgeProtocol#FAULT_UNKNOWN_ACCOUNT} or {@link BridgeProtocol#FAULT_PBX}.
 */
public interface PbxAccess {

    /** The user's chat presence and text. */
    ChatState chatState(int accountId) throws XmlRpcFault;

    /**
     * Sets the user's chat text, and the presence unless {@code presence} is null; returns what the user shows
     * afterwards.
     */
    ChatState setChatState(int accountId, String presence, String text) throws XmlRpcFault;

    /** Publishes a telephony state for the user's BLF keys (one of {@link BridgeProtocol#TELEPHONY_STATES}). */
    void setTelephonyState(int accountId, String state) throws XmlRpcFault;

    /** The PBX's version, as it reports it. */
    String pbxVersion();
}
