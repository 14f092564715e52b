package dev.teamsconnect.examples.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;

/** Lets tests outside this package use the signature-checking {@link WebhookReceiver}. */
public final class WebhookReceiverAccess implements AutoCloseable {

    private final WebhookReceiver receiver;

    private WebhookReceiverAccess(WebhookReceiver receiver) {
        this.receiver = receiver;
    }

    public static WebhookReceiverAccess start(String secret) throws IOException {
        return new WebhookReceiverAccess(new WebhookReceiver(secret, Clock.systemUTC()));
    }

    public URI url() {
        return receiver.url();
    }

    /** Waits (up to 10 s) until at least {@code n} verified events arrived. */
    public boolean awaitEvents(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (receiver.accepted().size() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    public List<JsonNode> events() {
        return receiver.accepted().stream().map(WebhookReceiver.Received::json).toList();
    }

    public int rejected() {
        return receiver.rejectedSignatures();
    }

    @Override
    public void close() {
        receiver.close();
    }
}
