package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.testkit.StatusOutputCompatibilityKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/**
 * The webhook output against the compatibility kit, with a real HTTP receiver that verifies every signature and
 * keeps the latest status per user. "Down" is a receiver that answers 503 to everything.
 */
class WebhookStatusOutputCompatibilityTest extends StatusOutputCompatibilityKit {

    private static final String SECRET = "compat-kit-secret-0123456789";

    private WebhookReceiver receiver;

    @Override
    protected StatusOutput createOutput() {
        try {
            receiver = new WebhookReceiver(SECRET, Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new WebhookOutputProvider().create(new ProviderConfig("outputs[0]",
                Map.of("url", receiver.url().toString(), "secret", SECRET, "timeout", "5s")));
    }

    @Override
    protected Optional<OutputStatus> received(String pbxUserId) {
        if (receiver.rejectedSignatures() > 0) {
            throw new AssertionError("the receiver rejected " + receiver.rejectedSignatures() + " signature(s)");
        }
        return receiver.latest(pbxUserId);
    }

    @Override
    protected boolean canTakeReceiverDown() {
        return true;
    }

    @Override
    protected void takeReceiverDown() {
        receiver.down();
    }

    @Override
    protected void bringReceiverBack() {
        receiver.up();
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.close();
        }
    }
}
