package dev.teamsconnect.examples.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.PbxSinkCompatibilityKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The webhook sink against the compatibility kit, with a real HTTP receiver that verifies every signature.
 * A webhook has no phone: a "manual change" is what {@link WebhookPbxSink#reportExternalChange} feeds in, and the
 * backend's DND is the last verified event the receiver got (or the seeded value before any event).
 */
class WebhookPbxSinkCompatibilityTest extends PbxSinkCompatibilityKit {

    private static final String SECRET = "compat-kit-secret-0123456789";

    private WebhookReceiver receiver;
    private WebhookPbxSink sink;
    /** The receiver's view: seeded values, then verified events and out-of-band changes in order. */
    private final Map<String, Boolean> backend = new HashMap<>();
    private int eventsSeen;

    @Override
    protected PbxSink createSink(List<SeedUser> users) {
        try {
            receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Map<String, Object>> configured = new java.util.ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            SeedUser u = users.get(i);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", "u" + (i + 1));
            entry.put("login", u.login());
            entry.put("email", u.email());
            entry.put("name", u.displayName());
            entry.put("dnd", u.dnd());
            configured.add(entry);
            backend.put("u" + (i + 1), u.dnd());
        }
        sink = (WebhookPbxSink) new WebhookSinkProvider().create(new ProviderConfig("webhook", Map.of(
                "url", receiver.url().toString(), "secret", SECRET, "timeout", "5s", "users", configured)));
        return sink;
    }

    @Override
    protected void setDndOutOfBand(PbxUser user, boolean dnd) {
        foldInEvents();
        sink.reportExternalChange(user.id(), sink.readState(user).withDnd(dnd));
        backend.put(user.id(), dnd);
    }

    @Override
    protected boolean backendDnd(PbxUser user) {
        foldInEvents();
        return backend.get(user.id());
    }

    /** Applies the events the receiver verified since the last look, in arrival order. */
    private void foldInEvents() {
        awaitDelivered();
        List<WebhookReceiver.Received> all = receiver.accepted();
        for (; eventsSeen < all.size(); eventsSeen++) {
            var json = all.get(eventsSeen).json();
            backend.put(json.get("user").get("id").asText(), json.get("dnd").asBoolean());
        }
    }

    private void awaitDelivered() {
        try {
            assertThat(sink.awaitIdle(Duration.ofSeconds(10))).as("webhook events delivered").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(receiver.rejectedSignatures()).as("requests with a bad signature").isZero();
    }

    @AfterEach
    void stopReceiver() {
        // Runs before the kit's own @AfterEach: close the sink first, or its last events would meet a closed port.
        if (sink != null) {
            sink.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }
}
