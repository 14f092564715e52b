package dev.teamsconnect.testkit.starface;

import dev.teamsconnect.starface.bridge.BridgeEntryPoints;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import dev.teamsconnect.starface.bridge.ChatState;
import dev.teamsconnect.starface.bridge.EventBuffer;
import dev.teamsconnect.starface.bridge.PbxAccess;
import dev.teamsconnect.starface.bridge.SecretCheck;
import dev.teamsconnect.starface.bridge.XmlRpc;
import dev.teamsconnect.starface.bridge.XmlRpcFault;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * The TeamsConnect bridge module as the emulated PBX runs it: the bridge's own {@link BridgeEntryPoints} (secret
 * check, argument checks, answers) over an emulated {@link PbxAccess}: each user's chat presence and text, the
 * telephony state last published for BLF keys, and one {@link EventBuffer} that the emulator feeds with every DND
 * change and every call that starts or ends. Since the protocol is ours, the emulator is exact: what it answers is
 * what the module answers. What it cannot show is how STARFACE itself behaves around the module (docs/starface-bridge.md,
 * "What is verified where").
 *
 * <p>Chat presence names: STARFACE's {@code ChatPresence} constants are not in any public source, so the emulator's
 * {@value #INITIAL_PRESENCE} and whatever a test sets are placeholders; the product passes names through.
 *
 * <p>Thread-safe without a lock of its own (concurrent maps, the event buffer's own lock), so the emulator may feed
 * it while holding its lock, and its entry points may ask the emulator (which takes that lock) without a lock order.
 */
final class EmulatedBridge implements PbxAccess {

    /** The chat presence every user starts with. */
    static final String INITIAL_PRESENCE = "ONLINE";
    static final String PBX_VERSION = "STARFACE emulator (REST 6.7, bridge protocol " + BridgeProtocol.PROTOCOL + ")";
    static final String BRIDGE_VERSION = "emulated";

    private final String instance;
    private final SecretCheck secret;
    private final int eventCapacity;
    private final IntPredicate knownAccount;
    private final Map<Integer, ChatState> chat = new ConcurrentHashMap<>();
    private final Map<Integer, String> telephony = new ConcurrentHashMap<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger secretRejections = new AtomicInteger();
    private volatile EventBuffer events;
    private volatile BridgeEntryPoints entryPoints;

    EmulatedBridge(String instance, String secret, int eventCapacity, IntPredicate knownAccount) {
        this.instance = instance;
        this.secret = new SecretCheck(secret);
        this.eventCapacity = eventCapacity;
        this.knownAccount = knownAccount;
        restart();
    }

    /** As if the module instance restarted: a new event buffer (so a new bridge id); chat and BLF state stay. */
    void restart() {
        EventBuffer fresh = new EventBuffer(eventCapacity);
        entryPoints = new BridgeEntryPoints(secret, this, fresh, BRIDGE_VERSION);
        events = fresh;
    }

    /**
     * Answers one XML-RPC request body as the PBX would through the module: a {@code methodResponse} or a fault.
     * {@code methodName} must be {@code <instance>.<entry point>}.
     */
    String answer(String body) {
        XmlRpc.Call call;
        try {
            call = XmlRpc.parseCall(body);
        } catch (XmlRpc.MalformedXmlRpcException e) {
            calls.add("(malformed)");
            return XmlRpc.fault(BridgeProtocol.FAULT_ARGUMENT, "not an XML-RPC methodCall: " + e.getMessage());
        }
        String method = call.method();
        int dot = method.indexOf('.');
        String entry = dot < 0 ? method : method.substring(dot + 1);
        calls.add(entry);
        if (dot < 0 || !method.substring(0, dot).equals(instance)) {
            // STARFACE's own answer for a method that no module instance declares is not in public sources; the
            // emulator answers with the bridge's fault code for an unknown method
            return XmlRpc.fault(BridgeProtocol.FAULT_UNKNOWN_METHOD, "no module instance declares " + method);
        }
        try {
            return XmlRpc.response(entryPoints.call(entry, call.params()));
        } catch (XmlRpcFault f) {
            if (f.code() == BridgeProtocol.FAULT_SECRET) {
                secretRejections.incrementAndGet();
            }
            return XmlRpc.fault(f.code(), f.getMessage());
        }
    }

    // ---- what the emulator feeds in

    void dndChanged(int accountId, boolean on) {
        events.dnd(accountId, on);
    }

    /** A real call starts or ends: an event, and the telephony state the PBX shows (overwriting an injected one). */
    void callChanged(int accountId, boolean onCall) {
        events.call(accountId, onCall);
        telephony.put(accountId, onCall ? "ACTIVE" : "AVAILABLE");
    }

    void userChangesChatStatus(int accountId, String presence, String text) {
        chat.put(accountId, new ChatState(presence, text));
    }

    ChatState chatOf(int accountId) {
        return chat.getOrDefault(accountId, new ChatState(INITIAL_PRESENCE, ""));
    }

    Optional<String> telephonyOf(int accountId) {
        return Optional.ofNullable(telephony.get(accountId));
    }

    List<String> calls() {
        return List.copyOf(calls);
    }

    int secretRejections() {
        return secretRejections.get();
    }

    // ---- PbxAccess: what the module does inside the PBX

    @Override
    public ChatState chatState(int accountId) throws XmlRpcFault {
        known(accountId);
        return chatOf(accountId);
    }

    @Override
    public ChatState setChatState(int accountId, String presence, String text) throws XmlRpcFault {
        known(accountId);
        return chat.compute(accountId, (id, was) -> new ChatState(presence != null ? presence
                : was == null ? INITIAL_PRESENCE : was.presence(), text));
    }

    @Override
    public void setTelephonyState(int accountId, String state) throws XmlRpcFault {
        known(accountId);
        telephony.put(accountId, state);
    }

    @Override
    public String pbxVersion() {
        return PBX_VERSION;
    }

    private void known(int accountId) throws XmlRpcFault {
        if (!knownAccount.test(accountId)) {
            throw new XmlRpcFault(BridgeProtocol.FAULT_UNKNOWN_ACCOUNT, "no PBX account " + accountId);
        }
    }

    @Override
    public String toString() {
        return "EmulatedBridge[" + instance + ", secret hidden]";
    }
}
