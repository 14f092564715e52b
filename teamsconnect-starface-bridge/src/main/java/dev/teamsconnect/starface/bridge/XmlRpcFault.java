package dev.teamsconnect.starface.bridge;

/** An XML-RPC fault: a code and a message, as answered by the bridge (or by the PBX's XML-RPC interface). */
public final class XmlRpcFault extends Exception {

    private final int code;

    public XmlRpcFault(int code, String message) {
        super(message);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
