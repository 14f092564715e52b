package dev.teamsconnect.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints over real HTTP on an ephemeral loopback port, fed with fake engine data. */
class StatusHttpServerTest {

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final StatusBoard board = new StatusBoard("graph", "starface", clock);
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
        return get(address, path);
    }

    private HttpResponse<String> get(InetSocketAddress at, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
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
    void aStandbyIsReadyStandbyWhileItReachesTheDatabaseAndShowsItsRoleEverywhere() throws Exception {
        board.running(true);
        board.role(dev.teamsconnect.service.status.HaRole.STANDBY, null);
        clock.advance(Duration.ofSeconds(5));
        board.progress(clock.instant());

        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("ready-standby");
        assertThat(body.get("role").asText()).isEqualTo("standby");
        assertThat(body.get("roleSince").asText()).isEqualTo("2026-11-27T08:00:00Z");
        assertThat(json.readTree(get("/status").body()).get("role").asText()).isEqualTo("standby");
        assertThat(json.readTree(get("/status/summary").body()).get("health").get("status").asText())
                .isEqualTo("ready-standby");

        board.role(dev.teamsconnect.service.status.HaRole.STANDBY, "cannot reach the state database jdbc:postgresql://db/x");
        HttpResponse<String> down = get("/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"DOWN\"").contains("standby: cannot reach the state database");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);

        board.role(dev.teamsconnect.service.status.HaRole.LEADER, null);
        JsonNode leader = json.readTree(get("/health").body());
        assertThat(leader.get("role").asText()).isEqualTo("leader");
        assertThat(leader.get("roleSince").asText()).isEqualTo("2026-11-27T08:00:05Z");
        assertThat(leader.get("status").asText()).isEqualTo("DOWN"); // a leader is ready after its first cycle
    }

    @Test
    void withoutHaModeHealthHasNoRole() throws Exception {
        healthyService();
        assertThat(json.readTree(get("/health").body()).has("role")).isFalse();
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
    void livenessFailsWithAReasonWhenTheLoopMakesNoProgressAndRecoversWithProgress() throws Exception {
        healthyService();
        clock.advance(Duration.ofSeconds(100));
        board.progress(clock.instant());                      // a batch of the next cycle completed
        clock.advance(HealthCheck.DEFAULT_STALL_AFTER);
        assertThat(get("/health/live").statusCode()).as("exactly at the limit").isEqualTo(200);

        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> live = get("/health/live");
        HttpResponse<String> health = get("/health");

        assertThat(live.statusCode()).isEqualTo(503);
        JsonNode body = json.readTree(live.body());
        assertThat(body.get("status").asText()).isEqualTo("DOWN");
        assertThat(body.get("live").asBoolean()).isFalse();
        assertThat(body.get("reason").asText()).isEqualTo("the sync loop has made no progress for 121s (limit 120s): it is stuck");
        assertThat(health.statusCode()).isEqualTo(503);
        JsonNode h = json.readTree(health.body());
        assertThat(h.get("live").asBoolean()).isFalse();
        assertThat(h.get("lastProgress").asText()).isEqualTo("2026-11-27T08:01:40Z");
        assertThat(h.get("problems").toString()).contains("no progress for 121s (limit 120s)");

        board.progress(clock.instant());
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(json.readTree(get("/health/live").body()).has("reason")).isFalse();
    }

    @Test
    void theStallLimitIsTheCycleDeadlineGiven() throws Exception {
        board.running(true);                                   // started at T0, no progress yet
        try (StatusHttpServer strict = StatusHttpServer.builder(board, metrics).clock(clock)
                .stallAfter(Duration.ofSeconds(30)).build()) {
            InetSocketAddress at = strict.start("127.0.0.1", 0);
            clock.advance(Duration.ofSeconds(31));

            assertThat(get(at, "/health/live").statusCode()).isEqualTo(503);
            assertThat(get(at, "/health/live").body()).contains("no progress for 31s (limit 30s)");
            assertThat(get("/health/live").statusCode()).as("the default limit is 2 minutes").isEqualTo(200);
        }
    }

    /**
     * More slow clients than server threads, each sending one byte of its request headers a second (the attack
     * that kept /health/live unanswered for 45 s): the probe is still answered within a few request timeouts, and
     * the slow connections are closed.
     */
    @Test
    void slowClientsCannotStarveTheLivenessProbe() throws Exception {
        board.running(true);
        int threads = 2;
        Duration requestTimeout = Duration.ofSeconds(1);
        ScheduledExecutorService drip = Executors.newSingleThreadScheduledExecutor();
        List<Socket> slow = new ArrayList<>();
        try (StatusHttpServer small = StatusHttpServer.builder(board, metrics).clock(clock).threads(threads)
                .requestTimeout(requestTimeout).build()) {
            InetSocketAddress at = small.start("127.0.0.1", 0);
            byte[] request = "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < threads + 1; i++) {
                Socket socket = new Socket("127.0.0.1", at.getPort());
                slow.add(socket);
                int[] next = {0};
                drip.scheduleAtFixedRate(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        out.write(request[next[0]++ % request.length]);
                        out.flush();
                    } catch (IOException closed) {
                        throw new IllegalStateException(closed); // ends this client's schedule
                    }
                }, 0, 1, TimeUnit.SECONDS);
            }
            Thread.sleep(300);                                  // every thread is now reading slow headers

            long started = System.nanoTime();
            HttpResponse<String> live = get(at, "/health/live");
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(took).as("the probe waited for the slow clients").isLessThan(requestTimeout.multipliedBy(3));
            for (Socket socket : slow) {
                assertThat(closedByServer(socket, Duration.ofSeconds(3))).as("a slow connection is closed").isTrue();
            }
            assertThat(small.requestsCutOff()).isGreaterThanOrEqualTo(threads);
        } finally {
            drip.shutdownNow();
            for (Socket socket : slow) {
                socket.close();
            }
        }
    }

    @Test
    void aConnectionBeyondTheThreadsAndTheQueueIsClosedAtOnce() throws Exception {
        board.running(true);
        List<Socket> sockets = new ArrayList<>();
        try (StatusHttpServer tiny = StatusHttpServer.builder(board, metrics).clock(clock).threads(1).queue(1)
                .requestTimeout(Duration.ofSeconds(30)).build()) {
            InetSocketAddress at = tiny.start("127.0.0.1", 0);
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket("127.0.0.1", at.getPort());
                sockets.add(socket);
                socket.getOutputStream().write('G');           // one on the thread, one waiting, one too many
                socket.getOutputStream().flush();
                Thread.sleep(200);
            }

            assertThat(closedByServer(sockets.get(2), Duration.ofSeconds(2))).as("the third connection").isTrue();
            assertThat(closedByServer(sockets.get(0), Duration.ofMillis(200))).as("the first is still being read").isFalse();
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static boolean closedByServer(Socket socket, Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        InputStream in = socket.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
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
        String lastCycle = r.body().lines().filter(l -> l.startsWith("teamsconnect_last_successful_cycle_timestamp_seconds ")).findFirst()
                .orElseThrow();
        assertThat(Double.parseDouble(lastCycle.substring(lastCycle.indexOf(' ') + 1))).isEqualTo(T0.getEpochSecond());
    }

    @Test
    void statusListsEachUserWithPresenceDndHoldAndReason() throws Exception {
        board.user("42", "1001", "anna@example.com", "Anna Schmidt");
        board.presence("42", "Busy", "InACall", PresenceCategory.IN_A_CALL);
        board.pbxRead("42", false, T0);
        board.holdsCommitted(List.of(new Hold("42", Hold.Kind.HELD, false, true, null, null, false, T0)), List.of());
        board.pbxWritten("42", true, T0.plusSeconds(1));
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
        assertThat(anna.get("pbxDndKnown").asText()).isEqualTo("written");
        assertThat(anna.get("pbxDndAt").asText()).isEqualTo("2026-11-27T08:00:01Z");
        assertThat(anna.get("held").asBoolean()).isTrue();
        assertThat(anna.get("holdKind").asText()).isEqualTo("held");
        assertThat(anna.get("holdSince").asText()).isEqualTo("2026-11-27T08:00:00Z");
        assertThat(anna.get("priorDnd").asBoolean()).isFalse();
        assertThat(anna.get("dndReason").asText()).isEqualTo("teamsconnect");
        assertThat(anna.get("dndReasonText").asText()).contains("Busy/InACall").contains("own setting (DND off)");
        assertThat(anna.get("lastChange").asText()).isEqualTo("2026-11-27T08:00:00Z");
        assertThat(anna.get("lastReason").asText()).isEqualTo("Teams Busy/InACall -> DND on (policy IN_A_CALL)");
        JsonNode bob = body.get("users").get(1);
        assertThat(bob.get("pbxDnd").isNull()).isTrue();
        assertThat(bob.get("pbxDndKnown").asText()).isEqualTo("not-read-yet");
        assertThat(bob.get("pbxDndAt").isNull()).isTrue();
        assertThat(bob.get("dndReason").asText()).isEqualTo("not-read-yet");
        assertThat(bob.get("held").asBoolean()).isFalse();
        assertThat(bob.get("holdKind").isNull()).isTrue();
    }

    @Test
    void statusShowsOnlyTheDocumentedFields() throws Exception {
        board.user("42", "1001", "anna@example.com", "Anna");

        JsonNode user = json.readTree(get("/status").body()).get("users").get(0);

        List<String> fields = new ArrayList<>();
        user.fieldNames().forEachRemaining(fields::add);
        assertThat(Set.copyOf(fields)).isEqualTo(Set.of("pbxUserId", "pbxLogin", "teamsUser", "displayName", "availability",
                "activity", "category", "pbxDnd", "pbxDndKnown", "pbxDndAt", "held", "holdKind", "holdSince", "priorDnd",
                "dndReason", "dndReasonText", "problem", "lastKind", "lastChange", "lastReason", "teamsSession"));
        assertThat(fields.stream().map(String::toLowerCase))
                .noneMatch(f -> f.contains("password") || f.contains("secret") || f.contains("token"));
    }

    @Test
    void statusStreamsEveryUserAndHeadSendsNoBody() throws Exception {
        for (int i = 0; i < 5000; i++) {
            board.user(String.valueOf(i), "1" + i, String.format("user%05d@example.com", i), "User " + i);
        }

        HttpResponse<String> r = get("/status");
        HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + "/status"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("count").asInt()).isEqualTo(5000);
        assertThat(body.get("users")).hasSize(5000);
        assertThat(body.get("users").get(4999).get("teamsUser").asText()).isEqualTo("user04999@example.com");
        assertThat(body.get("generatedAt").asText()).isEqualTo("2026-11-27T08:00:00Z");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
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
