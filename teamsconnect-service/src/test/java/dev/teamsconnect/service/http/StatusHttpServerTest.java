package dev.teamsconnect.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP on an ephemeral loopback port, fed with fake engine data. */
class StatusHttpServerTest {

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final StatusBoard board = new StatusBoard("graph", "starface");
    private final ServiceMetrics metrics = new ServiceMetrics();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private StatusHttpServer server;
    private InetSocketAddress address;

    @BeforeEach
    void start() throws Exception {
        server = new StatusHttpServer(board, metrics, clock, Duration.ofMinutes(1));
        address = server.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void healthyService() {
        board.running(true);
        board.signIn(StatusBoard.Side.SOURCE, SignInState.SIGNED_IN, null, T0);
        board.signIn(StatusBoard.Side.SINK, SignInState.SIGNED_IN, null, T0);
        board.cycleFinished(T0, true);
    }

    @Test
    void bindsToTheGivenLoopbackAddress() {
        assertThat(address.getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void healthIsDownBeforeTheFirstCycle() throws Exception {
        board.running(true);

        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        assertThat(body.get("live").asBoolean()).isTrue();
        assertThat(body.get("ready").asBoolean()).isFalse();
        assertThat(body.get("problems").toString()).contains("no successful cycle yet").contains("graph: not signed in yet");
    }

    @Test
    void healthIsUpWhenBothSidesAreSignedInAndTheLastCycleIsFresh() throws Exception {
        healthyService();
        clock.advance(Duration.ofSeconds(30));

        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("UP");
        assertThat(body.get("lastSuccessfulCycle").asText()).isEqualTo("2026-11-27T08:00:00Z");
        assertThat(body.get("secondsSinceLastSuccessfulCycle").asLong()).isEqualTo(30);
        assertThat(body.get("source").get("state").asText()).isEqualTo("SIGNED_IN");
        assertThat(body.get("problems")).isEmpty();
    }

    @Test
    void healthGoesDownWhenTheLastSuccessfulCycleIsStale() throws Exception {
        healthyService();
        clock.advance(Duration.ofMinutes(2));

        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("the last successful cycle was 120s ago (limit 60s)");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void healthShowsAFailedSignInWithItsDetail() throws Exception {
        healthyService();
        board.signIn(StatusBoard.Side.SINK, SignInState.FAILED, "login rejected; check starface.loginId and password", T0);

        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("sink").get("state").asText()).isEqualTo("FAILED");
        assertThat(body.get("problems").get(0).asText())
                .isEqualTo("PBX sink starface: sign-in failed: login rejected; check starface.loginId and password");
    }

    @Test
    void livenessFollowsTheLoop() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(503);
        board.running(true);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        metrics.cycleFinished(Duration.ofMillis(250), true, T0);
        metrics.graphRequest();
        metrics.graphRequest();
        metrics.graphThrottled();
        metrics.pbxWrite(true);
        metrics.holds(3);
        metrics.error("pbx_auth");

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
                .contains("teamsconnect_cycle_duration_seconds_count{outcome=\"success\"} 1")
                .contains("teamsconnect_graph_requests_total 2")
                .contains("teamsconnect_graph_throttled_total 1")
                .contains("teamsconnect_pbx_writes_total{outcome=\"success\"} 1")
                .contains("teamsconnect_holds 3")
                .contains("teamsconnect_errors_total{kind=\"pbx_auth\"} 1");
        String lastCycle = r.body().lines().filter(l -> l.startsWith("teamsconnect_last_successful_cycle_seconds ")).findFirst()
                .orElseThrow();
        assertThat(Double.parseDouble(lastCycle.substring(lastCycle.indexOf(' ') + 1))).isEqualTo(T0.getEpochSecond());
    }

    @Test
    void statusListsEachUserWithPresenceDndHoldAndReason() throws Exception {
        board.user("42", "1001", "anna@example.com", "Anna Schmidt");
        board.presence("42", "Busy", "InACall", PresenceCategory.IN_A_CALL);
        board.pbxDnd("42", false);
        board.onEvent(new AuditEvent(T0, AuditEvent.Kind.HOLD_STARTED, "42", "Anna Schmidt", PresenceCategory.IN_A_CALL,
                PbxState.dnd(false), PbxState.dnd(true), "Teams Busy/InACall -> DND on (policy IN_A_CALL)"));
        board.user("43", "1002", "bob@example.com", "Bob");

        HttpResponse<String> r = get("/status");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("count").asInt()).isEqualTo(2);
        JsonNode anna = body.get("users").get(0);
        assertThat(anna.get("teamsUser").asText()).isEqualTo("anna@example.com");
        assertThat(anna.get("availability").asText()).isEqualTo("Busy");
        assertThat(anna.get("activity").asText()).isEqualTo("InACall");
        assertThat(anna.get("category").asText()).isEqualTo("IN_A_CALL");
        assertThat(anna.get("pbxDnd").asBoolean()).isTrue();
        assertThat(anna.get("held").asBoolean()).isTrue();
        assertThat(anna.get("lastChange").asText()).isEqualTo("2026-11-27T08:00:00Z");
        assertThat(anna.get("lastReason").asText()).isEqualTo("Teams Busy/InACall -> DND on (policy IN_A_CALL)");
        JsonNode bob = body.get("users").get(1);
        assertThat(bob.get("pbxDnd").isNull()).isTrue();
        assertThat(bob.get("held").asBoolean()).isFalse();
    }

    @Test
    void statusShowsOnlyTheDocumentedFields() throws Exception {
        board.user("42", "1001", "anna@example.com", "Anna");

        JsonNode user = json.readTree(get("/status").body()).get("users").get(0);

        List<String> fields = new ArrayList<>();
        user.fieldNames().forEachRemaining(fields::add);
        assertThat(Set.copyOf(fields)).isEqualTo(Set.of("pbxUserId", "pbxLogin", "teamsUser", "displayName", "availability",
                "activity", "category", "pbxDnd", "held", "lastChange", "lastReason"));
        assertThat(fields.stream().map(String::toLowerCase))
                .noneMatch(f -> f.contains("password") || f.contains("secret") || f.contains("token"));
    }

    @Test
    void answersUnknownPathsWith404AndWritesWith405() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
    }
}
