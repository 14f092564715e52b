package dev.teamsconnect.examples.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver for tests, as a real one would be written: JDK HttpServer on 127.0.0.1 (ephemeral port) that
 * verifies the timestamp and signature of each POST (401 when wrong) and records the accepted events. Tests can
 * script answers (e.g. two 503s) and hold requests on a gate to play a slow receiver.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One accepted (signature-verified) request. */
    record Received(String deliveryId, String body, JsonNode json) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final WebhookSigner signer;
    private final Clock clock;
    private final List<Received> accepted = new ArrayList<>();
    private final Deque<Integer> scripted = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger rejectedSignatures = new AtomicInteger();
    private volatile String retryAfter;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile CountDownLatch firstRequestArrived = new CountDownLatch(1);

    WebhookReceiver(String secret, Clock clock) throws IOException {
        this.signer = new WebhookSigner(new WebhookSettings.Secret(secret));
        this.clock = clock;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks/teams", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/teams");
    }

    /** The next requests get these statuses (after verification), in order; then 204 again. */
    synchronized void answerNext(Integer... statuses) {
        scripted.addAll(List.of(statuses));
    }

    /** Answers other than 2xx carry this {@code Retry-After} header from now on ({@code null}: none). */
    void retryAfter(String value) {
        retryAfter = value;
    }

    /** Holds every request until {@link #release()}. */
    void holdRequests() {
        gate = new CountDownLatch(1);
        firstRequestArrived = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    boolean awaitFirstHeldRequest() throws InterruptedException {
        return firstRequestArrived.await(10, TimeUnit.SECONDS);
    }

    synchronized List<Received> accepted() {
        return List.copyOf(accepted);
    }

    int requests() {
        return requests.get();
    }

    int rejectedSignatures() {
        return rejectedSignatures.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            firstRequestArrived.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            boolean valid = "POST".equals(exchange.getRequestMethod()) && signer.verify(
                    exchange.getRequestHeaders().getFirst(WebhookPbxSink.TIMESTAMP_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookPbxSink.SIGNATURE_HEADER),
                    body, clock.instant().getEpochSecond(), 300);
            if (!valid) {
                rejectedSignatures.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            int status;
            synchronized (this) {
                Integer next = scripted.poll();
                status = next == null ? 204 : next;
                if (status >= 200 && status < 300) {
                    accepted.add(new Received(exchange.getRequestHeaders().getFirst(WebhookPbxSink.DELIVERY_HEADER),
                            body, JSON.readTree(body)));
                }
            }
            String wait = retryAfter;
            if (wait != null && (status < 200 || status >= 300)) {
                exchange.getResponseHeaders().set("Retry-After", wait);
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
