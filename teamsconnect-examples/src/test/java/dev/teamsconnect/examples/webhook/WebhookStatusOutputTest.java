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
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.output.OutputSettings;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class WebhookStatusOutputTest {

    private static final String SECRET = "s3cr3t-VALUE-never-in-logs-42";
    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private WebhookReceiver receiver;
    private WebhookStatusOutput output;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.release();
        }
        if (output != null) {
            output.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private static Map<String, Object> config(String url, Object... more) {
        Map<String, Object> map = new HashMap<>(Map.of("url", url, "secret", SECRET, "timeout", "5s"));
        for (int i = 0; i < more.length; i += 2) {
            map.put((String) more[i], more[i + 1]);
        }
        return map;
    }

    private WebhookStatusOutput start(Object... more) throws Exception {
        receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
        output = (WebhookStatusOutput) new WebhookOutputProvider().create(
                new ProviderConfig("outputs[0]", config(receiver.url().toString(), more)));
        output.open();
        return output;
    }

    private static OutputStatus inACall(String id) {
        return new OutputStatus(id, "User " + id, "t-" + id, "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true,
                Hold.Kind.HELD, "Teams Busy/InACall -> DND on (policy IN_A_CALL)", T0);
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

    // ---- delivery

    @Test
    void receiverGetsASignedStatusPerUserWithPresenceCategoryDndHoldAndReason() throws Exception {
        start().publish(List.of(inACall("42"), new OutputStatus("7", "Bob", null, null, null, null, null, null, null,
                null, T0)));
        List<WebhookReceiver.Received> got = receiver.accepted();
        assertThat(got).hasSize(2);
        JsonNode e = got.get(0).json();
        assertThat(e.get("event").asText()).isEqualTo("presence.status");
        assertThat(e.get("at").asText()).isEqualTo("2026-01-05T09:00:00Z");
        assertThat(e.get("user").get("id").asText()).isEqualTo("42");
        assertThat(e.get("user").get("label").asText()).isEqualTo("User 42");
        assertThat(e.get("user").get("teamsId").asText()).isEqualTo("t-42");
        assertThat(e.get("presence").get("availability").asText()).isEqualTo("Busy");
        assertThat(e.get("presence").get("activity").asText()).isEqualTo("InACall");
        assertThat(e.get("category").asText()).isEqualTo("IN_A_CALL");
        assertThat(e.get("dnd").get("wanted").asBoolean()).isTrue();
        assertThat(e.get("dnd").get("pbx").asBoolean()).isTrue();
        assertThat(e.get("hold").asText()).isEqualTo("held");
        assertThat(e.get("reason").asText()).contains("DND on");
        JsonNode unknown = got.get(1).json();
        assertThat(unknown.get("presence").isNull()).isTrue();
        assertThat(unknown.get("category").isNull()).isTrue();
        assertThat(unknown.get("dnd").get("wanted").isNull()).isTrue();
        assertThat(unknown.get("hold").isNull()).isTrue();
        assertThat(got.get(0).deliveryId()).isNotBlank().isNotEqualTo(got.get(1).deliveryId());
        assertThat(receiver.rejectedSignatures()).isZero();
    }

    @Test
    void removedUsersGetARemovedBody() throws Exception {
        start().remove(List.of("42"));
        JsonNode e = receiver.accepted().get(0).json();
        assertThat(e.get("event").asText()).isEqualTo("presence.removed");
        assertThat(e.get("user").get("id").asText()).isEqualTo("42");
    }

    @Test
    void aReceiverWithAnotherSecretRejectsTheStatusAndTheOutputSaysSoTerminally() throws Exception {
        start();
        WebhookStatusOutput wrong = new WebhookStatusOutput(WebhookSettings.from(new ProviderConfig("outputs[0]",
                config(receiver.url().toString(), "secret", "another-secret-0123456789"))));
        assertThatThrownBy(() -> wrong.publish(List.of(inACall("42"))))
                .isInstanceOf(TerminalException.class).hasMessageContaining("HTTP 401");
        assertThat(receiver.rejectedSignatures()).isEqualTo(1);
        assertThat(receiver.accepted()).isEmpty();
    }

    @Test
    void anOldTimestampIsRejectedByTheReceiver() throws Exception {
        start();
        Clock past = Clock.fixed(Instant.now().minusSeconds(3600), java.time.ZoneOffset.UTC);
        WebhookStatusOutput late = new WebhookStatusOutput(WebhookSettings.from(new ProviderConfig("outputs[0]",
                config(receiver.url().toString()))), past);
        assertThatThrownBy(() -> late.publish(List.of(inACall("42")))).isInstanceOf(TerminalException.class);
        assertThat(receiver.rejectedSignatures()).isEqualTo(1);
    }

    @Test
    void serverErrorsAndTooManyRequestsAreRetryableWithTheAskedWait() throws Exception {
        start();
        receiver.answerNext(503, 429);
        receiver.retryAfter("7");
        RetryableException first = org.assertj.core.api.Assertions.catchThrowableOfType(RetryableException.class,
                () -> output.publish(List.of(inACall("42"))));
        assertThat(first.getMessage()).contains("HTTP 503");
        assertThat(first.retryAfter()).contains(Duration.ofSeconds(7));
        assertThatThrownBy(() -> output.publish(List.of(inACall("42")))).isInstanceOf(RetryableException.class)
                .hasMessageContaining("HTTP 429");
        output.publish(List.of(inACall("42")));
        assertThat(receiver.accepted()).hasSize(1);
    }

    @Test
    void aClientErrorIsTerminal() throws Exception {
        start();
        receiver.answerNext(404);
        assertThatThrownBy(() -> output.publish(List.of(inACall("42")))).isInstanceOf(TerminalException.class)
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void aReceiverThatIsNotThereIsRetryable() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        output = new WebhookStatusOutput(WebhookSettings.from(new ProviderConfig("outputs[0]",
                config("http://127.0.0.1:" + port + "/hook", "timeout", "2s"))));
        output.open();
        assertThatThrownBy(() -> output.publish(List.of(inACall("42")))).isInstanceOf(RetryableException.class)
                .hasMessageStartingWith("webhook http://127.0.0.1:" + port + ":");
    }

    @Test
    void underTheHostARecoveredReceiverGetsTheLatestStatusAndRepublishesCatchItUp() throws Exception {
        start();
        dev.teamsconnect.testkit.ManualClock clock = new dev.teamsconnect.testkit.ManualClock(T0);
        OutputDispatcher host = OutputDispatcher.builder().clock(clock).random(new java.util.Random(5))
                .output(output, OutputSettings.defaults().withRepublishInterval(output.republishInterval().orElseThrow())
                        .withBackoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4))))
                .build();
        try {
            receiver.down();
            host.offer(WebhookSnapshots.of(clock.instant(), WebhookSnapshots.user("1", "Busy/InACall", true)));
            host.deliverDue();
            assertThat(host.stats().get(0).failing()).isTrue();
            assertThat(host.stats().get(0).lastError()).contains("HTTP 503");
            host.offer(WebhookSnapshots.of(clock.instant(), WebhookSnapshots.user("1", "Available/Available", null)));
            receiver.up();
            clock.advance(Duration.ofSeconds(4));
            host.deliverDue();
            assertThat(receiver.latest("1")).hasValueSatisfying(s -> assertThat(s.availability()).isEqualTo("Available"));
            assertThat(receiver.accepted()).as("only the latest status, once").hasSize(1);
            // the receiver forgets everything (a restart without storage): the next re-publish brings it back
            clock.advance(Duration.ofMinutes(5));
            host.deliverDue();
            assertThat(receiver.accepted()).hasSize(2);
        } finally {
            host.close();
            output = null;
        }
    }

    @Test
    void theRepublishIntervalIsReadWithTheHostsRule() throws Exception {
        assertThat(start("republishInterval", "2m").republishInterval()).contains(Duration.ofMinutes(2));
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("outputs[1]",
                config("http://h/x", "republishInterval", "5s"))))
                .hasMessageStartingWith("outputs[1].republishInterval: must be at least 10s");
    }

    // ---- secrets and config

    @Test
    void secretAndUrlPathNeverReachLogsMessagesOrToString() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger("dev.teamsconnect");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.TRACE);
        logger.addAppender(appender);
        List<String> texts = new ArrayList<>();
        try {
            receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
            String url = receiver.url() + "?token=PATHTOKEN99";
            WebhookSettings settings = WebhookSettings.from(new ProviderConfig("outputs[0]", config(url)));
            output = new WebhookStatusOutput(settings);
            receiver.answerNext(500, 400);
            OutputDispatcher host = OutputDispatcher.builder().output(output, OutputSettings.defaults()).build();
            host.offer(WebhookSnapshots.of(Instant.now(), WebhookSnapshots.user("1", "Busy/InACall", true)));
            host.deliverDue();
            host.stats().forEach(s -> texts.add(String.valueOf(s)));
            host.close();
            for (int status : new int[] {500, 400}) {
                receiver.answerNext(status);
                try {
                    output.publish(List.of(inACall("1")));
                } catch (RuntimeException e) {
                    texts.add(e.getMessage());
                }
            }
            appender.list.forEach(e -> {
                texts.add(e.getFormattedMessage());
                if (e.getThrowableProxy() != null) {
                    texts.add(e.getThrowableProxy().getMessage());
                }
            });
            texts.add(settings.toString());
            texts.add(output.toString());
            texts.add(new WebhookSigner(settings.secret()).toString());
            assertThat(appender.list).as("the failures were logged at all").isNotEmpty();
            assertThat(texts).hasSizeGreaterThan(5).allSatisfy(t -> assertThat(String.valueOf(t))
                    .doesNotContain(SECRET).doesNotContain("PATHTOKEN99"));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    @Test
    void configErrorsNameTheKeyPathAndHideTheSecret() {
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("outputs[0]",
                config("http://127.0.0.1:1/x", "secret", "short-secret"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("outputs[0].secret: must be at least 16")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("outputs[0]", config("ftp://host/x"))))
                .hasMessageStartingWith("outputs[0].url: must be an http or https URL");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("outputs[0]",
                config("https://user:pw@host/x"))))
                .hasMessageStartingWith("outputs[0].url: must not contain a user name or password")
                .hasMessageNotContaining("pw@");
        Map<String, Object> noUrl = config("http://h/x");
        noUrl.remove("url");
        assertThatThrownBy(() -> WebhookSettings.from(new ProviderConfig("outputs[0]", noUrl)))
                .hasMessageStartingWith("outputs[0].url: is required");
    }

    @Test
    void reportsEveryProblemOfTheEntryAtOnce() {
        ConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
                () -> WebhookSettings.from(new ProviderConfig("outputs[2]", config("https://h/x?token=PATHTOKEN77",
                        "secret", "short-secret", "timeot", "5s", "maxRetries", 3, "republishInterval", "soon"))));
        assertThat(e.problems()).extracting(p -> p.keyPath()).containsExactlyInAnyOrder("outputs[2].secret",
                "outputs[2].timeot", "outputs[2].maxRetries", "outputs[2].republishInterval");
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
            output = new WebhookStatusOutput(WebhookSettings.from(new ProviderConfig("outputs[0]",
                    config(url, "timeout", "500ms"))));
            output.open();
            assertThatThrownBy(() -> output.publish(List.of(inACall("1")))).isInstanceOf(RetryableException.class)
                    .hasMessageContaining("no complete answer within 500 ms");
            assertThat(requests.get()).isEqualTo(1);
        }
    }
}
