package dev.teamsconnect.service.http;

import dev.teamsconnect.core.engine.EngineSnapshot;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.SignInPrompt;
import dev.teamsconnect.service.config.ServerConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
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
 * Serves the admin page ({@code /} and its files under {@code /ui/}), {@code /health} (plus {@code /health/live} and
 * {@code /health/ready}), {@code /metrics}, {@code /status} (filtered and paged, see {@link StatusQuery}) and
 * {@code /status/summary} (what the page shows besides the users) over plain HTTP with the JDK's built-in server.
 * Read-only: only GET and HEAD are answered.
 *
 * <p>Bind it to loopback (the default {@code 127.0.0.1}) unless a monitoring host needs it: the page and /status
 * show user names and presence (never credentials). With {@link Builder#auth} credentials, every request except
 * {@code /health*} needs them ({@link EndpointAuth}). Every answer carries a strict Content-Security-Policy (scripts
 * and styles only from this server, no inline script), {@code X-Frame-Options: DENY} and {@code Cache-Control:
 * no-store}. Requests are answered on a small pool of daemon threads
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
    private static final String HTML = "text/html; charset=utf-8";
    /** No inline script or style, nothing from elsewhere, no framing, no forms. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    /** How many mapping problems /status/summary lists (their total is given too). */
    static final int MAPPING_PROBLEMS_SHOWN = 200;
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final StatusProvider status;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final Duration staleAfter;
    private final Duration stallAfter;
    private final int threads;
    private final int queue;
    private final Duration requestTimeout;
    private final EndpointAuth auth;
    private final WebPage web = new WebPage();
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
        this.auth = new EndpointAuth(b.auth);
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
        private ServerConfig.Auth auth = ServerConfig.Auth.NONE;

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

        /** The credentials every request but /health needs (default none: loopback only). */
        public Builder auth(ServerConfig.Auth auth) {
            this.auth = Objects.requireNonNull(auth, "auth");
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
        LOG.info("Status page on http://{}:{}/ (with /health, /metrics and /status){}", bind.contains(":") ? "[" + bind + "]" : bind,
                s.getAddress().getPort(), auth.required() ? "; credentials from server.auth required" : "");
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
            if (!path.startsWith("/health") && !auth.allows(exchange)) {
                auth.challenges().forEach(c -> exchange.getResponseHeaders().add("WWW-Authenticate", c));
                code = send(exchange, 401, JSON, error("credentials required (server.auth)"));
                return;
            }
            code = switch (path) {
                case "/health" -> health(exchange, false, false);
                case "/health/live" -> health(exchange, true, false);
                case "/health/ready" -> health(exchange, false, true);
                case "/metrics" -> send(exchange, 200, PROMETHEUS_TEXT, metrics.scrape());
                case "/status" -> sendStatus(exchange);
                case "/status/summary" -> summary(exchange);
                case "/", "/index.html" -> page(exchange);
                case "/ui/messages" -> send(exchange, 200, JSON, web.messagesJson(WebPage.language(exchange)));
                default -> web.asset(path).isPresent()
                        ? send(exchange, 200, web.asset(path).get().contentType(), web.asset(path).get().body())
                        : send(exchange, 404, JSON, error("no such endpoint; try /, /health, /metrics or /status"));
            };
        } catch (IllegalArgumentException e) {
            // a bad query parameter: the message names it
            if (exchange.getResponseCode() == -1) {
                code = send(exchange, 400, JSON, error(e.getMessage()));
            }
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

    /** The health check for the instance's role: a standby has no sign-in and no cycles. */
    private HealthCheck check(HealthSnapshot snapshot, Instant now) {
        if (status instanceof StatusBoard b && b.role() == dev.teamsconnect.service.status.HaRole.STANDBY) {
            return HealthCheck.evaluateStandby(snapshot, b.roleProblem(), now, stallAfter);
        }
        return HealthCheck.evaluate(snapshot, now, staleAfter, stallAfter);
    }

    /** "UP", "DOWN", or "ready-standby" for a standby that could take over. */
    private String healthStatus(boolean ok, boolean liveOnly) {
        if (!ok) {
            return "DOWN";
        }
        boolean standby = status instanceof StatusBoard b && b.role() == dev.teamsconnect.service.status.HaRole.STANDBY;
        return standby && !liveOnly ? "ready-standby" : "UP";
    }

    /** role and roleSince, with ha.mode active-passive only. */
    private void role(ObjectNode body) {
        if (status instanceof StatusBoard b && b.role() != null) {
            body.put("role", b.role().code());
            body.put("roleSince", iso(b.roleSince()));
        }
    }

    private int health(HttpExchange exchange, boolean liveOnly, boolean readyOnly) throws IOException {
        HealthSnapshot snapshot = status.health();
        Instant now = clock.instant();
        HealthCheck check = check(snapshot, now);
        boolean ok = liveOnly ? check.live() : check.ready();
        ObjectNode body = json.createObjectNode();
        body.put("status", healthStatus(ok, liveOnly));
        body.put("live", check.live());
        body.put("ready", check.ready());
        role(body);
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

    private int page(HttpExchange exchange) throws IOException {
        String lang = WebPage.language(exchange);
        if (WebPage.requested(exchange).isPresent()) {
            exchange.getResponseHeaders().add("Set-Cookie", WebPage.COOKIE + "=" + lang
                    + "; Path=/; Max-Age=31536000; SameSite=Strict; HttpOnly");
        }
        exchange.getResponseHeaders().set("Vary", "Accept-Language, Cookie");
        exchange.getResponseHeaders().set("Content-Language", lang);
        return send(exchange, 200, HTML, web.page(lang));
    }

    /**
     * Streams /status: with 50,000 users and no filter the document is about 30 MB, which is never held in memory as
     * a whole (one tree plus one string plus one byte array of it would be tens of MB per request). The query's
     * filters and page are applied on the server ({@link StatusQuery}); {@code total} counts all users, {@code matched}
     * those that pass the filters, {@code count} those in this answer.
     */
    private int sendStatus(HttpExchange exchange) throws IOException {
        StatusQuery query = StatusQuery.parse(exchange.getRequestURI().getRawQuery());
        List<UserStatus> all = status.users();
        List<UserStatus> matching = new java.util.ArrayList<>();
        for (UserStatus u : all) {
            if (query.filter.test(u)) {
                matching.add(u);
            }
        }
        int from = (int) Math.min(matching.size(), (long) query.offset);
        int to = (int) Math.min(matching.size(), (long) from + query.limit);
        List<UserStatus> users = matching.subList(from, to);
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
            g.writeBooleanField("holdsLoaded", !(status instanceof StatusBoard b) || b.holdsKnown());
            if (status instanceof StatusBoard b && b.role() != null) {
                g.writeStringField("role", b.role().code());
                g.writeStringField("roleSince", iso(b.roleSince()));
            }
            g.writeNumberField("total", all.size());
            g.writeNumberField("matched", matching.size());
            g.writeNumberField("offset", from);
            if (query.paged) {
                g.writeNumberField("limit", query.limit);
            }
            g.writeArrayFieldStart("users");
            for (UserStatus u : users) {
                writeUser(g, u);
            }
            g.writeEndArray();
            g.writeNumberField("count", users.size());
            g.writeEndObject();
        }
        return 200;
    }

    /** Every field is written explicitly: nothing that is added to UserStatus later reaches /status by accident. */
    private static void writeUser(JsonGenerator g, UserStatus u) throws IOException {
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
        g.writeStringField("pbxDndKnown", u.pbxDndAt() == null ? "not-read-yet" : u.pbxDndWritten() ? "written" : "read");
        g.writeStringField("pbxDndAt", iso(u.pbxDndAt()));
        g.writeBooleanField("held", u.held());
        g.writeStringField("holdKind", u.holdKind());
        g.writeStringField("holdSince", u.hold() == null ? null : iso(u.hold().since()));
        g.writeFieldName("priorDnd");
        if (u.hold() == null) {
            g.writeNull();
        } else {
            g.writeBoolean(u.hold().priorDnd());
        }
        g.writeStringField("dndReason", u.dndReason().code());
        g.writeStringField("dndReasonText", u.dndReasonText());
        g.writeStringField("problem", u.problem());
        g.writeStringField("lastKind", u.lastKind() == null ? null : u.lastKind().name());
        g.writeStringField("lastChange", iso(u.lastChange()));
        g.writeStringField("lastReason", u.lastReason());
        dev.teamsconnect.core.spi.TeamsSession session = u.teamsSession();
        if (session == null) {
            g.writeNullField("teamsSession");
        } else {
            g.writeObjectFieldStart("teamsSession");
            g.writeStringField("cause", session.cause().code());
            g.writeStringField("presence", session.availability().wireValue() + "/" + session.activity().wireValue());
            g.writeStringField("since", iso(session.since()));
            g.writeStringField("expires", iso(session.expiresAt()));
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** /status/summary: health, sign-in, the prompt, the last cycle, counts, mapping problems, recent changes, charts. */
    private int summary(HttpExchange exchange) throws IOException {
        StatusQuery.params(exchange.getRequestURI().getRawQuery()).keySet().forEach(k -> {
            throw new IllegalArgumentException("/status/summary takes no parameter, but got \"" + k + "\"");
        });
        Instant now = clock.instant();
        HealthSnapshot snapshot = status.health();
        HealthCheck check = check(snapshot, now);
        ObjectNode body = json.createObjectNode();
        body.put("generatedAt", iso(now));
        ObjectNode health = body.putObject("health");
        health.put("status", healthStatus(check.ready(), false));
        health.put("live", check.live());
        health.put("ready", check.ready());
        role(health);
        health.put("running", snapshot.running());
        health.put("lastCycle", iso(snapshot.lastCycle()));
        health.put("lastSuccessfulCycle", iso(snapshot.lastSuccessfulCycle()));
        ArrayNode problems = health.putArray("problems");
        check.problems().forEach(problems::add);
        EngineSnapshot.SecondSync second = status.secondSync();
        if (second.suspected(now)) {
            problems.add(second.hint());
        }
        ObjectNode secondSync = body.putObject("secondSync");
        secondSync.put("foreignChanges", second.foreignChanges());
        secondSync.put("inStep", second.inStep());
        secondSync.put("suspectedAt", iso(second.suspectedAt()));
        secondSync.put("hint", second.hint());
        EngineSnapshot.Sessions sessions = status.teamsSessions();
        if (sessions.problem() != null) {
            problems.add("Teams presence cannot be written (pbxToTeams): " + sessions.problem());
        }
        ObjectNode teamsSessions = body.putObject("teamsSessions");
        teamsSessions.put("active", sessions.active());
        teamsSessions.put("set", sessions.set());
        teamsSessions.put("renewed", sessions.renewed());
        teamsSessions.put("cleared", sessions.cleared());
        teamsSessions.put("failed", sessions.failed());
        teamsSessions.put("problem", sessions.problem());
        body.set("source", side(snapshot.source()));
        body.set("sink", side(snapshot.sink()));
        ArrayNode outputs = body.putArray("outputs");
        for (dev.teamsconnect.core.output.OutputStats o : status.outputs()) {
            ObjectNode n = outputs.addObject();
            n.put("name", o.name());
            n.put("type", o.type());
            n.put("delivered", o.delivered());
            n.put("failed", o.failed());
            n.put("queued", o.queued());
            n.put("removed", o.removed());
            n.put("dropped", o.dropped());
            n.put("failing", o.failing());
            n.put("lastDeliveredAt", iso(o.lastDeliveredAt()));
            n.put("lastError", o.lastError());
            n.put("lastErrorAt", iso(o.lastErrorAt()));
        }
        SignInPrompt prompt = status.signInPrompt().orElse(null);
        if (prompt == null) {
            body.putNull("signInPrompt");
        } else {
            ObjectNode p = body.putObject("signInPrompt");
            p.put("userCode", prompt.userCode());
            p.put("verificationUri", prompt.verificationUri());
            p.put("expiresAt", iso(prompt.expiresAt()));
            p.put("message", prompt.message());
        }
        CycleReport r = status.lastReport();
        if (r == null) {
            body.putNull("lastCycle");
        } else {
            ObjectNode c = body.putObject("lastCycle");
            c.put("cycle", r.cycle());
            c.put("startedAt", iso(r.startedAt()));
            c.put("durationMs", r.duration().toMillis());
            c.put("success", r.success());
            c.put("matched", r.matched());
            c.put("presenceRead", r.presenceRead());
            c.put("skipped", r.skipped());
            c.put("stateReads", r.stateReads());
            c.put("writes", r.writes());
            c.put("failures", r.failures());
            c.put("holds", r.holds());
            ArrayNode errors = c.putArray("errors");
            r.errors().forEach(errors::add);
        }
        ObjectNode counts = body.putObject("counts");
        int users = 0;
        int held = 0;
        int manual = 0;
        int dndOn = 0;
        int notRead = 0;
        int withProblem = 0;
        java.util.Map<String, Integer> byCategory = new java.util.TreeMap<>();
        for (UserStatus u : status.users()) {
            users++;
            if (u.held()) {
                held++;
                if ("manual".equals(u.holdKind())) {
                    manual++;
                }
            }
            if (Boolean.TRUE.equals(u.pbxDnd())) {
                dndOn++;
            }
            if (u.pbxDnd() == null) {
                notRead++;
            }
            if (u.problem() != null) {
                withProblem++;
            }
            byCategory.merge(u.category() == null ? "none" : u.category().code(), 1, Integer::sum);
        }
        counts.put("users", users);
        counts.put("held", held);
        counts.put("manual", manual);
        counts.put("dndOn", dndOn);
        counts.put("dndNotReadYet", notRead);
        counts.put("problems", withProblem);
        ObjectNode cats = counts.putObject("byCategory");
        byCategory.forEach(cats::put);
        body.set("mapping", mapping(status.mapping()));
        ArrayNode recent = body.putArray("recentChanges");
        for (StatusBoard.Change ch : status.recentChanges()) {
            ObjectNode n = recent.addObject();
            n.put("at", iso(ch.at()));
            n.put("kind", ch.kind().name());
            n.put("pbxUserId", ch.pbxUserId());
            n.put("user", ch.user());
            n.put("reason", ch.reason());
        }
        ArrayNode cycles = body.putArray("cycles");
        for (StatusBoard.CyclePoint p : status.cycles()) {
            ObjectNode n = cycles.addObject();
            n.put("at", iso(p.at()));
            n.put("durationMs", p.duration().toMillis());
            n.put("success", p.success());
            n.put("writes", p.writes());
            if (p.toPbx() == null) {
                n.putNull("toPbxMs");
            } else {
                n.put("toPbxMs", p.toPbx().toMillis());
            }
        }
        return send(exchange, 200, JSON, json.writeValueAsBytes(body));
    }

    /** The mapping problems, each with what to fix (the page words it from {@code type}). */
    private ObjectNode mapping(MappingReport m) {
        ObjectNode n = json.createObjectNode();
        if (m == null) {
            n.put("known", false);
            return n;
        }
        n.put("known", true);
        n.put("matched", m.matched().size());
        n.put("unmatchedTeams", m.unmatchedTeams().size());
        n.put("unmatchedPbx", m.unmatchedPbx().size());
        n.put("ambiguous", m.ambiguous().size());
        n.put("overrideProblems", m.overrideProblems().size());
        int total = m.ambiguous().size() + m.overrideProblems().size() + m.unmatchedTeams().size() + m.unmatchedPbx().size();
        n.put("problemCount", total);
        ArrayNode list = n.putArray("problems");
        for (MappingReport.AmbiguousMatch a : m.ambiguous()) {
            if (list.size() < MAPPING_PROBLEMS_SHOWN) {
                ObjectNode p = list.addObject();
                p.put("type", "ambiguous");
                p.put("address", a.address());
                p.put("teamsUsers", a.teamsUsers().size());
                p.put("pbxUsers", a.pbxUsers().size());
                p.put("text", a.problem());
            }
        }
        for (String o : m.overrideProblems()) {
            if (list.size() < MAPPING_PROBLEMS_SHOWN) {
                list.addObject().put("type", "override").put("text", o);
            }
        }
        for (TeamsUser u : m.unmatchedTeams()) {
            if (list.size() < MAPPING_PROBLEMS_SHOWN) {
                list.addObject().put("type", "unmatchedTeams").put("user", u.label())
                        .put("address", u.mail() != null ? u.mail() : u.userPrincipalName());
            }
        }
        for (PbxUser u : m.unmatchedPbx()) {
            if (list.size() < MAPPING_PROBLEMS_SHOWN) {
                list.addObject().put("type", u.email() == null ? "pbxWithoutEmail" : "unmatchedPbx").put("user", u.label())
                        .put("address", u.email());
            }
        }
        return n;
    }

    private String error(String message) {
        return json.createObjectNode().put("error", message).toString();
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static void headers(HttpExchange exchange, String contentType) {
        var h = exchange.getResponseHeaders();
        h.set("Content-Type", contentType);
        // user data: never cached, never framed, nothing loaded from elsewhere
        h.set("Cache-Control", "no-store");
        h.set("Pragma", "no-cache");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Content-Security-Policy", CSP);
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
    }

    private static int send(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        return send(exchange, code, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static int send(HttpExchange exchange, int code, String contentType, byte[] bytes) throws IOException {
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
