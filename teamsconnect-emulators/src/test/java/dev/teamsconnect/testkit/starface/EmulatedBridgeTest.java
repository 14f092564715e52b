package dev.teamsconnect.testkit.starface;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.starface.bridge.BridgeProtocol;
import dev.teamsconnect.starface.bridge.XmlRpc;
import dev.teamsconnect.starface.bridge.XmlRpcFault;
import dev.teamsconnect.starface.bridge.XmlRpcLogin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The emulated PBX's bridge over real HTTP: the XML-RPC login (auth hash, OAuth token), the instance name, the
 * secret, and the events that the emulator's DND changes and calls feed, as the bridge module's entry points answer
 * them.
 */
class EmulatedBridgeTest {

    private static final String SECRET = "emulated-bridge-secret-42";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private StarfaceEmulator pbx;

    @AfterEach
    void stop() {
        if (pbx != null) {
            pbx.close();
        }
    }

    private StarfaceEmulator start(StarfaceEmulator.Builder b) {
        pbx = b.user("0001", "api-pw", "api@pbx.test", "Api", "Account", false)
                .user("anna", "pw-anna", "anna@pbx.test", "Anna", "Berg", false).start();
        return pbx;
    }

    private HttpResponse<String> post(String query, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + "/xml-rpc" + (query == null ? "" : "?" + query)))
                .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String auth(String login, String password) {
        return XmlRpcLogin.AUTH_PARAMETER + "=" + URLEncoder.encode(XmlRpcLogin.authValue(login, password), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> call(String method, Map<String, Object> args) throws Exception {
        Map<String, Object> withSecret = new LinkedHashMap<>(args);
        withSecret.putIfAbsent(BridgeProtocol.SECRET, SECRET);
        HttpResponse<String> r = post(auth("0001", "api-pw"), XmlRpc.call(method, List.of(withSecret)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (Map<String, Object>) XmlRpc.parseResponse(r.body());
    }

    private int fault(String method, Map<String, Object> args) throws Exception {
        try {
            call(method, args);
        } catch (XmlRpcFault f) {
            return f.code();
        }
        throw new AssertionError("no fault");
    }

    private static Map<String, Object> events(String since) {
        return Map.of(BridgeProtocol.SINCE, since);
    }

    @Test
    void theLoginIsTheXmlRpcHashOfAnAccountOfThePbx() throws Exception {
        start(StarfaceEmulator.builder().bridge("TeamsConnectBridge", SECRET));
        String version = XmlRpc.call("TeamsConnectBridge.version", List.of(Map.of(BridgeProtocol.SECRET, SECRET)));
        assertThat(post(null, version).statusCode()).isEqualTo(401);
        assertThat(post(auth("0001", "wrong"), version).statusCode()).isEqualTo(401);
        assertThat(post(auth("nobody", "api-pw"), version).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = post(auth("anna", "pw-anna"), version);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type").orElse("")).startsWith("text/xml");
        assertThat(((Map<?, ?>) XmlRpc.parseResponse(ok.body())).get("protocol")).isEqualTo(BridgeProtocol.PROTOCOL);
        assertThat(pbx.requestCount("POST /xml-rpc")).isEqualTo(4);
    }

    @Test
    void withOAuthTheAccessTokenIsTheLogin() throws Exception {
        start(StarfaceEmulator.builder().oauth("cs-1").bridge("TeamsConnectBridge", SECRET));
        HttpResponse<String> grant = http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl()
                        + StarfaceEmulator.KEYCLOAK_TOKEN_PATH))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=rest-client-headless"
                        + "&client_secret=cs-1&username=0001&password=api-pw")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(grant.statusCode()).as(grant.body()).isEqualTo(200);
        String token = new ObjectMapper().readTree(grant.body()).get("access_token").asText();
        String version = XmlRpc.call("TeamsConnectBridge.version", List.of(Map.of(BridgeProtocol.SECRET, SECRET)));
        assertThat(post(XmlRpcLogin.JWT_PARAMETER + "=" + token, version).statusCode()).isEqualTo(200);
        assertThat(post(XmlRpcLogin.JWT_PARAMETER + "=not-a-token", version).statusCode()).isEqualTo(401);
    }

    @Test
    void anotherInstanceNoBridgeAndAWrongSecretAreFaults() throws Exception {
        start(StarfaceEmulator.builder().bridge("TeamsConnectBridge", SECRET));
        assertThat(fault("OtherBridge.version", Map.of())).isEqualTo(BridgeProtocol.FAULT_UNKNOWN_METHOD);
        assertThat(fault("TeamsConnectBridge.version", Map.of(BridgeProtocol.SECRET, "wrong-secret-0000000000")))
                .isEqualTo(BridgeProtocol.FAULT_SECRET);
        assertThat(pbx.bridgeSecretRejections()).isEqualTo(1);
        assertThat(pbx.bridgeCalls()).containsExactly("version", "version");
        assertThat(pbx.toString()).doesNotContain(SECRET);
        pbx.close();
        start(StarfaceEmulator.builder());
        assertThat(fault("TeamsConnectBridge.version", Map.of())).isEqualTo(BridgeProtocol.FAULT_UNKNOWN_METHOD);
    }

    @Test
    void dndChangesFromRestAndThePhoneAndCallsBecomeEventsAndTheBlfState() throws Exception {
        start(StarfaceEmulator.builder().bridge("TeamsConnectBridge", SECRET));
        int anna = pbx.userId("anna");
        pbx.pressDndKey("anna", true);
        pbx.setOnCall("anna", true);
        Map<String, Object> a = call("TeamsConnectBridge.events", events("0"));
        assertThat(a.get("events")).isEqualTo(List.of(
                Map.of("seq", "1", "type", "DND", "accountId", anna, "active", true),
                Map.of("seq", "2", "type", "CALL", "accountId", anna, "active", true)));
        assertThat(a.get("onCall")).isEqualTo(List.of(anna));
        assertThat(pbx.telephonyState("anna")).contains("ACTIVE");
        call("TeamsConnectBridge.setTelephonyState", Map.of("accountId", anna, "state", "RINGING"));
        assertThat(pbx.telephonyState("anna")).contains("RINGING");
        pbx.setOnCall("anna", false);
        assertThat(pbx.telephonyState("anna")).as("a real call overwrites the injected state").contains("AVAILABLE");
        Map<String, Object> after = call("TeamsConnectBridge.events", Map.of("since", a.get("next"), "bridgeId", a.get("bridgeId")));
        assertThat((List<?>) after.get("events")).hasSize(1);
        assertThat(after.get("onCall")).isEqualTo(List.of());
    }

    @Test
    void aRestartedBridgeAndAnOverflowingBufferSayEventsWereLost() throws Exception {
        start(StarfaceEmulator.builder().bridge("TeamsConnectBridge", SECRET).bridgeEventCapacity(2));
        pbx.pressDndKey("anna", true);
        Map<String, Object> a = call("TeamsConnectBridge.events", events("0"));
        assertThat(a.get("lost")).isEqualTo(false);
        pbx.pressDndKey("anna", false);
        pbx.pressDndKey("anna", true);
        pbx.pressDndKey("anna", false);
        Map<String, Object> b = call("TeamsConnectBridge.events", Map.of("since", a.get("next"), "bridgeId", a.get("bridgeId")));
        assertThat(b.get("lost")).isEqualTo(true);
        pbx.restartBridge();
        Map<String, Object> c = call("TeamsConnectBridge.events", Map.of("since", b.get("next"), "bridgeId", b.get("bridgeId")));
        assertThat(c.get("lost")).isEqualTo(true);
        assertThat(c.get("bridgeId")).isNotEqualTo(b.get("bridgeId"));
    }

    @Test
    void theUccClientHookAndTheChatEntryPointsSeeTheSameState() throws Exception {
        start(StarfaceEmulator.builder().bridge("TeamsConnectBridge", SECRET));
        int anna = pbx.userId("anna");
        pbx.userChangesChatStatus("anna", "AWAY", "Mittagspause");
        Map<String, Object> read = call("TeamsConnectBridge.getChatStatus", Map.of("accountIds", List.of(anna)));
        assertThat(read.get("statuses")).isEqualTo(List.of(Map.of("accountId", anna, "presence", "AWAY", "text", "Mittagspause")));
        call("TeamsConnectBridge.setChatStatus", Map.of("accountId", anna, "presence", "", "text", "On a call in MS Teams"));
        assertThat(pbx.chatState("anna").text()).isEqualTo("On a call in MS Teams");
        assertThat(pbx.chatState("anna").presence()).isEqualTo("AWAY");
        assertThat(fault("TeamsConnectBridge.getChatStatus", Map.of("accountIds", List.of(999))))
                .isEqualTo(BridgeProtocol.FAULT_UNKNOWN_ACCOUNT);
    }

    @Test
    void malformedOversizedAndEntityLadenBodiesAreRefused() throws Exception {
        start(StarfaceEmulator.builder().bridge("TeamsConnectBridge", SECRET));
        String login = auth("0001", "api-pw");
        HttpResponse<String> xxe = post(login, "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<methodCall><methodName>&e;</methodName></methodCall>");
        assertThat(xxe.statusCode()).isEqualTo(200);
        assertThat(xxe.body()).doesNotContain("root:");
        try {
            XmlRpc.parseResponse(xxe.body());
            throw new AssertionError("no fault");
        } catch (XmlRpcFault f) {
            assertThat(f.code()).isEqualTo(BridgeProtocol.FAULT_ARGUMENT);
            assertThat(f.getMessage()).contains("DOCTYPE");
        }
        assertThat(post(login, "x".repeat(StarfaceEmulator.MAX_REQUEST_BODY + 1)).statusCode()).isEqualTo(413);
    }
}
