package dev.teamsconnect.examples.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.testkit.InMemoryPresenceSource;
import dev.teamsconnect.testkit.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class WebhookPbxSinkTest {

    private static final String SECRET = "s3cr3t-VALUE-never-in-logs-42";
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
    private WebhookReceiver receiver;
    private WebhookPbxSink sink;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.release();
        }
        if (sink != null) {
            sink.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static List<Map<String, Object>> users(int n) {
        List<Map<String, Object>> users = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            users.add(Map.of("id", "u" + i, "email", "user" + i + "@example.com", "name", "User " + i));
        }
        return users;
    }

    private static Map<String, Object> config(String url, Object... more) {
        Map<String, Object> map = new HashMap<>(Map.of("url", url, "secret", SECRET, "timeout", "5s",
                "initialBackoff", "500ms", "maxBackoff", "4s", "users", users(3)));
        for (int i = 0; i < more.length; i += 2) {
            map.put((String) more[i], more[i + 1]);
        }
        return map;
    }

    private WebhookPbxSink start(Object... more) throws Exception {
        receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
        WebhookSettings settings = WebhookSettings.from(new ProviderConfig("webhook", config(receiver.url().toString(), more)));
        sink = new WebhookPbxSink(settings, Clock.systemUTC(), pauses::add, new Random(7));
        sink.open();
        return sink;
    }

    private static PbxUser user(int i) {
        return new PbxUser("u" + i, null, "user" + i + "@example.com", "User " + i);
    }

    private static PbxChange change(int user, boolean dnd) {
        TeamsPresence presence = TeamsPresence.of("t" + user, dnd ? Availability.BUSY : Availability.AVAILABLE,
                dnd ? Activity.IN_A_CALL : Activity.AVAILABLE, T0);
        return new PbxChange(user(user), PbxState.dnd(!dnd), new PbxState(dnd, dnd ? "In a Teams call" : null),
                presence, dnd ? PresenceCategory.IN_A_CALL : PresenceCategory.AVAILABLE,
                "Teams " + presence.label() + " -> DND " + (dnd ? "on" : "off"), T0);
    }

    private void awaitIdle() throws InterruptedException {
        assertThat(sink.awaitIdle(Duration.ofSeconds(10))).as("sink idle").isTrue();
    }

    // ---- signing

    @Test
    void signatureMatchesAnIndependentlyComputedHmac() {
        WebhookSigner signer = new WebhookSigner(new WebhookSettings.Secret("key-0123456789abcdef"));
        // HMAC-SHA256("key-0123456789abcdef", "1700000000.{\"a\":1}"), computed outside Java.
        assertThat(signer.signatureHeader(1_700_000_000L, "{\"a\":1}"))
                .isEqualTo("sha256=8a091117e0b1ccf5034d0d8c06ab42b29a4451a72f95b56f22afaf6bfb7af0d3");
    }

    @Test
    void verificationRejectsTamperedBodyWrongKeyAndStaleOrForgedTimestamp() {
        WebhookSigner signer = new WebhookSigner(new WebhookSettings.Secret(SECRET));
        String body = "{\"dnd\":true}";
        String sig = signer.signatureHeader(1000, body);
        assertThat(signer.verify("1000", sig, body, 1010, 300)).isTrue();
        assertThat(signer.verify("1000", sig, "{\"dnd\":false}", 1010, 300)).as("tampered body").isFalse();
        assertThat(new WebhookSigner(new WebhookSettings.Secret("another-secret-0000")).verify("1000", sig, body, 1010, 300))
                .as("wrong key").isFalse();
        assertThat(signer.verify("1000", sig, body, 1000 + 301, 300)).as("replayed too late").isFalse();
        assertThat(signer.verify("1300", sig, body, 1300, 300)).as("timestamp swapped for a fresh one").isFalse();
        assertThat(signer.verify("1000", "sha256=zz", body, 1000, 300)).as("not hex").isFalse();
        assertThat(signer.verify(null, sig, body, 1000, 300)).as("no timestamp").isFalse();
    }

    @Test
    void receiverGetsSignedEventWithUserPresenceCategoryDndAndReason() throws Exception {
        start();
        sink.apply(change(1, true));
        awaitIdle();
        assertThat(receiver.rejectedSignatures()).isZero();
        assertThat(receiver.accepted()).hasSize(1);
        JsonNode json = receiver.accepted().get(0).json();
        assertThat(json.get("user").get("id").asText()).isEqualTo("u1");
        assertThat(json.get("user").get("email").asText()).isEqualTo("user1@example.com");
        assertThat(json.get("user").get("name").asText()).isEqualTo("User 1");
        assertThat(json.get("presence").get("availability").asText()).isEqualTo("Busy");
        assertThat(json.get("presence").get("activity").asText()).isEqualTo("InACall");
        assertThat(json.get("category").asText()).isEqualTo("IN_A_CALL");
        assertThat(json.get("dnd").asBoolean()).isTrue();
        assertThat(json.get("chatStatus").asText()).isEqualTo("In a Teams call");
        assertThat(json.get("previous").get("dnd").asBoolean()).isFalse();
        assertThat(json.get("reason").asText()).isEqualTo("Teams Busy/InACall -> DND on");
        assertThat(json.get("at").asText()).isEqualTo("2026-01-05T09:00:00Z");
    }

    @Test
    void receiverWithAnotherSecretRejectsEveryEventAndTheStateFallsBack() throws Exception {
        receiver = new WebhookReceiver("a-different-secret-123456", Clock.systemUTC());
        sink = new WebhookPbxSink(WebhookSettings.from(new ProviderConfig("webhook", config(receiver.url().toString()))),
                Clock.systemUTC(), pauses::add, new Random(7));
        sink.open();
        sink.apply(change(1, true));
        awaitIdle();
        assertThat(receiver.rejectedSignatures()).isEqualTo(1);
        assertThat(receiver.accepted()).isEmpty();
        assertThat(sink.readState(user(1)).dnd()).as("401 is not retried; the state falls back").isFalse();
    }

    @Test
    void oldTimestampIsRejectedByTheReceiver() throws Exception {
        receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
        ManualClock senderClock = new ManualClock(Instant.now().minus(Duration.ofHours(1)));
        sink = new WebhookPbxSink(WebhookSettings.from(new ProviderConfig("webhook", config(receiver.url().toString()))),
                senderClock, pauses::add, new Random(7));
        sink.open();
        sink.apply(change(2, true));
        awaitIdle();
        assertThat(receiver.rejectedSignatures()).isEqualTo(1);
        assertThat(receiver.accepted()).isEmpty();
    }

    // ---- retries

    @Test
    void retriesOn5xxAndTooManyRequestsWithGrowingJitteredPauses() throws Exception {
        start();
        receiver.answerNext(503, 500, 429);
        sink.apply(change(1, true));
        awaitIdle();
        assertThat(receiver.requests()).isEqualTo(4);
        assertThat(receiver.accepted()).hasSize(1);
        assertThat(sink.readState(user(1)).dnd()).isTrue();
        assertThat(pauses).hasSize(3);
        assertThat(pauses.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(pauses.get(1)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        assertThat(pauses.get(2)).isBetween(Duration.ofMillis(1000), Duration.ofMillis(2000));
    }

    @Test
    void waitsAtLeastAsLongAsTheRetryAfterOfTheReceiver() throws Exception {
        start();
        receiver.retryAfter("3");
        receiver.answerNext(429);
        sink.apply(change(1, true));
        awaitIdle();
        assertThat(receiver.accepted()).hasSize(1);
        assertThat(pauses).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void aRetryAfterShorterThanTheBackoffKeepsTheBackoff() throws Exception {
        start();
        receiver.retryAfter("0.1");
        receiver.answerNext(503);
        sink.apply(change(1, true));
        awaitIdle();
        assertThat(pauses).hasSize(1);
        assertThat(pauses.get(0)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
    }

    @Test
    void backoffIsCappedAtMaxBackoff() throws Exception {
        start();
        for (int attempt = 0; attempt < 40; attempt++) {
            Duration full = attempt >= 3 ? Duration.ofSeconds(4) : Duration.ofMillis(500L << attempt);
            assertThat(sink.backoff(attempt)).as("pause before retry %d", attempt + 1)
                    .isBetween(full.dividedBy(2), full);
        }
    }

    @Test
    void givesUpAfterMaxRetriesAndFallsBackToTheLastDeliveredState() throws Exception {
        start("maxRetries", 2);
        sink.apply(change(1, true));
        awaitIdle();
        receiver.answerNext(500, 500, 500, 500);
        sink.apply(change(1, false));
        awaitIdle();
        assertThat(receiver.requests()).isEqualTo(1 + 3);
        assertThat(sink.readState(user(1)).dnd()).as("back to the delivered DND on, so the engine writes again").isTrue();
    }

    @Test
    void clientErrorIsNotRetried() throws Exception {
        start();
        receiver.answerNext(400);
        sink.apply(change(3, true));
        awaitIdle();
        assertThat(receiver.requests()).isEqualTo(1);
        assertThat(pauses).isEmpty();
        assertThat(sink.readState(user(3)).dnd()).isFalse();
    }

    // ---- never blocking the engine

    @Test
    void slowReceiverDoesNotBlockApplyAndQueuedChangesPerUserAreCoalesced() throws Exception {
        start();
        receiver.holdRequests();
        sink.apply(change(1, true));
        assertThat(receiver.awaitFirstHeldRequest()).isTrue();

        // The receiver holds the first request; these calls return anyway (else this test would hang).
        sink.apply(change(2, true));
        sink.apply(change(2, false));
        sink.apply(change(2, true));
        sink.apply(change(3, true));
        assertThat(receiver.accepted()).as("nothing answered yet: apply() did not wait").isEmpty();
        assertThat(sink.readState(user(2)).dnd()).isTrue();
        assertThat(sink.backlog()).isEqualTo(3);

        receiver.release();
        awaitIdle();
        List<String> delivered = receiver.accepted().stream()
                .map(r -> r.json().get("user").get("id").asText() + "=" + r.json().get("dnd").asBoolean()).toList();
        assertThat(delivered).containsExactly("u1=true", "u2=true", "u3=true");
    }

    @Test
    void engineCyclesCompleteWhileTheReceiverHoldsEveryRequest() throws Exception {
        start();
        receiver.holdRequests();
        ManualClock clock = new ManualClock(T0);
        InMemoryPresenceSource teams = InMemoryPresenceSource.create(clock)
                .addUser("t1", "user1@example.com", "User 1")
                .addUser("t2", "user2@example.com", "User 2")
                .setPresence("t1", Availability.BUSY, Activity.IN_A_CALL)
                .setPresence("t2", Availability.AVAILABLE, Activity.AVAILABLE);
        SyncEngine engine = SyncEngine.builder().source(teams).sink(sink).store(new InMemoryStateStore())
                .config(EngineConfig.builder().releaseOnShutdown(false).build()).clock(clock).build();
        CycleReport first = engine.syncOnce();
        assertThat(first.writes()).isEqualTo(1);
        assertThat(receiver.awaitFirstHeldRequest()).isTrue();

        teams.setPresence("t2", Availability.BUSY, Activity.IN_A_CALL);
        clock.advance(Duration.ofSeconds(10));
        CycleReport second = engine.syncOnce();
        assertThat(second.writes()).as("the second cycle wrote while the first event is still held").isEqualTo(1);
        assertThat(receiver.accepted()).isEmpty();

        receiver.release();
        awaitIdle();
        assertThat(receiver.accepted()).extracting(r -> r.json().get("user").get("id").asText())
                .containsExactly("u1", "u2");
        engine.close();
    }

    @Test
    void fullQueueRejectsAnotherUserAsRetryableAndRecordsNothing() throws Exception {
        start("queueSize", 1);
        receiver.holdRequests();
        sink.apply(change(1, true));
        assertThat(receiver.awaitFirstHeldRequest()).isTrue();
        sink.apply(change(2, true));
        sink.apply(change(2, false));  // same user: replaces its queued event, no extra room needed

        assertThatThrownBy(() -> sink.apply(change(3, true)))
                .isInstanceOf(RetryableException.class)
                .hasMessageContaining("queue is full")
                .hasMessageContaining("User 3");
        assertThat(sink.readState(user(3)).dnd()).isFalse();
        receiver.release();
        awaitIdle();
        sink.apply(change(3, true));
        awaitIdle();
        assertThat(receiver.accepted()).hasSize(3);
    }

    // ---- secrets and config

    @Test
    void secretAndUrlPathNeverReachLogsMessagesOrToString() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(WebhookPbxSink.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.TRACE);
        logger.addAppender(appender);
        try {
            receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
            String url = receiver.url() + "?token=PATHTOKEN99";
            WebhookSettings settings = WebhookSettings.from(new ProviderConfig("webhook", config(url, "maxRetries", 1)));
            sink = new WebhookPbxSink(settings, Clock.systemUTC(), pauses::add, new Random(1));
            sink.open();
            receiver.answerNext(500, 500, 400);
            sink.apply(change(1, true));
            sink.apply(change(2, true));
            awaitIdle();
            sink.close();

            List<String> texts = new ArrayList<>();
            appender.list.forEach(e -> {
                texts.add(e.getFormattedMessage());
                if (e.getThrowableProxy() != null) {
                    texts.add(e.getThrowableProxy().getMessage());
                }
            });
            texts.add(settings.toString());
            texts.add(sink.toString());
            texts.add(new WebhookSigner(settings.secret()).toString());
            assertThat(appender.list).as("the failures were logged at all").isNotEmpty();
            assertThat(texts).allSatisfy(t -> assertThat(String.valueOf(t))
                    .doesNotContain(SECRET).doesNotContain("PATHTOKEN99"));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    @Test
    void configErrorsNameTheKeyPathAndHideTheSecret() {
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook",
                config("http://127.0.0.1:1/x", "secret", "short-secret"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("webhook.secret: must be at least 16")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook", config("ftp://host/x"))))
                .hasMessageStartingWith("webhook.url: must be an http or https URL");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook",
                config("https://user:pw@host/x"))))
                .hasMessageStartingWith("webhook.url: must not contain a user name or password")
                .hasMessageNotContaining("pw@");
        List<Map<String, Object>> twice = List.of(Map.of("id", "7"), Map.of("id", "7"));
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook", config("http://h/x", "users", twice))))
                .hasMessageStartingWith("webhook.users[1].id: \"7\" is listed twice");
        List<Map<String, Object>> typo = List.of(Map.of("id", "7", "mail", "a@example.com"));
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook", config("http://h/x", "users", typo))))
                .hasMessageStartingWith("webhook.users[0].mail: is not a known key");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook", config("http://h/x", "queueSize", 0))))
                .hasMessageStartingWith("webhook.queueSize: must be at least 1");
        Map<String, Object> noUsers = config("http://h/x");
        noUsers.remove("users");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("webhook", noUsers)))
                .hasMessageStartingWith("webhook.users: is required");
    }

    @Test
    void reportsEveryProblemOfTheSectionAtOnce() {
        List<Map<String, Object>> users = List.of(Map.of("email", "a@example.com"), Map.of("id", "7", "dnd", "maybe"));
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> WebhookSettings.from(new ProviderConfig("webhook", config("https://h/x?token=PATHTOKEN77",
                        "secret", "short-secret", "maxRetries", "21", "timeot", "5s", "users", users))));
        assertThat(e.problems()).extracting(p -> p.keyPath()).containsExactlyInAnyOrder("webhook.secret",
                "webhook.maxRetries", "webhook.timeot", "webhook.users[0].id", "webhook.users[1].dnd");
        assertThat(e.getMessage()).contains("did you mean \"timeout\"?").doesNotContain("short-secret")
                .doesNotContain("PATHTOKEN77");
    }

    @Test
    void aReceiverThatStallsItsBodyAfterTheHeadersIsCancelledAtTheTimeout() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
            Thread stalling = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        java.net.Socket s = server.accept();
                        requests.incrementAndGet();
                        s.getInputStream().read(new byte[8192]);
                        // status and headers, then half a body, then nothing: a receiver that hangs
                        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                                + "x".repeat(500)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            }, "stalling-receiver");
            stalling.setDaemon(true);
            stalling.start();
            String url = "http://127.0.0.1:" + server.getLocalPort() + "/hook";
            WebhookSettings settings = WebhookSettings.from(new ProviderConfig("webhook",
                    config(url, "timeout", "500ms", "maxRetries", 0)));
            sink = new WebhookPbxSink(settings, Clock.systemUTC(), pauses::add, new Random(3));
            sink.open();
            sink.apply(change(1, true));
            assertThat(sink.awaitIdle(Duration.ofSeconds(10))).as("the stalled delivery ended at its deadline").isTrue();
            assertThat(requests.get()).isEqualTo(1);
        }
    }
}
