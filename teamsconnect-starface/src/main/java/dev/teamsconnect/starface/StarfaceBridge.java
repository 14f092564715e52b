package dev.teamsconnect.starface;

import static dev.teamsconnect.starface.bridge.BridgeProtocol.*;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.starface.bridge.BridgeEvent;
import dev.teamsconnect.starface.bridge.ChatState;
import dev.teamsconnect.starface.bridge.XmlRpc;
import dev.teamsconnect.starface.bridge.XmlRpcFault;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The service side of the STARFACE bridge (docs/starface-bridge.md): calls the bridge module's XML-RPC entry points
 * ({@link dev.teamsconnect.starface.bridge.BridgeProtocol}) through the sink's {@link StarfaceRestClient}, so the
 * bridge shares the REST sink's login, deadlines, retries, {@code Retry-After} pauses and body limits. Every answer is
 * checked for its shape; a wrong one is an error that names the entry point and the member, never a silent default.
 *
 * <p>Errors: the bridge refusing the secret, a missing bridge (wrong instance name, module not installed), or a
 * bridge of another protocol version are {@link TerminalException}s that say what to fix; a fault of the PBX inside
 * the bridge is a {@link RetryableException}; an unknown account an {@link UnknownUserException}.
 *
 * <p>The secret is a field only: never in a message, a log line or {@link #toString()}.
 */
final class StarfaceBridge {

    /** What {@code version} answers. */
    record Version(int protocol, String bridgeVersion, String pbxVersion) {
    }

    /** What {@code events} answers. */
    record Events(String bridgeId, long next, boolean lost, List<BridgeEvent> events, Set<Integer> onCall) {
    }

    private final StarfaceRestClient client;
    private final String instance;
    private final String secret;
    private final String keyPrefix;

    /**
     * @param keyPrefix the config path of the sink's section (e.g. {@code starface}), for messages that name a key
     */
    StarfaceBridge(StarfaceRestClient client, String instance, String secret, String keyPrefix) {
        this.client = Objects.requireNonNull(client, "client");
        this.instance = Objects.requireNonNull(instance, "instance");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
    }

    String instance() {
        return instance;
    }

    Version version() {
        Map<String, Object> a = invoke(VERSION, new LinkedHashMap<>(), null);
        int protocol = intMember(a, PROTOCOL_KEY, VERSION);
        Version v = new Version(protocol, text(a, BRIDGE_VERSION, VERSION), text(a, PBX_VERSION, VERSION));
        if (protocol != PROTOCOL) {
            throw new TerminalException("the STARFACE bridge '" + instance + "' at " + client.baseUrl() + " speaks protocol "
                    + protocol + " (bridge " + v.bridgeVersion() + "), this TeamsConnect speaks " + PROTOCOL
                    + ": install the bridge module of this release (docs/starface-bridge.md)");
        }
        return v;
    }

    /** The chat states of {@code accountIds}, in calls of at most {@link #MAX_ACCOUNTS_PER_CALL}. */
    Map<Integer, ChatState> chatStates(Collection<Integer> accountIds) {
        Map<Integer, ChatState> out = new HashMap<>();
        List<Integer> ids = new ArrayList<>(accountIds);
        for (int from = 0; from < ids.size(); from += MAX_ACCOUNTS_PER_CALL) {
            List<Integer> part = ids.subList(from, Math.min(ids.size(), from + MAX_ACCOUNTS_PER_CALL));
            try {
                out.putAll(chatStatesOf(part));
            } catch (UnknownAccounts e) {
                // one account of the part is gone (deleted since the listing): the others one by one, so only the
                // gone ones are missing from the answer (the caller reports them as unknown users)
                for (Integer id : part) {
                    try {
                        out.putAll(chatStatesOf(List.of(id)));
                    } catch (UnknownAccounts gone) {
                        // left out
                    }
                }
            }
        }
        return out;
    }

    private Map<Integer, ChatState> chatStatesOf(List<Integer> part) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(ACCOUNT_IDS, new ArrayList<Object>(part));
        Map<String, Object> a = invoke(GET_CHAT_STATUS, args, null);
        List<?> statuses = list(a, STATUSES, GET_CHAT_STATUS);
        Map<Integer, ChatState> out = new HashMap<>();
        for (int i = 0; i < statuses.size(); i++) {
            String where = GET_CHAT_STATUS + " " + STATUSES + "[" + i + "]";
            Map<String, Object> s = struct(statuses.get(i), where);
            out.put(intMember(s, ACCOUNT_ID, where), chat(s, where));
        }
        for (Integer id : part) {
            if (!out.containsKey(id)) {
                throw new TerminalException("the STARFACE bridge '" + instance + "' answered " + GET_CHAT_STATUS
                        + " without account " + id);
            }
        }
        return out;
    }

    /** A fault of a call for several accounts: one of them is not a PBX user. */
    private static final class UnknownAccounts extends TerminalException {
        UnknownAccounts(String message) {
            super(message);
        }
    }

    /** Sets the text, and the presence unless {@code presence} is null; returns what the user shows afterwards. */
    ChatState setChatState(int accountId, String presence, String text) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(ACCOUNT_ID, accountId);
        args.put(PRESENCE, presence == null ? "" : presence);
        args.put(TEXT, text);
        return chat(invoke(SET_CHAT_STATUS, args, accountId), SET_CHAT_STATUS);
    }

    void setTelephonyState(int accountId, String state) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(ACCOUNT_ID, accountId);
        args.put(STATE, state);
        invoke(SET_TELEPHONY_STATE, args, accountId);
    }

    /** The events after {@code since} of the bridge run {@code bridgeId} (null at first). */
    Events events(String bridgeId, long since) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put(SINCE, Long.toString(since));
        args.put(MAX, MAX_EVENTS_PER_CALL);
        if (bridgeId != null) {
            args.put(BRIDGE_ID, bridgeId);
        }
        Map<String, Object> a = invoke(EVENTS, args, null);
        long next = number(text(a, NEXT, EVENTS), EVENTS + " " + NEXT);
        if (!(a.get(LOST) instanceof Boolean lost)) {
            throw shape(EVENTS, LOST, "a boolean");
        }
        List<?> raw = list(a, EVENTS_LIST, EVENTS);
        List<BridgeEvent> events = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            String where = EVENTS + " " + EVENTS_LIST + "[" + i + "]";
            Map<String, Object> e = struct(raw.get(i), where);
            BridgeEvent.Type type;
            try {
                type = BridgeEvent.Type.valueOf(text(e, TYPE, where));
            } catch (IllegalArgumentException x) {
                throw shape(where, TYPE, "one of " + List.of(BridgeEvent.Type.values()));
            }
            if (!(e.get(ACTIVE) instanceof Boolean active)) {
                throw shape(where, ACTIVE, "a boolean");
            }
            events.add(new BridgeEvent(number(text(e, SEQ, where), where + " " + SEQ), type, intMember(e, ACCOUNT_ID, where),
                    active));
        }
        List<?> calls = list(a, ON_CALL, EVENTS);
        Set<Integer> onCall = new HashSet<>();
        for (int i = 0; i < calls.size(); i++) {
            if (!(calls.get(i) instanceof Integer id)) {
                throw shape(EVENTS, ON_CALL + "[" + i + "]", "an int");
            }
            onCall.add(id);
        }
        return new Events(text(a, BRIDGE_ID, EVENTS), next, lost, List.copyOf(events), Set.copyOf(onCall));
    }

    // ---- the call ----

    private Map<String, Object> invoke(String entryPoint, Map<String, Object> args, Integer accountId) {
        Map<String, Object> withSecret = new LinkedHashMap<>();
        withSecret.put(SECRET, secret);
        withSecret.putAll(args);
        byte[] body = XmlRpc.call(instance + "." + entryPoint, List.of(withSecret)).getBytes(StandardCharsets.UTF_8);
        StarfaceRestClient.Response r = client.xmlRpc(body);
        String what = "the STARFACE bridge '" + instance + "' at " + client.baseUrl();
        if (r.status() == 404) {
            throw new TerminalException("STARFACE at " + client.baseUrl() + " has no XML-RPC interface at "
                    + StarfaceRestClient.XML_RPC_PATH + " (HTTP 404), so the bridge cannot be reached; remove "
                    + keyPrefix + ".bridge or see docs/starface-bridge.md");
        }
        if (r.status() == 401 || r.status() == 403) {
            throw new TerminalException("STARFACE at " + client.baseUrl() + " refused the login of "
                    + keyPrefix + ".loginId for XML-RPC (HTTP " + r.status() + "); the REST login works, so check that"
                    + " the account may use XML-RPC (docs/starface-bridge.md, Troubleshooting)");
        }
        if (r.status() != 200) {
            throw new TerminalException(what + " answered " + entryPoint + " with HTTP " + r.status());
        }
        Object answer;
        try {
            answer = XmlRpc.parseResponse(r.body());
        } catch (XmlRpcFault f) {
            throw fault(entryPoint, f, accountId);
        } catch (XmlRpc.MalformedXmlRpcException e) {
            throw new TerminalException(what + " answered " + entryPoint + " with something that is not XML-RPC: "
                    + e.getMessage());
        }
        return struct(answer, entryPoint);
    }

    private RuntimeException fault(String entryPoint, XmlRpcFault f, Integer accountId) {
        String message = shorten(f.getMessage());
        return switch (f.code()) {
            case FAULT_SECRET -> new TerminalException("the STARFACE bridge '" + instance + "' refused the secret: "
                    + keyPrefix + ".bridge.secret must be the secret set in the bridge module's instance '" + instance + "'");
            case FAULT_UNKNOWN_ACCOUNT -> accountId == null
                    ? new UnknownAccounts("the STARFACE bridge '" + instance + "' does not know an account of " + entryPoint
                            + ": " + message)
                    : new UnknownUserException(Integer.toString(accountId), "the STARFACE bridge does not know account "
                            + accountId + ": " + message);
            case FAULT_PBX -> new RetryableException("the STARFACE bridge '" + instance + "' failed " + entryPoint
                    + " inside the PBX: " + message);
            case FAULT_ARGUMENT -> new TerminalException("the STARFACE bridge '" + instance + "' refused the arguments of "
                    + entryPoint + ": " + message + " (a bridge of another release? docs/starface-bridge.md)");
            case FAULT_UNKNOWN_METHOD -> missing(entryPoint, f.code(), message);
            // any other fault is the PBX's own, e.g. for a method name that no module declares
            default -> missing(entryPoint, f.code(), message);
        };
    }

    private TerminalException missing(String entryPoint, int code, String message) {
        return new TerminalException("no STARFACE bridge answers " + instance + "." + entryPoint + " at " + client.baseUrl()
                + " (XML-RPC fault " + code + ": " + message + "): install the bridge module and set " + keyPrefix
                + ".bridge.instance to the name of its instance (docs/starface-bridge.md)");
    }

    // ---- the shape of answers ----

    private ChatState chat(Map<String, Object> s, String where) {
        return new ChatState(text(s, PRESENCE, where), text(s, TEXT, where));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> struct(Object v, String where) {
        if (!(v instanceof Map<?, ?>)) {
            throw new TerminalException("the STARFACE bridge '" + instance + "' answered " + where + " with "
                    + (v == null ? "nil" : v.getClass().getSimpleName()) + " where a struct belongs");
        }
        return (Map<String, Object>) v;
    }

    private List<?> list(Map<String, Object> a, String member, String where) {
        if (!(a.get(member) instanceof List<?> l)) {
            throw shape(where, member, "an array");
        }
        return l;
    }

    private String text(Map<String, Object> a, String member, String where) {
        if (!(a.get(member) instanceof String s)) {
            throw shape(where, member, "a string");
        }
        return s;
    }

    private int intMember(Map<String, Object> a, String member, String where) {
        if (!(a.get(member) instanceof Integer i)) {
            throw shape(where, member, "an int");
        }
        return i;
    }

    private long number(String s, String where) {
        try {
            long n = Long.parseLong(s);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new TerminalException("the STARFACE bridge '" + instance + "' answered " + where
                + " with something that is not a sequence number");
    }

    private TerminalException shape(String where, String member, String expected) {
        return new TerminalException("the STARFACE bridge '" + instance + "' answered " + where + " without " + member
                + " as " + expected);
    }

    private static String shorten(String s) {
        if (s == null) {
            return "(no message)";
        }
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Override
    public String toString() {
        return "StarfaceBridge[instance=" + instance + ", secret hidden]";
    }
}
