package dev.teamsconnect.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mqtt output against a real broker, over real TCP and TLS; each broker (Moquette embedded, Mosquitto when
 * installed) runs the same cases. Outputs are built through {@link MqttOutputProvider} from a config entry, as the
 * service builds them; only the reconnect backoff is shortened ("a broker down for minutes" becomes many reconnect
 * attempts within a second or two). Waits poll with deadlines; nothing asserts how fast something is, except that
 * calls made while the broker is down return within their bound.
 */
abstract class MqttStatusOutputBrokerContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The brokers' certificate names localhost only (no IP address), so connecting to 127.0.0.1 must fail the host check. */
    private static final SelfSignedCertificate CERT = SelfSignedCertificate.generate(List.of("localhost"));

    @TempDir
    Path dir;

    TestBroker broker;
    String prefix;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** A new, not yet started broker presenting {@code certificate} on its TLS port. */
    abstract TestBroker newBroker(SelfSignedCertificate certificate, Path dir);

    /** Whether the broker sets the RETAIN flag on retained messages it sends to a new subscription (MQTT 3.1.1, 3.3.1.3). */
    boolean flagsRetainedMessagesOnSubscribe() {
        return true;
    }

    @BeforeEach
    void startBroker(TestInfo info) {
        broker = newBroker(CERT, dir);
        broker.start();
        // one prefix per test: its own topics, its own client id
        prefix = "tc-" + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "").substring(0, 12)
                + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (broker != null) { // null when the broker's test class was skipped
            broker.close();
        }
    }

    // ------------------------------------------------------------------------------------------------------

    @Test
    void publishesRetainedJsonStateAndOnlineAvailability() throws Exception {
        MqttStatusOutput out = open(entry(false));
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD)));

        TestSubscriber sub = subscriber(List.of(prefix + "/#"));
        JsonNode state = JSON.readTree(sub.await(prefix + "/0001/state", WAIT));
        assertThat(state.get("user").asText()).isEqualTo("0001");
        assertThat(state.get("label").asText()).isEqualTo("Anna 0001");
        assertThat(state.get("availability").asText()).isEqualTo("Busy");
        assertThat(state.get("activity").asText()).isEqualTo("InACall");
        assertThat(state.get("category").asText()).isEqualTo("IN_A_CALL");
        assertThat(state.get("busy").asBoolean()).isTrue();
        assertThat(state.get("wantedDnd").asBoolean()).isTrue();
        assertThat(state.get("pbxDnd").asBoolean()).isTrue();
        assertThat(state.get("hold").asText()).isEqualTo("held");
        assertThat(state.get("reason").asText()).isEqualTo("in a Teams call");
        assertThat(state.get("at").asText()).isEqualTo("2026-12-02T10:15:30Z");
        assertThat(sub.await(prefix + "/availability", WAIT)).isEqualTo("online");
        if (flagsRetainedMessagesOnSubscribe()) {
            assertThat(sub.messagesOn(prefix + "/0001/state")).allSatisfy(m -> assertThat(m.retained()).isTrue());
        }
    }

    @Test
    void unknownFieldsArePresentAsNull() throws Exception {
        MqttStatusOutput out = open(entry(false));
        out.publish(List.of(new OutputStatus("0002", null, null, null, null, null, null, null, null, null,
                Instant.parse("2026-12-02T10:00:00Z"))));
        JsonNode state = JSON.readTree(subscriber(List.of(prefix + "/#")).await(prefix + "/0002/state", WAIT));
        assertThat(state.get("label").asText()).isEqualTo("0002");
        for (String f : List.of("teamsUserId", "availability", "activity", "category", "wantedDnd", "pbxDnd", "hold", "reason")) {
            assertThat(state.has(f)).as(f).isTrue();
            assertThat(state.get(f).isNull()).as(f).isTrue();
        }
        assertThat(state.get("busy").asBoolean()).isFalse();
    }

    @Test
    void homeAssistantDiscoveryAnnouncesASensorAndABinarySensorPerUser() throws Exception {
        MqttStatusOutput out = open(entry(true));
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD)));

        TestSubscriber sub = subscriber(List.of("homeassistant/#", prefix + "/#"));
        String node = prefix.replaceAll("[^A-Za-z0-9_-]", "_");
        JsonNode sensor = JSON.readTree(sub.await("homeassistant/sensor/" + node + "/0001_presence/config", WAIT));
        JsonNode binary = JSON.readTree(sub.await("homeassistant/binary_sensor/" + node + "/0001_busy/config", WAIT));
        for (JsonNode config : List.of(sensor, binary)) {
            assertThat(config.get("state_topic").asText()).isEqualTo(prefix + "/0001/state");
            assertThat(config.get("json_attributes_topic").asText()).isEqualTo(prefix + "/0001/state");
            assertThat(config.get("availability_topic").asText()).isEqualTo(prefix + "/availability");
            assertThat(config.get("payload_available").asText()).isEqualTo("online");
            assertThat(config.get("payload_not_available").asText()).isEqualTo("offline");
            assertThat(config.get("device").get("identifiers").get(0).asText()).isEqualTo("teamsconnect_" + node + "_0001");
            assertThat(config.get("device").get("name").asText()).isEqualTo("Anna 0001");
            assertThat(config.get("device").get("manufacturer").asText()).isEqualTo("TeamsConnect");
        }
        assertThat(sensor.get("unique_id").asText()).isEqualTo("teamsconnect_" + node + "_0001_presence");
        assertThat(binary.get("unique_id").asText()).isEqualTo("teamsconnect_" + node + "_0001_busy");
        assertThat(sensor.get("value_template").asText()).contains("value_json.availability");
        assertThat(binary.get("value_template").asText()).contains("value_json.busy");
        assertThat(binary.get("payload_on").asText()).isEqualTo("ON");
        assertThat(binary.get("payload_off").asText()).isEqualTo("OFF");
    }

    @Test
    void aSubscriberThatReconnectsGetsTheLatestRetainedState() throws Exception {
        MqttStatusOutput out = open(entry(false));
        out.publish(List.of(status("0001", "Available", "Available", PresenceCategory.AVAILABLE, false, false, null)));
        TestSubscriber first = subscriber(List.of(prefix + "/#"));
        first.await(prefix + "/0001/state", p -> p.contains("\"Available\""), WAIT);
        first.close();

        out.publish(List.of(status("0001", "Busy", "InAMeeting", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD)));
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD)));

        TestSubscriber again = subscriber(List.of(prefix + "/#"));
        JsonNode state = JSON.readTree(again.await(prefix + "/0001/state", WAIT));
        assertThat(state.get("activity").asText()).isEqualTo("InACall");
        // only the latest is kept for a new subscriber
        assertThat(again.messagesOn(prefix + "/0001/state")).hasSize(1);
    }

    @Test
    void removeDeletesTheRetainedStateAndTheDiscoveredEntities() throws Exception {
        MqttStatusOutput out = open(entry(true));
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD),
                status("0002", "Away", "Away", PresenceCategory.AWAY, false, false, null)));
        String node = prefix.replaceAll("[^A-Za-z0-9_-]", "_");
        TestSubscriber watching = subscriber(List.of("homeassistant/#", prefix + "/#"));
        watching.await(prefix + "/0001/state", WAIT);

        out.remove(List.of("0001"));

        watching.await("homeassistant/sensor/" + node + "/0001_presence/config", String::isEmpty, WAIT);
        watching.await("homeassistant/binary_sensor/" + node + "/0001_busy/config", String::isEmpty, WAIT);
        watching.await(prefix + "/0001/state", String::isEmpty, WAIT);
        // a new subscriber gets no retained message for the removed user, but still the other one's
        TestSubscriber fresh = subscriber(List.of("homeassistant/#", prefix + "/#"));
        fresh.sync(prefix + "/test-marker");
        assertThat(fresh.latest(prefix + "/0001/state")).isNull();
        assertThat(fresh.latest("homeassistant/sensor/" + node + "/0001_presence/config")).isNull();
        assertThat(fresh.latest("homeassistant/binary_sensor/" + node + "/0001_busy/config")).isNull();
        assertThat(fresh.latest(prefix + "/0002/state")).contains("\"Away\"");
        assertThat(fresh.latest("homeassistant/sensor/" + node + "/0002_presence/config")).contains("0002_presence");
    }

    @Test
    void afterABrokerRestartTheOutputReconnectsAndPublishesEverythingAgain() throws Exception {
        MqttStatusOutput out = open(entry(true), fastReconnect());
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD)));
        subscriber(List.of(prefix + "/#")).await(prefix + "/0001/state", WAIT);

        broker.restart(); // without persistence: every retained message is gone

        awaitConnected(out);
        TestSubscriber sub = subscriber(List.of("homeassistant/#", prefix + "/#"));
        assertThat(sub.await(prefix + "/availability", "online"::equals, WAIT)).isEqualTo("online");
        assertThat(sub.await(prefix + "/0001/state", WAIT)).contains("\"InACall\"");
        sub.await("homeassistant/sensor/" + prefix.replaceAll("[^A-Za-z0-9_-]", "_") + "/0001_presence/config", WAIT);
        assertThat(out.reconnects()).isPositive();
    }

    @Test
    void aBrokerDownForLongNeverBlocksTheCallerAndTheOutputRecovers() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        MqttStatusOutput out = open(entry(false), b -> b.reconnectBackoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)))
                .random(new CountingRandom(attempts)));
        out.publish(List.of(status("0001", "Available", "Available", PresenceCategory.AVAILABLE, false, false, null)));

        broker.stop();
        // every call while the broker is down returns (with a retryable failure) within its bound, however long it is down
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int rounds = 0;
        int before = attempts.get();
        do {
            int n = rounds++;
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> assertThatThrownBy(() -> out.publish(List.of(
                    status("0001", "Busy", "InACall" + n, PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD))))
                    .isInstanceOf(RetryableException.class).hasMessageContaining("reconnecting in the background"));
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> assertThatThrownBy(() -> out.remove(List.of("0009")))
                    .isInstanceOf(RetryableException.class));
            TestSubscriber.sleep(20);
        } while ((rounds < 5 || attempts.get() - before < 20) && System.nanoTime() < deadline);
        assertThat(attempts.get() - before).as("reconnect attempts while the broker was down").isGreaterThanOrEqualTo(20);
        int lastRound = rounds - 1;

        broker.start();
        awaitConnected(out);
        // the newest status given while the broker was down is out at once after the reconnect
        TestSubscriber sub = subscriber(List.of(prefix + "/#"));
        assertThat(sub.await(prefix + "/0001/state", p -> p.contains("\"InACall" + lastRound + "\""), WAIT)).isNotNull();
        out.publish(List.of(status("0001", "Away", "Away", PresenceCategory.AWAY, false, false, null)));
        sub.await(prefix + "/0001/state", p -> p.contains("\"Away\""), WAIT);
    }

    @Test
    void aSlowSubscriberDoesNotSlowThePublisher() throws Exception {
        MqttStatusOutput out = open(entry(false));
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        TestSubscriber slow = TestSubscriber.connect(broker, List.of(prefix + "/#"), m -> {
            received.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS); // holds the subscriber's only thread: it takes nothing more
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        toClose.add(slow);
        toClose.add(release::countDown);
        int users = 20;
        int rounds = 25;
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int r = 0; r < rounds; r++) {
                List<OutputStatus> batch = new ArrayList<>();
                for (int u = 0; u < users; u++) {
                    batch.add(status(String.format("%04d", u), "Busy", "round" + r, PresenceCategory.BUSY, true, true, Hold.Kind.HELD));
                }
                out.publish(batch); // acknowledged by the broker, whatever the subscriber does
            }
        });
        assertThat(received.get()).as("the slow subscriber is stuck in its first message").isLessThanOrEqualTo(2);
        TestSubscriber fresh = subscriber(List.of(prefix + "/#"));
        for (int u = 0; u < users; u++) {
            fresh.await(prefix + "/" + String.format("%04d", u) + "/state", p -> p.contains("\"round" + (rounds - 1) + "\""), WAIT);
        }
        release.countDown();
    }

    @Test
    void closePublishesOfflineOnTheAvailabilityTopic() throws Exception {
        MqttStatusOutput out = open(entry(false));
        TestSubscriber sub = subscriber(List.of(prefix + "/#"));
        sub.await(prefix + "/availability", "online"::equals, WAIT);
        out.close();
        sub.await(prefix + "/availability", "offline"::equals, WAIT);
        TestSubscriber later = subscriber(List.of(prefix + "/availability"));
        assertThat(later.await(prefix + "/availability", WAIT)).isEqualTo("offline");
    }

    @Test
    void theLastWillSaysOfflineWhenTheConnectionIsCutAndTheReconnectSaysOnlineAgain() throws Exception {
        CuttableProxy proxy = new CuttableProxy(broker.port());
        toClose.add(proxy);
        Map<String, Object> e = entry(false);
        e.put("url", "tcp://127.0.0.1:" + proxy.port());
        MqttStatusOutput out = open(e, fastReconnect());
        TestSubscriber sub = subscriber(List.of(prefix + "/availability"));
        sub.await(prefix + "/availability", "online"::equals, WAIT);

        proxy.cut(); // no DISCONNECT reaches the broker: it publishes the will

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (sub.messagesOn(prefix + "/availability").stream().noneMatch(m -> m.payload().equals("offline"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no last will: " + sub.messagesOn(prefix + "/availability"));
            }
            TestSubscriber.sleep(10);
        }
        awaitConnected(out);
        sub.await(prefix + "/availability", "online"::equals, WAIT);
        List<String> seen = sub.messagesOn(prefix + "/availability").stream().map(TestSubscriber.Message::payload).toList();
        assertThat(seen.subList(seen.indexOf("offline"), seen.size())).contains("online");
    }

    @Test
    void tlsWithTheBrokersSelfSignedCertificateTrustedExplicitly() throws Exception {
        Path pem = CERT.writePem(dir.resolve("broker-trusted.pem"));
        Map<String, Object> e = entry(false);
        e.put("url", broker.sslUrl("localhost").toString());
        e.put("tls", Map.of("certificate", pem.toString(), "pin", CERT.sha256Fingerprint()));
        MqttStatusOutput out = open(e);
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD)));
        TestSubscriber sub = TestSubscriber.connectTls(broker, List.of(prefix + "/#"));
        toClose.add(sub);
        assertThat(sub.await(prefix + "/0001/state", WAIT)).contains("\"InACall\"");
    }

    @Test
    void tlsRefusesABrokerCertificateThatIsNotTrusted() {
        Map<String, Object> e = entry(false);
        e.put("url", broker.sslUrl("localhost").toString());
        MqttStatusOutput out = build(e, b -> b.connectTimeout(Duration.ofSeconds(3)));
        assertThatThrownBy(out::open).isInstanceOf(RetryableException.class).hasMessageContaining("not connected");
        assertThat(out.isConnected()).isFalse();
    }

    @Test
    void tlsRefusesATrustedCertificateWhoseHostOrPinDoesNotMatch() throws Exception {
        Path own = CERT.writePem(dir.resolve("own.pem"));
        // trusted, but the url names 127.0.0.1 and the certificate only localhost: hostname verification is on
        Map<String, Object> byIp = entry(false);
        byIp.put("url", broker.sslUrl("127.0.0.1").toString());
        byIp.put("tls", Map.of("certificate", own.toString()));
        MqttStatusOutput verifying = build(byIp, b -> b.connectTimeout(Duration.ofSeconds(3)));
        assertThatThrownBy(verifying::open).isInstanceOf(RetryableException.class)
                .hasMessageContaining("SSLHandshakeException").hasMessageContaining("127.0.0.1");
        assertThat(verifying.isConnected()).isFalse();
        // trusted and the right host, but pinned to another certificate
        Map<String, Object> pinned = entry(false);
        pinned.put("url", broker.sslUrl("localhost").toString());
        pinned.put("topicPrefix", prefix + "-pin");
        pinned.put("tls", Map.of("certificate", own.toString(),
                "pin", SelfSignedCertificate.generate(List.of("localhost")).sha256Fingerprint()));
        MqttStatusOutput wrongPin = build(pinned, b -> b.connectTimeout(Duration.ofSeconds(3)));
        assertThatThrownBy(wrongPin::open).isInstanceOf(RetryableException.class)
                .hasMessageContaining("does not match the configured pin (outputs[0].tls.pin)");
        // the same entry with the url's host named in the certificate and no pin connects
        Map<String, Object> right = entry(false);
        right.put("url", broker.sslUrl("localhost").toString());
        right.put("topicPrefix", prefix + "-ok");
        right.put("tls", Map.of("certificate", own.toString()));
        assertThat(open(right).isConnected()).isTrue();
    }

    @Test
    void aRejectedPasswordIsTerminalAndTheRightOneConnects() throws Exception {
        Map<String, Object> bad = entry(false);
        bad.put("username", TestBroker.USER);
        bad.put("password", "wrong-password");
        MqttStatusOutput rejected = build(bad, b -> b.connectTimeout(Duration.ofSeconds(5)));
        assertThatThrownBy(rejected::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("rejected").hasMessageNotContaining("wrong-password");
        assertThatThrownBy(() -> rejected.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL,
                true, true, null)))).isInstanceOf(TerminalException.class);

        Map<String, Object> good = entry(false);
        good.put("username", TestBroker.USER);
        good.put("password", TestBroker.PASSWORD);
        good.put("topicPrefix", prefix + "-ok");
        MqttStatusOutput out = open(good);
        out.publish(List.of(status("0001", "Busy", "InACall", PresenceCategory.IN_A_CALL, true, true, null)));
        assertThat(subscriber(List.of(prefix + "-ok/#")).await(prefix + "-ok/0001/state", WAIT)).contains("InACall");
    }

    // ------------------------------------------------------------------------------------------------------

    Map<String, Object> entry(boolean homeAssistant) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("url", broker.tcpUrl().toString());
        e.put("topicPrefix", prefix);
        e.put("homeAssistant", Boolean.toString(homeAssistant));
        e.put("republishInterval", "5m");
        return e;
    }

    static Consumer<MqttStatusOutput.Builder> fastReconnect() {
        return b -> b.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    MqttStatusOutput build(Map<String, Object> entry, Consumer<MqttStatusOutput.Builder> tuning) {
        MqttStatusOutput out = new MqttOutputProvider().create(new ProviderConfig("outputs[0]", entry), tuning);
        toClose.add(out);
        return out;
    }

    MqttStatusOutput open(Map<String, Object> entry) {
        return open(entry, b -> { });
    }

    MqttStatusOutput open(Map<String, Object> entry, Consumer<MqttStatusOutput.Builder> tuning) {
        MqttStatusOutput out = build(entry, tuning);
        out.open();
        return out;
    }

    TestSubscriber subscriber(List<String> filters) {
        TestSubscriber s = TestSubscriber.connect(broker, filters);
        toClose.add(s);
        return s;
    }

    static void awaitConnected(MqttStatusOutput out) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!out.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the output did not reconnect within " + WAIT);
            }
            TestSubscriber.sleep(10);
        }
    }

    static OutputStatus status(String id, String availability, String activity, PresenceCategory category, Boolean wanted,
                               Boolean pbx, Hold.Kind hold) {
        return new OutputStatus(id, "Anna " + id, "aad-" + id, availability, activity, category, wanted, pbx, hold,
                "in a Teams call", Instant.parse("2026-12-02T10:15:30Z"));
    }

    /** Counts the draws of the reconnect backoff: one per reconnect attempt. */
    static final class CountingRandom extends Random {
        private static final long serialVersionUID = 1L;
        private final transient AtomicInteger draws;

        CountingRandom(AtomicInteger draws) {
            super(42);
            this.draws = draws;
        }

        @Override
        public double nextDouble() {
            draws.incrementAndGet();
            return super.nextDouble();
        }
    }
}
