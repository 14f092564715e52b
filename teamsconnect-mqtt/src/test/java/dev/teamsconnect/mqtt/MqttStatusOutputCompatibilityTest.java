package dev.teamsconnect.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.testkit.StatusOutputCompatibilityKit;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/**
 * The mqtt output against the compatibility kit, on embedded Moquette; what arrived is read back from the retained
 * state topics by a subscriber. "Down" is the broker stopped (and started again on the same port).
 */
class MqttStatusOutputCompatibilityTest extends StatusOutputCompatibilityKit {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "kit";

    private MoquetteBroker broker;
    private TestSubscriber subscriber;

    @Override
    protected StatusOutput createOutput() {
        broker = new MoquetteBroker(SelfSignedCertificate.forLocalhost());
        broker.start();
        return new MqttOutputProvider().create(new ProviderConfig("outputs[0]",
                        Map.of("url", broker.tcpUrl().toString(), "topicPrefix", PREFIX)),
                b -> b.reconnectBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200))));
    }

    @Override
    protected Optional<OutputStatus> received(String pbxUserId) {
        if (subscriber == null) {
            subscriber = TestSubscriber.connect(broker, List.of(PREFIX + "/#"));
        }
        String payload = subscriber.latest(PREFIX + "/" + MqttTopics.userKey(pbxUserId) + "/state");
        if (payload == null || payload.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(payload);
            return Optional.of(new OutputStatus(n.get("user").asText(), text(n, "label"), text(n, "teamsUserId"),
                    text(n, "availability"), text(n, "activity"),
                    text(n, "category") == null ? null : PresenceCategory.fromCode(text(n, "category")),
                    bool(n, "wantedDnd"), bool(n, "pbxDnd"),
                    text(n, "hold") == null ? null : Hold.Kind.fromCode(text(n, "hold")), text(n, "reason"),
                    Instant.parse(n.get("at").asText())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode n, String f) {
        return n.get(f) == null || n.get(f).isNull() ? null : n.get(f).asText();
    }

    private static Boolean bool(JsonNode n, String f) {
        return n.get(f) == null || n.get(f).isNull() ? null : n.get(f).asBoolean();
    }

    @Override
    protected boolean canTakeReceiverDown() {
        return true;
    }

    @Override
    protected void takeReceiverDown() {
        broker.stop();
    }

    @Override
    protected void bringReceiverBack() {
        broker.start();
        if (subscriber != null) {
            subscriber.close();
            subscriber = null;
        }
    }

    @AfterEach
    void stopBroker() {
        if (subscriber != null) {
            subscriber.close();
        }
        if (broker != null) {
            broker.stop();
        }
    }
}
