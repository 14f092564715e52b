package dev.teamsconnect.starface.bridge;

import java.util.List;

/**
 * The bridge's wire protocol: the XML-RPC entry points that TeamsConnect calls on the bridge module inside the PBX,
 * their parameters and their answers. It is ours (the bridge is our module), so the STARFACE emulator implements
 * exactly this, through the same {@link BridgeEntryPoints}.
 *
 * <p>Every call is {@code POST /xml-rpc?de.vertico.starface.auth=<login>:<hash>} (STARFACE up to 9.x) or
 * {@code ?de.vertico.starface.jwt=<token>} (STARFACE 10, per third-party notes), with
 * {@code methodName = <instance>.<entry point>} and one struct parameter. Every struct has {@link #SECRET}; the
 * PBX login alone is not enough, because any PBX account may call a module's entry points
 * (shared/reference/starface-api.md, "Inside the PBX"). Account ids are STARFACE account ids, the ids of the REST
 * API's {@code /users}. Answers are structs; errors are XML-RPC faults with the codes below.
 */
public final class BridgeProtocol {

    /** The protocol version; the bridge reports it in {@link #VERSION}, the sink refuses another major. */
    public static final int PROTOCOL = 1;

    // ---- entry points (methodName = instance + "." + entry point) ----

    /** {@code {secret}} -> {@code {protocol, bridgeVersion, pbxVersion}}. */
    public static final String VERSION = "version";
    /** {@code {secret, accountIds: [int]}} -> {@code {statuses: [{accountId, presence, text}]}}. */
    public static final String GET_CHAT_STATUS = "getChatStatus";
    /**
     * {@code {secret, accountId, presence, text}} -> {@code {accountId, presence, text}} (what the user shows
     * afterwards). An empty {@code presence} keeps the user's chat presence and sets the text only.
     */
    public static final String SET_CHAT_STATUS = "setChatStatus";
    /** {@code {secret, accountId, state}} -> {@code {accountId, state}}; {@code state} is one of {@link #TELEPHONY_STATES}. */
    public static final String SET_TELEPHONY_STATE = "setTelephonyState";
    /**
     * {@code {secret, since: "<seq>", max}} -> {@code {bridgeId, next: "<seq>", lost, events: [{seq, type,
     * accountId, active}], onCall: [int]}}. {@code since} is the {@code next} of the previous answer ("0" at first);
     * {@code lost} is true when events after {@code since} were dropped from the bounded buffer or the bridge
     * restarted ({@code bridgeId} changed): the caller then treats every user as changed. {@code onCall} is the
     * current set of accounts on a PBX call (level, not edge), so a lost call event costs nothing.
     */
    public static final String EVENTS = "events";

    public static final List<String> ENTRY_POINTS = List.of(VERSION, GET_CHAT_STATUS, SET_CHAT_STATUS,
            SET_TELEPHONY_STATE, EVENTS);

    // ---- struct members ----

    public static final String SECRET = "secret";
    public static final String ACCOUNT_ID = "accountId";
    public static final String ACCOUNT_IDS = "accountIds";
    public static final String PRESENCE = "presence";
    public static final String TEXT = "text";
    public static final String STATE = "state";
    public static final String STATUSES = "statuses";
    public static final String SINCE = "since";
    public static final String MAX = "max";
    public static final String NEXT = "next";
    public static final String LOST = "lost";
    public static final String EVENTS_LIST = "events";
    public static final String ON_CALL = "onCall";
    public static final String BRIDGE_ID = "bridgeId";
    public static final String SEQ = "seq";
    public static final String TYPE = "type";
    public static final String ACTIVE = "active";
    public static final String PROTOCOL_KEY = "protocol";
    public static final String BRIDGE_VERSION = "bridgeVersion";
    public static final String PBX_VERSION = "pbxVersion";

    /**
     * The telephony states the bridge publishes for BLF keys: the names of STARFACE's {@code TelephonyState} that the
     * public sources list (ACTIVE, AVAILABLE, QUEUE_PAUSE, RINGING, UNAVAILABLE; shared/reference/starface-api.md).
     */
    public static final List<String> TELEPHONY_STATES = List.of("ACTIVE", "AVAILABLE", "QUEUE_PAUSE", "RINGING",
            "UNAVAILABLE");

    // ---- limits: every argument and every answer is bounded ----

    /** At most this many account ids per {@link #GET_CHAT_STATUS}. */
    public static final int MAX_ACCOUNTS_PER_CALL = 500;
    /** A chat status text is at most this long (characters). */
    public static final int MAX_TEXT = 255;
    /** At most this many events per {@link #EVENTS} answer. */
    public static final int MAX_EVENTS_PER_CALL = 1_000;
    /** The secret is at least this long (characters): a short one could be guessed through the PBX login. */
    public static final int MIN_SECRET = 16;

    // ---- fault codes ----

    /** The shared secret is missing or wrong. */
    public static final int FAULT_SECRET = 401;
    /** An argument is missing, of the wrong type or out of bounds. */
    public static final int FAULT_ARGUMENT = 400;
    /** The account id is not a PBX user. */
    public static final int FAULT_UNKNOWN_ACCOUNT = 404;
    /** The method is not an entry point of this bridge (wrong instance name or an older bridge). */
    public static final int FAULT_UNKNOWN_METHOD = 405;
    /** The PBX refused or failed the operation. */
    public static final int FAULT_PBX = 500;

    private BridgeProtocol() {
    }
}
