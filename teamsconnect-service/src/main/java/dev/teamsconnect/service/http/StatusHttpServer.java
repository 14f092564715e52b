package dev.teamsconnect.service.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.HealthSnapshot;
import dev.teamsconnect.service.status.SideStatus;
import dev.teamsconnect.service.status.StatusProvider;
import dev.teamsconnect.service.status.UserStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /health} (plus {@code /health/live} and {@code /health/ready}), {@code /metrics} and
 * {@code /status} over plain HTTP with the JDK's built-in server. Read-only: only GET and HEAD are answered.
 *
 * <p>Bind it to loopback (the default {@code 127.0.0.1}) unless a monitoring host needs it: /status shows user
 * names and presence (never credentials). Requests are answered on two daemon threads; {@link #close()} stops
 * the server at once.
 */
public final class StatusHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusHttpServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final StatusProvider status;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final Duration staleAfter;
    private final ObjectMapper json = new ObjectMapper();
    private HttpServer server;
    private ExecutorService executor;

    /**
     * @param status     what /health and /status show
     * @param metrics    what /metrics shows
     * @param clock      for the age of the last cycle
     * @param staleAfter how old the last successful cycle may be while ready (see {@link HealthCheck#staleAfter})
     */
    public StatusHttpServer(StatusProvider status, ServiceMetrics metrics, Clock clock, Duration staleAfter) {
        this.status = Objects.requireNonNull(status, "status");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
    }

    /**
     * Starts listening.
     *
     * @param bind an IP address or host name
     * @param port the port; 0 picks a free one (tests)
     * @return the address actually bound
     * @throws IOException when the address cannot be bound (e.g. the port is in use)
     */
    public synchronized InetSocketAddress start(String bind, int port) throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "teamsconnect-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        LOG.info("Endpoints /health, /metrics and /status on http://{}:{}/", bind, s.getAddress().getPort());
        return s.getAddress();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        long started = System.nanoTime();
        int code = 500;
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                code = send(exchange, 405, JSON, error("method " + method + " is not allowed; use GET"));
                return;
            }
            code = switch (path) {
                case "/health" -> health(exchange, false, false);
                case "/health/live" -> health(exchange, true, false);
                case "/health/ready" -> health(exchange, false, true);
                case "/metrics" -> send(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
                case "/status" -> send(exchange, 200, JSON, statusJson());
                default -> send(exchange, 404, JSON, error("no such endpoint; try /health, /metrics or /status"));
            };
        } catch (RuntimeException e) {
            LOG.warn("Endpoint {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
            code = send(exchange, 500, JSON, error("internal error"));
        } finally {
            exchange.close();
            if (LOG.isDebugEnabled()) {
                LOG.debug("HTTP {} {} from {} -> {} in {} ms", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRemoteAddress().getAddress().getHostAddress(), code,
                        (System.nanoTime() - started) / 1_000_000);
            }
        }
    }

    private int health(HttpExchange exchange, boolean liveOnly, boolean readyOnly) throws IOException {
        HealthSnapshot snapshot = status.health();
        Instant now = clock.instant();
        HealthCheck check = HealthCheck.evaluate(snapshot, now, staleAfter);
        boolean ok = liveOnly ? check.live() : check.ready();
        ObjectNode body = json.createObjectNode();
        body.put("status", ok ? "UP" : "DOWN");
        body.put("live", check.live());
        body.put("ready", check.ready());
        if (!liveOnly) {
            body.put("lastSuccessfulCycle", iso(snapshot.lastSuccessfulCycle()));
            if (snapshot.lastSuccessfulCycle() == null) {
                body.putNull("secondsSinceLastSuccessfulCycle");
            } else {
                body.put("secondsSinceLastSuccessfulCycle", Duration.between(snapshot.lastSuccessfulCycle(), now).toSeconds());
            }
            body.put("lastCycle", iso(snapshot.lastCycle()));
            body.set("source", side(snapshot.source()));
            body.set("sink", side(snapshot.sink()));
            ArrayNode problems = body.putArray("problems");
            check.problems().forEach(problems::add);
        }
        return send(exchange, ok ? 200 : 503, JSON, json.writerWithDefaultPrettyPrinter().writeValueAsString(body));
    }

    private ObjectNode side(SideStatus side) {
        ObjectNode n = json.createObjectNode();
        n.put("id", side.providerId());
        n.put("state", side.state().name());
        n.put("detail", side.detail());
        n.put("since", iso(side.since()));
        return n;
    }

    private String statusJson() throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("generatedAt", iso(clock.instant()));
        ArrayNode users = body.putArray("users");
        for (UserStatus u : status.users()) {
            // every field is written explicitly: nothing that is added to UserStatus later reaches /status by accident
            ObjectNode n = users.addObject();
            n.put("pbxUserId", u.pbxUserId());
            n.put("pbxLogin", u.pbxLogin());
            n.put("teamsUser", u.teamsUser());
            n.put("displayName", u.displayName());
            n.put("availability", u.availability());
            n.put("activity", u.activity());
            n.put("category", u.category() == null ? null : u.category().code());
            if (u.pbxDnd() == null) {
                n.putNull("pbxDnd");
            } else {
                n.put("pbxDnd", u.pbxDnd());
            }
            n.put("held", u.held());
            n.put("lastChange", iso(u.lastChange()));
            n.put("lastReason", u.lastReason());
        }
        body.put("count", users.size());
        return json.writerWithDefaultPrettyPrinter().writeValueAsString(body);
    }

    private String error(String message) {
        return json.createObjectNode().put("error", message).toString();
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static int send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(code, -1);
            return code;
        }
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return code;
    }
}
