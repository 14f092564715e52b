package dev.teamsconnect.examples.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
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
 * verifies the timestamp and signature of each POST (401 when wrong), records the accepted bodies and keeps the
 * latest status per user (a {@code presence.removed} body forgets the user). Tests can script answers (e.g. two
 * 503s), play a receiver that is down (503 for everything) and hold requests on a gate to play a slow receiver.
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
    private final java.util.Map<String, OutputStatus> latest = new java.util.HashMap<>();
    private volatile boolean down;
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

    /** Answers 503 to everything (after reading the body) until {@link #up()}. */
    void down() {
        down = true;
    }

    void up() {
        down = false;
    }

    /** The latest status the receiver holds for this user, decoded from the body, or empty. */
    synchronized Optional<OutputStatus> latest(String pbxUserId) {
        return Optional.ofNullable(latest.get(pbxUserId));
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
                    exchange.getRequestHeaders().getFirst(WebhookStatusOutput.TIMESTAMP_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookStatusOutput.SIGNATURE_HEADER),
                    body, clock.instant().getEpochSecond(), 300);
            if (!valid) {
                rejectedSignatures.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            int status;
            synchronized (this) {
                Integer next = scripted.poll();
                status = down ? 503 : next == null ? 204 : next;
                if (status >= 200 && status < 300) {
                    JsonNode json = JSON.readTree(body);
                    accepted.add(new Received(exchange.getRequestHeaders().getFirst(WebhookStatusOutput.DELIVERY_HEADER),
                            body, json));
                    String user = json.path("user").path("id").asText();
                    if ("presence.removed".equals(json.path("event").asText())) {
                        latest.remove(user);
                    } else {
                        latest.put(user, decode(json));
                    }
                }
            }
            String wait = retryAfter;
            if (wait != null && (status < 200 || status >= 300)) {
                exchange.getResponseHeaders().set("Retry-After", wait);
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /** A status body back into an {@link OutputStatus}: what a receiver understands of it. */
    static OutputStatus decode(JsonNode json) {
        JsonNode user = json.get("user");
        JsonNode presence = json.get("presence");
        JsonNode dnd = json.get("dnd");
        return new OutputStatus(user.get("id").asText(), text(user.get("label")), text(user.get("teamsId")),
                presence.isNull() ? null : text(presence.get("availability")),
                presence.isNull() ? null : text(presence.get("activity")),
                json.get("category").isNull() ? null : PresenceCategory.fromCode(json.get("category").asText()),
                bool(dnd.get("wanted")), bool(dnd.get("pbx")),
                json.get("hold").isNull() ? null : Hold.Kind.fromCode(json.get("hold").asText()),
                text(json.get("reason")), Instant.parse(json.get("at").asText()));
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Boolean bool(JsonNode n) {
        return n == null || n.isNull() ? null : n.asBoolean();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
