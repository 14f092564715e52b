package dev.teamsconnect.starface.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeEntryPointsTest {

    private static final String SECRET = "entry-points-secret-0815";

    /** A PBX of accounts 1..3 that records what it was asked to do. */
    private static final class FakePbx implements PbxAccess {
        final Map<Integer, ChatState> chat = new HashMap<>();
        final List<String> calls = new ArrayList<>();

        @Override
        public ChatState chatState(int accountId) throws XmlRpcFault {
            known(accountId);
            calls.add("chat " + accountId);
            return chat.getOrDefault(accountId, new ChatState("ONLINE", ""));
        }

        @Override
        public ChatState setChatState(int accountId, String presence, String text) throws XmlRpcFault {
            known(accountId);
            calls.add("set " + accountId + " " + presence + " " + text);
            ChatState s = new ChatState(presence == null ? chatState(accountId).presence() : presence, text);
            chat.put(accountId, s);
            return s;
        }

        @Override
        public void setTelephonyState(int accountId, String state) throws XmlRpcFault {
            known(accountId);
            calls.add("telephony " + accountId + " " + state);
        }

        @Override
        public String pbxVersion() {
            return "9.0.1";
        }

        private static void known(int id) throws XmlRpcFault {
            if (id > 3) {
                throw new XmlRpcFault(BridgeProtocol.FAULT_UNKNOWN_ACCOUNT, "no PBX account " + id);
            }
        }
    }

    private final FakePbx pbx = new FakePbx();
    private final EventBuffer events = new EventBuffer(100, "run-1");
    private final BridgeEntryPoints bridge = new BridgeEntryPoints(new SecretCheck(SECRET), pbx, events, "0.1.0");

    private static Map<String, Object> args(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(BridgeProtocol.SECRET, SECRET);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private int fault(String entry, Map<String, Object> args) {
        try {
            bridge.call(entry, List.of(args));
        } catch (XmlRpcFault f) {
            assertThat(f.getMessage()).doesNotContain(SECRET);
            return f.code();
        }
        throw new AssertionError("no fault for " + entry + " " + args.keySet());
    }

    @Test
    void versionNamesProtocolBridgeAndPbx() throws Exception {
        assertThat(bridge.call(BridgeProtocol.VERSION, List.of(args())))
                .containsEntry("protocol", 1).containsEntry("bridgeVersion", "0.1.0").containsEntry("pbxVersion", "9.0.1");
    }

    @Test
    void chatStatusIsSetReadAndAnEmptyPresenceKeepsTheUsers() throws Exception {
        bridge.call(BridgeProtocol.SET_CHAT_STATUS, List.of(args("accountId", 2, "presence", "AWAY", "text", "Mittag")));
        Map<String, Object> kept = bridge.call(BridgeProtocol.SET_CHAT_STATUS,
                List.of(args("accountId", 2, "presence", "", "text", "On a call in MS Teams")));
        assertThat(kept).containsEntry("presence", "AWAY").containsEntry("text", "On a call in MS Teams");
        Map<String, Object> read = bridge.call(BridgeProtocol.GET_CHAT_STATUS, List.of(args("accountIds", List.of(1, 2))));
        assertThat(read.get("statuses")).isEqualTo(List.of(
                Map.of("accountId", 1, "presence", "ONLINE", "text", ""),
                Map.of("accountId", 2, "presence", "AWAY", "text", "On a call in MS Teams")));
    }

    @Test
    void telephonyStateIsOneOfTheKnownStates() throws Exception {
        assertThat(bridge.call(BridgeProtocol.SET_TELEPHONY_STATE, List.of(args("accountId", 1, "state", "ACTIVE"))))
                .containsEntry("state", "ACTIVE");
        assertThat(pbx.calls).contains("telephony 1 ACTIVE");
        assertThat(fault(BridgeProtocol.SET_TELEPHONY_STATE, args("accountId", 1, "state", "BUSY")))
                .isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
    }

    @Test
    void eventsCarryTheBufferAndTheCallsNow() throws Exception {
        events.call(3, true);
        events.dnd(1, true);
        Map<String, Object> a = bridge.call(BridgeProtocol.EVENTS, List.of(args("since", "0")));
        assertThat(a).containsEntry("bridgeId", "run-1").containsEntry("next", "2").containsEntry("lost", false)
                .containsEntry("onCall", List.of(3));
        assertThat(a.get("events")).isEqualTo(List.of(
                Map.of("seq", "1", "type", "CALL", "accountId", 3, "active", true),
                Map.of("seq", "2", "type", "DND", "accountId", 1, "active", true)));
        Map<String, Object> again = bridge.call(BridgeProtocol.EVENTS, List.of(args("since", "2", "bridgeId", "run-1", "max", 5)));
        assertThat(again.get("events")).isEqualTo(List.of());
    }

    @Test
    void aWrongOrMissingSecretIsRefusedBeforeThePbxIsAsked() {
        Map<String, Object> wrong = args("accountId", 1, "presence", "", "text", "x");
        wrong.put(BridgeProtocol.SECRET, "not-the-secret-000000");
        assertThat(fault(BridgeProtocol.SET_CHAT_STATUS, wrong)).isEqualTo(BridgeProtocol.FAULT_SECRET);
        Map<String, Object> none = args();
        none.remove(BridgeProtocol.SECRET);
        assertThat(fault(BridgeProtocol.VERSION, none)).isEqualTo(BridgeProtocol.FAULT_SECRET);
        assertThat(pbx.calls).isEmpty();
    }

    @Test
    void everyArgumentIsCheckedAndNamed() {
        assertThat(fault(BridgeProtocol.SET_CHAT_STATUS, args("accountId", "1", "presence", "", "text", "x")))
                .isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.SET_CHAT_STATUS, args("accountId", 0, "presence", "", "text", "x")))
                .isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.SET_CHAT_STATUS, args("accountId", 1, "presence", "", "text",
                "x".repeat(BridgeProtocol.MAX_TEXT + 1)))).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.SET_CHAT_STATUS, args("accountId", 1, "presence", ""))).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i <= BridgeProtocol.MAX_ACCOUNTS_PER_CALL; i++) {
            tooMany.add(1);
        }
        assertThat(fault(BridgeProtocol.GET_CHAT_STATUS, args("accountIds", tooMany))).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.GET_CHAT_STATUS, args("accountIds", "1,2"))).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.EVENTS, args("since", "minus"))).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.EVENTS, args("since", "-1"))).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.EVENTS, args("since", "0", "max", BridgeProtocol.MAX_EVENTS_PER_CALL + 1)))
                .isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
        assertThat(fault(BridgeProtocol.GET_CHAT_STATUS, args("accountIds", List.of(1, 9))))
                .isEqualTo(BridgeProtocol.FAULT_UNKNOWN_ACCOUNT);
        assertThat(fault("shutdown", args())).isEqualTo(BridgeProtocol.FAULT_UNKNOWN_METHOD);
        assertThatThrownBy(() -> bridge.call(BridgeProtocol.VERSION, List.of())).isInstanceOf(XmlRpcFault.class)
                .hasMessageContaining("one struct parameter");
    }
}
