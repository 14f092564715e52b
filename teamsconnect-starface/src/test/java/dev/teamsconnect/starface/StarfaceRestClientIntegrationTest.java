package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.retry.RetryAfter;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP layer against a hostile PBX over real HTTP: bodies that stall or never end, connections cut or left
 * half-open, absurd {@code Retry-After} values. Time is driven (a sleeper that moves a manual clock) wherever the
 * client waits by itself; only the HTTP deadlines are real, and kept short.
 */
class StarfaceRestClientIntegrationTest {

    private static final String API_LOGIN = "0001";
    private static final String API_PASSWORD = "api-pw-7781";
    private static final String PHONECONFIG = "GET /rest/users/{id}/phoneconfig";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:00:00Z"));
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final Sleeper drivenSleeper = d -> {
        sleeps.add(d);
        clock.advance(d);
    };
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private StarfaceEmulator start(int users) {
        StarfaceEmulator.Builder b = StarfaceEmulator.builder().clock(clock)
                .user(API_LOGIN, API_PASSWORD, "api@example.com", "Api", "Account", false);
        for (int i = 1; i <= users; i++) {
            b.user("10" + i, "pw" + i, "user" + i + "@example.com", "User", "No" + i, false);
        }
        StarfaceEmulator pbx = b.start();
        toClose.add(pbx);
        return pbx;
    }

    private StarfacePbxSink.Builder sinkFor(URI baseUrl) {
        return StarfacePbxSink.builder().baseUrl(baseUrl).loginId(API_LOGIN).password(API_PASSWORD)
                .clock(clock).sleeper(drivenSleeper).random(new Random(1)).parallelism(1)
                .requestTimeout(Duration.ofSeconds(5));
    }

    private StarfacePbxSink open(StarfacePbxSink.Builder b) {
        StarfacePbxSink sink = b.build();
        toClose.add(sink);
        sink.open();
        return sink;
    }

    private static PbxUser user(StarfaceEmulator pbx, String login) {
        return new PbxUser(String.valueOf(pbx.userId(login)), login, null, login);
    }

    private static PbxChange change(PbxUser user, boolean dnd) {
        return new PbxChange(user, PbxState.dnd(!dnd), PbxState.dnd(dnd), null, null, "test", Instant.EPOCH);
    }

    private static void await(BooleanSupplier condition, Duration atMost) throws InterruptedException {
        // Waits for the emulator's own threads (real I/O), bounded.
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    // ------------------------------------------------------------------------------------------------ deadlines

    @Test
    void aBodyThatStallsAfterItsHeadersEndsAtTheDeadlineAndTheNextCycleRuns() {
        StarfaceEmulator pbx = start(1);
        PbxUser held = user(pbx, "101");
        pbx.pressDndKey("101", true);
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()).requestTimeout(Duration.ofMillis(300)).maxRetries(1));
        pbx.stallBodyNext(PHONECONFIG, Duration.ofSeconds(90));
        pbx.stallBodyNext(PHONECONFIG, Duration.ofSeconds(90));

        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.readState(held)).isInstanceOf(RetryableException.class)
                .hasMessageContaining("did not answer GET /rest/users/" + held.id() + "/phoneconfig within 300 ms")
                .hasMessageContaining("after 2 attempts");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

        // The next cycle: the PBX answers again, and the held user is released.
        sink.apply(change(held, false));
        assertThat(pbx.dnd("101")).isFalse();
    }

    @Test
    void aHalfOpenConnectionInTheMiddleOfABodyIsCancelledAndItsConnectionClosed() throws Exception {
        CountDownLatch clientHungUp = new CountDownLatch(1);
        ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        toClose.add(server);
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                readHead(in);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                        + "{\"loginType\":").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // From here on nothing more is sent, as from a peer that vanished; read() ends when the client closes.
                while (in.read() >= 0) {
                    // drain
                }
                clientHungUp.countDown();
            } catch (Exception e) {
                clientHungUp.countDown(); // a reset is a hang-up too
            }
        }, "half-open-pbx");
        t.setDaemon(true);
        t.start();

        StarfacePbxSink sink = sinkFor(URI.create("http://127.0.0.1:" + server.getLocalPort()))
                .requestTimeout(Duration.ofMillis(300)).maxRetries(0).build();
        toClose.add(sink);
        long started = System.nanoTime();
        assertThatThrownBy(sink::open).isInstanceOf(RetryableException.class)
                .hasMessageContaining("did not answer GET /rest/login within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(clientHungUp.await(3, TimeUnit.SECONDS)).as("the cancelled exchange closed its connection").isTrue();
    }

    private static void readHead(InputStream in) throws java.io.IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Test
    void oneCallNeverTakesLongerThanItsLimitWhateverThePbxDoes() {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()).requestTimeout(Duration.ofMillis(200)).maxRetries(2)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(50)).sleeper(Sleeper.REAL));
        for (int i = 0; i < 5; i++) {
            pbx.stallBodyNext(PHONECONFIG, Duration.ofSeconds(60));
        }
        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.readState(u)).isInstanceOf(RetryableException.class).hasMessageContaining("after 3 attempts");
        // (maxRetries + 1) * requestTimeout + maxRetries * backoffMax = 3 * 200 + 2 * 50 ms
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(700 + 500));
    }

    @Test
    void theWorstCaseOfOneCallUnderTheDefaultsIs55Seconds() {
        StarfaceRestClient defaults = new StarfaceRestClient(URI.create("https://pbx.example.com/"), StarfaceRestClient.SignIn.nonce("0001", "pw"),
                HttpClient.newHttpClient(), Duration.ofSeconds(10), 3, clock, drivenSleeper, Duration.ofMillis(200),
                Duration.ofSeconds(5), Duration.ofHours(4), Duration.ofMinutes(5), new Random(1));
        assertThat(defaults.callLimit()).isEqualTo(Duration.ofSeconds(55));
    }

    @Test
    void aPbxOfLimitedCapacityQueuesTheParallelRequestsAndAnswersThemAll() {
        StarfaceEmulator.Builder b = StarfaceEmulator.builder().clock(clock).capacity(2, Duration.ofMillis(10))
                .user(API_LOGIN, API_PASSWORD, "api@example.com", "Api", "Account", false);
        for (int i = 1; i <= 24; i++) {
            b.user("u" + i, "pw" + i, null, "User", "No" + i, false);
        }
        StarfaceEmulator pbx = b.start();
        toClose.add(pbx);
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()).parallelism(8));
        List<PbxUser> users = sink.listUsers();
        pbx.resetMaxima();

        assertThat(sink.readStates(users).failures()).isEmpty();
        assertThat(pbx.maxRequestsInFlight()).isBetween(3, 8);
        assertThat(pbx.maxQueueLength()).as("beyond 2 workers, requests wait").isBetween(1, 6);
        assertThat(pbx.requestsInFlight()).isZero();
    }

    // ------------------------------------------------------------------------------------------------ bodies

    @Test
    void aBodyLargerThanTheLimitFailsWhileReadingWithAClearMessageAndIsNotRetried() throws Exception {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()));
        long huge = 600L * 1024 * 1024;
        pbx.oversizedBodyNext(PHONECONFIG, huge);

        long started = System.nanoTime();
        assertThatThrownBy(() -> sink.readState(u)).isInstanceOf(TerminalException.class)
                .hasMessageContaining("STARFACE at " + pbx.baseUrl())
                .hasMessageContaining("sent more than 65536 bytes for GET /rest/users/" + u.id() + "/phoneconfig")
                .hasMessageContaining("64 KiB");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(sleeps).as("not retried").isEmpty();
        await(() -> pbx.abortedResponses() > 0, Duration.ofSeconds(10));
        assertThat(pbx.abortedResponses()).as("the client hung up on the body").isEqualTo(1);
        assertThat(pbx.oversizedBytesSent()).isLessThan(huge / 4);

        assertThat(sink.readState(u)).isEqualTo(PbxState.dnd(false));
    }

    @Test
    void aBodyAnnouncedLargerThanTheLimitIsRefusedAtTheHeaders() {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()));
        pbx.respondNext(PHONECONFIG, 200, "{\"doNotDisturb\":false,\"pad\":\"" + "x".repeat(70_000) + "\"}");
        assertThatThrownBy(() -> sink.readState(u)).isInstanceOf(TerminalException.class)
                .hasMessageContaining("sent more than 65536 bytes");
    }

    @Test
    void aUserListOf50000UsersFitsItsLimit() {
        StarfaceEmulator pbx = start(0);
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()));
        StringBuilder users = new StringBuilder("[");
        for (int i = 1; i <= 50_000; i++) {
            users.append(i == 1 ? "" : ",").append("{\"id\":").append(i).append(",\"login\":\"user").append(i)
                    .append("\",\"firstName\":\"Firstname-").append(i).append("\",\"familyName\":\"Familyname-").append(i)
                    .append("\",\"email\":\"firstname.familyname").append(i).append("@example-company.com\",\"language\":\"de\",")
                    .append("\"namespace\":\"\",\"personId\":\"person-").append(i).append("\",\"faxCallerId\":\"\",\"faxHeader\":\"\",")
                    .append("\"faxCoverPage\":false,\"faxEmailJournal\":false,\"missedCallReport\":false,\"password\":\"\"}");
        }
        String body = users.append("]").toString();
        assertThat((long) body.length()).isGreaterThan(StarfaceRestClient.SMALL_BODY_LIMIT * 100);
        pbx.respondNext("GET /rest/users", 200, body);
        assertThat(sink.listUsers()).hasSize(50_000);
        assertThat(StarfaceRestClient.bodyLimit("/rest/users")).isEqualTo(64L * 1024 * 1024);
        assertThat(StarfaceRestClient.bodyLimit("/rest/groups")).isEqualTo(4L * 1024 * 1024);
        assertThat(StarfaceRestClient.bodyLimit("/rest/groups/7")).isEqualTo(16L * 1024 * 1024);
        assertThat(StarfaceRestClient.bodyLimit("/rest/login")).isEqualTo(64 * 1024);
        assertThat(StarfaceRestClient.bodyLimit("/rest/users/7/phoneconfig")).isEqualTo(64 * 1024);
    }

    @Test
    void aConnectionCutInTheMiddleOfABodyIsRetried() {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        pbx.pressDndKey("101", true);
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()));
        pbx.cutBodyNext(PHONECONFIG);
        assertThat(sink.readState(u)).isEqualTo(PbxState.dnd(true));
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(2);
        assertThat(sleeps).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ Retry-After

    @Test
    void theLargestRetryAfterPausesThePbxForTenMinutesWithoutOverflow() {
        StarfaceEmulator pbx = start(3);
        List<PbxUser> users = List.of(user(pbx, "101"), user(pbx, "102"), user(pbx, "103"));
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()));
        pbx.failNextWithRetryAfter(PHONECONFIG, 1, 503, "9223372036854775807");

        assertThatThrownBy(() -> sink.readStates(users))
                .isInstanceOfSatisfying(RetryableException.class,
                        e -> assertThat(e.retryAfter()).hasValue(RetryAfter.MAX))
                .hasMessageContaining("until 2026-01-05T08:10:00Z");
        assertThat(sleeps).as("a wait beyond the retry budget is not waited").isEmpty();
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(1);

        // Until then nothing is sent: later calls fail at once and say until when.
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> sink.apply(change(users.get(0), true))).isInstanceOf(RetryableException.class)
                .hasMessageContaining("until 2026-01-05T08:10:00Z");
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(1);
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isZero();

        clock.advance(Duration.ofMinutes(5));
        assertThat(sink.readStates(users).failures()).isEmpty();
    }

    @Test
    void aRetryAfterWithinTheRetryBudgetIsWaitedInsideTheCallAndNeverCutShort() {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()));

        pbx.failNextWithRetryAfter(PHONECONFIG, 1, 429, "2");
        assertThat(sink.readState(u)).isEqualTo(PbxState.dnd(false));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));

        sleeps.clear();
        String inThreeSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(3).atOffset(ZoneOffset.UTC));
        pbx.failNextWithRetryAfter(PHONECONFIG, 1, 503, inThreeSeconds);
        assertThat(sink.readState(u)).isEqualTo(PbxState.dnd(false));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(3));
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(4);
    }

    @Test
    void aRetryAfterBeyondTheBudgetEndsTheCallAndALaterCallWaitsOnlyWhatFitsItsBudget() {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl())); // budget: 3 retries x 5 s backoff cap = 15 s
        pbx.failNextWithRetryAfter(PHONECONFIG, 1, 429, "60");

        assertThatThrownBy(() -> sink.readState(u)).isInstanceOfSatisfying(RetryableException.class,
                        e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(60)))
                .hasMessageContaining("until 2026-01-05T08:01:00Z");
        assertThat(sleeps).isEmpty();

        clock.advance(Duration.ofSeconds(50)); // 10 s left: fits a call's 15 s budget, so it waits, then sends
        assertThat(sink.readState(u)).isEqualTo(PbxState.dnd(false));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(10));
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(2);
    }

    @Test
    void aNonIdempotentCallNeverWaitsForARetryAfter() {
        StarfaceEmulator pbx = start(1);
        StarfaceRestClient client = clientFor(pbx.baseUrl());
        pbx.failNextWithRetryAfter("POST /rest/users", 1, 503, "3");
        assertThatThrownBy(() -> client.call("POST", "/rest/users", null, false))
                .isInstanceOfSatisfying(RetryableException.class, e -> assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(3)));
        assertThat(sleeps).isEmpty();
        assertThatThrownBy(() -> client.call("POST", "/rest/users", null, false)).hasMessageContaining("until");
        assertThat(pbx.requestCount("POST /rest/users")).isEqualTo(1);
    }

    @Test
    void backoffJitterComesFromTheInjectedRandom() {
        StarfaceEmulator pbx = start(1);
        PbxUser u = user(pbx, "101");
        StarfacePbxSink sink = open(sinkFor(pbx.baseUrl()).random(new Random(42)).maxRetries(3)
                .backoff(Duration.ofMillis(200), Duration.ofMillis(500)));
        pbx.failNext(PHONECONFIG, 10, 500);
        assertThatThrownBy(() -> sink.readState(u)).hasMessageContaining("after 4 attempts");

        Random same = new Random(42);
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofMillis(500));
        assertThat(sleeps).containsExactly(backoff.delay(1, same), backoff.delay(2, same), backoff.delay(3, same));
    }

    // ------------------------------------------------------------------------------------------------ token scope

    private StarfaceRestClient clientFor(URI baseUrl) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        return new StarfaceRestClient(URI.create(baseUrl + "/"), StarfaceRestClient.SignIn.nonce(API_LOGIN, API_PASSWORD), http, Duration.ofSeconds(5), 3,
                clock, drivenSleeper, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofHours(4),
                Duration.ofMinutes(5), new Random(1));
    }

    @Test
    void theTokenNeverGoesToAnotherHostOrPortOrScheme() throws Exception {
        StarfaceEmulator pbx = start(1);
        try (CaptureServer capture = CaptureServer.start()) {
            StarfaceRestClient client = clientFor(pbx.baseUrl());
            String elsewhere = "127.0.0.1:" + capture.port();
            for (String path : List.of("/http://" + elsewhere + "/steal", "///" + elsewhere + "/steal",
                    "/https://" + elsewhere + "/steal", "/HTTP://" + elsewhere + "/steal")) {
                assertThatThrownBy(() -> client.call("GET", path, null, true)).as(path)
                        .isInstanceOf(TerminalException.class)
                        .hasMessageContaining("refused to send GET to")
                        .hasMessageContaining("go only to the configured STARFACE at " + pbx.baseUrl());
            }
            assertThat(capture.requests()).isEmpty();
            assertThat(pbx.loginCount()).as("refused before a login").isZero();
            assertThat(client.call("GET", "/rest/users", null, true).status()).isEqualTo(200);
        }
    }

    @Test
    void aRedirectOfAnAuthenticatedRequestIsNotFollowed() throws Exception {
        try (CaptureServer capture = CaptureServer.start();
             CaptureServer fakePbx = CaptureServer.start()) {
            fakePbx.answer("GET /rest/login", 200, "{\"loginType\":\"Internal\",\"nonce\":\"n-1\",\"secret\":null}", null);
            fakePbx.answer("POST /rest/login", 200, "{\"token\":\"TOKEN-4711-SECRET\"}", null);
            fakePbx.answer("GET /rest/users", 302, "", "http://127.0.0.1:" + capture.port() + "/rest/users");
            StarfacePbxSink sink = open(sinkFor(URI.create("http://127.0.0.1:" + fakePbx.port())));

            assertThatThrownBy(sink::listUsers).hasMessageContaining("HTTP 302");
            assertThat(fakePbx.requests()).anySatisfy(r -> assertThat(r).contains("authtoken: TOKEN-4711-SECRET"));
            assertThat(capture.requests()).isEmpty();
        }
    }
}
