package dev.teamsconnect.service.http;

import com.fasterxml.jackson.core.JsonGenerator;
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
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /health} (plus {@code /health/live} and {@code /health/ready}), {@code /metrics} and
 * {@code /status} over plain HTTP with the JDK's built-in server. Read-only: only GET and HEAD are answered.
 *
 * <p>Bind it to loopback (the default {@code 127.0.0.1}) unless a monitoring host needs it: /status shows user
 * names and presence (never credentials). Requests are answered on a small pool of daemon threads
 * ({@link Builder#threads}); an exchange that holds a thread longer than {@link Builder#requestTimeout} (a client
 * that sends its headers or reads the answer slowly) is cut off, so slow clients cannot keep /health/live from
 * answering. Loading this class sets the JDK server's request-read limit unless it is set already (see
 * {@link JdkServerLimits}). {@link #close()} stops the server at once.
 */
public final class StatusHttpServer implements AutoCloseable {

    static {
        // before the first HttpServer of the JVM is created: the JDK reads these once
        JdkServerLimits.applyDefaults();
    }

    private static final Logger LOG = LoggerFactory.getLogger(StatusHttpServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final StatusProvider status;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final Duration staleAfter;
    private final Duration stallAfter;
    private final int threads;
    private final int queue;
    private final Duration requestTimeout;
    private final ObjectMapper json = new ObjectMapper();
    private HttpServer server;
    private ExchangeExecutor executor;

    /**
     * A server with the default stall limit ({@link HealthCheck#DEFAULT_STALL_AFTER}), threads and request timeout.
     *
     * @param status     what /health and /status show
     * @param metrics    what /metrics shows
     * @param clock      for the age of the last cycle and of the last progress
     * @param staleAfter how old the last successful cycle may be while ready (see {@link HealthCheck#staleAfter})
     */
    public StatusHttpServer(StatusProvider status, ServiceMetrics metrics, Clock clock, Duration staleAfter) {
        this(builder(status, metrics).clock(clock).staleAfter(staleAfter));
    }

    private StatusHttpServer(Builder b) {
        this.status = b.status;
        this.metrics = b.metrics;
        this.clock = b.clock;
        this.staleAfter = b.staleAfter;
        this.stallAfter = b.stallAfter;
        this.threads = b.threads;
        this.queue = b.queue;
        this.requestTimeout = b.requestTimeout;
    }

    /**
     * @param status  what /health and /status show
     * @param metrics what /metrics shows
     */
    public static Builder builder(StatusProvider status, ServiceMetrics metrics) {
        return new Builder(status, metrics);
    }

    /** Builds a {@link StatusHttpServer}; every setter checks its value. */
    public static final class Builder {
        private final StatusProvider status;
        private final ServiceMetrics metrics;
        private Clock clock = Clock.systemUTC();
        private Duration staleAfter = Duration.ofMinutes(1);
        private Duration stallAfter = HealthCheck.DEFAULT_STALL_AFTER;
        private int threads = 8;
        private int queue = 32;
        private Duration requestTimeout = Duration.ofSeconds(10);

        private Builder(StatusProvider status, ServiceMetrics metrics) {
            this.status = Objects.requireNonNull(status, "status");
            this.metrics = Objects.requireNonNull(metrics, "metrics");
        }

        /** For the age of the last cycle and of the last progress (default the system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How old the last successful cycle may be while ready (default 1 minute, see {@link HealthCheck#staleAfter}). */
        public Builder staleAfter(Duration staleAfter) {
            this.staleAfter = HealthCheck.requirePositive("staleAfter", staleAfter);
            return this;
        }

        /**
         * How long the running loop may go without progress while live: the cycle deadline (default
         * {@link HealthCheck#DEFAULT_STALL_AFTER}).
         */
        public Builder stallAfter(Duration stallAfter) {
            this.stallAfter = HealthCheck.requirePositive("stallAfter", stallAfter);
            return this;
        }

        /** How many requests are answered at once (default 8). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** How many connections may wait for a thread (default 32); more are closed at once. */
        public Builder queue(int queue) {
            if (queue < 1) {
                throw new IllegalArgumentException("queue must be >= 1, but was " + queue);
            }
            this.queue = queue;
            return this;
        }

        /**
         * How long one request may hold a thread, from its first byte to the last byte of the answer (default
         * 10 seconds); a slower connection is closed.
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = HealthCheck.requirePositive("requestTimeout", requestTimeout);
            return this;
        }

        public StatusHttpServer build() {
            return new StatusHttpServer(this);
        }
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
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
        ExchangeExecutor e = new ExchangeExecutor(threads, queue, requestTimeout, "teamsconnect-http");
        s.setExecutor(e);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        executor = e;
        LOG.info("Endpoints /health, /metrics and /status on http://{}:{}/", bind, s.getAddress().getPort());
        LOG.debug("Endpoint limits: {} threads, {} waiting, {} per request, JDK server {}={}s", threads, queue,
                requestTimeout, JdkServerLimits.MAX_REQ_TIME, System.getProperty(JdkServerLimits.MAX_REQ_TIME));
        return s.getAddress();
    }

    /** How many requests were cut off because they held a thread longer than the request timeout. */
    public synchronized long requestsCutOff() {
        return executor == null ? 0 : executor.cutOff();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.close();
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
                case "/status" -> sendStatus(exchange);
                default -> send(exchange, 404, JSON, error("no such endpoint; try /health, /metrics or /status"));
            };
        } catch (RuntimeException e) {
            LOG.warn("Endpoint {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
            if (exchange.getResponseCode() == -1) {
                code = send(exchange, 500, JSON, error("internal error"));
            }
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
        HealthCheck check = HealthCheck.evaluate(snapshot, now, staleAfter, stallAfter);
        boolean ok = liveOnly ? check.live() : check.ready();
        ObjectNode body = json.createObjectNode();
        body.put("status", ok ? "UP" : "DOWN");
        body.put("live", check.live());
        body.put("ready", check.ready());
        if (liveOnly) {
            if (!check.live()) {
                body.put("reason", check.notLiveBecause());
            }
        } else {
            body.put("lastSuccessfulCycle", iso(snapshot.lastSuccessfulCycle()));
            if (snapshot.lastSuccessfulCycle() == null) {
                body.putNull("secondsSinceLastSuccessfulCycle");
            } else {
                body.put("secondsSinceLastSuccessfulCycle", Duration.between(snapshot.lastSuccessfulCycle(), now).toSeconds());
            }
            body.put("lastCycle", iso(snapshot.lastCycle()));
            body.put("lastProgress", iso(snapshot.lastSignOfProgress()));
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

    /**
     * Streams /status: with 50,000 users the document is about 16 MB, which is never held in memory as a whole
     * (one tree plus one string plus one byte array of it would be tens of MB per request).
     */
    private int sendStatus(HttpExchange exchange) throws IOException {
        List<UserStatus> users = status.users();
        headers(exchange, JSON);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(200, -1);
            return 200;
        }
        exchange.sendResponseHeaders(200, 0);
        try (JsonGenerator g = json.getFactory().createGenerator(new BufferedOutputStream(exchange.getResponseBody(), 1 << 16))) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("generatedAt", iso(clock.instant()));
            g.writeArrayFieldStart("users");
            for (UserStatus u : users) {
                // every field is written explicitly: nothing that is added to UserStatus later reaches /status by accident
                g.writeStartObject();
                g.writeStringField("pbxUserId", u.pbxUserId());
                g.writeStringField("pbxLogin", u.pbxLogin());
                g.writeStringField("teamsUser", u.teamsUser());
                g.writeStringField("displayName", u.displayName());
                g.writeStringField("availability", u.availability());
                g.writeStringField("activity", u.activity());
                g.writeStringField("category", u.category() == null ? null : u.category().code());
                g.writeFieldName("pbxDnd");
                if (u.pbxDnd() == null) {
                    g.writeNull();
                } else {
                    g.writeBoolean(u.pbxDnd());
                }
                g.writeBooleanField("held", u.held());
                g.writeStringField("lastChange", iso(u.lastChange()));
                g.writeStringField("lastReason", u.lastReason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("count", users.size());
            g.writeEndObject();
        }
        return 200;
    }

    private String error(String message) {
        return json.createObjectNode().put("error", message).toString();
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static void headers(HttpExchange exchange, String contentType) {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    }

    private static int send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers(exchange, contentType);
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
