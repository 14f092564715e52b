package dev.teamsconnect.starface.bridge;

import static dev.teamsconnect.starface.bridge.BridgeProtocol.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The bridge's entry points as plain Java: check the secret, validate the arguments, call the PBX, shape the answer.
 * The function blocks inside STARFACE and the STARFACE emulator both call this, so what the emulator answers is what
 * the bridge answers. Every failure is an {@link XmlRpcFault} with a code of {@link BridgeProtocol} and a message
 * that names the argument; no message contains the secret or the given one.
 */
public final class BridgeEntryPoints {

    private final SecretCheck secret;
    private final PbxAccess pbx;
    private final EventBuffer events;
    private final String bridgeVersion;

    public BridgeEntryPoints(SecretCheck secret, PbxAccess pbx, EventBuffer events, String bridgeVersion) {
        this.secret = Objects.requireNonNull(secret, "secret");
        this.pbx = Objects.requireNonNull(pbx, "pbx");
        this.events = Objects.requireNonNull(events, "events");
        this.bridgeVersion = Objects.requireNonNull(bridgeVersion, "bridgeVersion");
    }

    /**
     * Runs the entry point {@code entryPoint} (one of {@link BridgeProtocol#ENTRY_POINTS}) with the call's parameters
     * (one struct).
     */
    public Map<String, Object> call(String entryPoint, List<Object> params) throws XmlRpcFault {
        if (!ENTRY_POINTS.contains(entryPoint)) {
            throw new XmlRpcFault(FAULT_UNKNOWN_METHOD, "no entry point '" + entryPoint + "' in this bridge (version "
                    + bridgeVersion + "); it has " + ENTRY_POINTS);
        }
        if (params.size() != 1 || !(params.get(0) instanceof Map<?, ?> raw)) {
            throw new XmlRpcFault(FAULT_ARGUMENT, entryPoint + " takes one struct parameter");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        raw.forEach((k, v) -> args.put(String.valueOf(k), v));
        return call(entryPoint, args);
    }

    /** As {@link #call(String, List)}, with the struct already taken apart (a function block's input variables). */
    public Map<String, Object> call(String entryPoint, Map<String, Object> args) throws XmlRpcFault {
        if (!secret.matches(args.get(SECRET))) {
            throw new XmlRpcFault(FAULT_SECRET, "the bridge secret is missing or wrong (starface.bridge.secret must be"
                    + " the secret set in the bridge module's instance)");
        }
        return switch (entryPoint) {
            case VERSION -> version();
            case GET_CHAT_STATUS -> getChatStatus(args);
            case SET_CHAT_STATUS -> setChatStatus(args);
            case SET_TELEPHONY_STATE -> setTelephonyState(args);
            case EVENTS -> events(args);
            default -> throw new XmlRpcFault(FAULT_UNKNOWN_METHOD, "no entry point '" + entryPoint + "' in this bridge");
        };
    }

    private Map<String, Object> version() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(PROTOCOL_KEY, PROTOCOL);
        out.put(BRIDGE_VERSION, bridgeVersion);
        out.put(PBX_VERSION, pbx.pbxVersion());
        return out;
    }

    private Map<String, Object> getChatStatus(Map<String, Object> args) throws XmlRpcFault {
        if (!(args.get(ACCOUNT_IDS) instanceof List<?> ids)) {
            throw new XmlRpcFault(FAULT_ARGUMENT, ACCOUNT_IDS + " must be an array of ints");
        }
        if (ids.size() > MAX_ACCOUNTS_PER_CALL) {
            throw new XmlRpcFault(FAULT_ARGUMENT, ACCOUNT_IDS + " has " + ids.size() + " entries, at most "
                    + MAX_ACCOUNTS_PER_CALL + " per call");
        }
        List<Object> statuses = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            int id = accountId(ids.get(i), ACCOUNT_IDS + "[" + i + "]");
            statuses.add(chat(id, pbx.chatState(id)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(STATUSES, statuses);
        return out;
    }

    private Map<String, Object> setChatStatus(Map<String, Object> args) throws XmlRpcFault {
        int id = accountId(args.get(ACCOUNT_ID), ACCOUNT_ID);
        String presence = string(args, PRESENCE, 64);
        String text = string(args, TEXT, MAX_TEXT);
        return chat(id, pbx.setChatState(id, presence.isEmpty() ? null : presence, text));
    }

    private Map<String, Object> setTelephonyState(Map<String, Object> args) throws XmlRpcFault {
        int id = accountId(args.get(ACCOUNT_ID), ACCOUNT_ID);
        String state = string(args, STATE, 32);
        if (!TELEPHONY_STATES.contains(state)) {
            throw new XmlRpcFault(FAULT_ARGUMENT, STATE + " must be one of " + TELEPHONY_STATES + ", was '" + state + "'");
        }
        pbx.setTelephonyState(id, state);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(ACCOUNT_ID, id);
        out.put(STATE, state);
        return out;
    }

    private Map<String, Object> events(Map<String, Object> args) throws XmlRpcFault {
        long since;
        try {
            since = Long.parseLong(string(args, SINCE, 20));
        } catch (NumberFormatException e) {
            throw new XmlRpcFault(FAULT_ARGUMENT, SINCE + " must be a decimal number in a string");
        }
        if (since < 0) {
            throw new XmlRpcFault(FAULT_ARGUMENT, SINCE + " must not be negative");
        }
        int max = args.get(MAX) == null ? MAX_EVENTS_PER_CALL : (args.get(MAX) instanceof Integer m ? m : -1);
        if (max < 1 || max > MAX_EVENTS_PER_CALL) {
            throw new XmlRpcFault(FAULT_ARGUMENT, MAX + " must be an int from 1 to " + MAX_EVENTS_PER_CALL);
        }
        Object reader = args.get(BRIDGE_ID);
        if (reader != null && !(reader instanceof String)) {
            throw new XmlRpcFault(FAULT_ARGUMENT, BRIDGE_ID + " must be a string");
        }
        EventBuffer.Page page = events.since((String) reader, since, max);
        List<Object> list = new ArrayList<>(page.events().size());
        for (BridgeEvent e : page.events()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(SEQ, Long.toString(e.seq()));
            m.put(TYPE, e.type().name());
            m.put(ACCOUNT_ID, e.accountId());
            m.put(ACTIVE, e.active());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(BRIDGE_ID, page.bridgeId());
        out.put(NEXT, Long.toString(page.next()));
        out.put(LOST, page.lost());
        out.put(EVENTS_LIST, list);
        out.put(ON_CALL, new ArrayList<Object>(new TreeSet<>(page.onCall())));
        return out;
    }

    private static Map<String, Object> chat(int id, ChatState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(ACCOUNT_ID, id);
        m.put(PRESENCE, s.presence());
        m.put(TEXT, s.text());
        return m;
    }

    private static int accountId(Object v, String name) throws XmlRpcFault {
        if (v instanceof Integer i && i > 0) {
            return i;
        }
        throw new XmlRpcFault(FAULT_ARGUMENT, name + " must be a positive int (a STARFACE account id)");
    }

    private static String string(Map<String, Object> args, String name, int maxLength) throws XmlRpcFault {
        if (!(args.get(name) instanceof String s)) {
            throw new XmlRpcFault(FAULT_ARGUMENT, name + " must be a string");
        }
        if (s.length() > maxLength) {
            throw new XmlRpcFault(FAULT_ARGUMENT, name + " is " + s.length() + " characters long, at most " + maxLength);
        }
        return s;
    }
}
