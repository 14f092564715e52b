package dev.teamsconnect.service.metrics;

import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's metrics, served as Prometheus text on /metrics. The engine wiring calls the methods below; each is
 * thread-safe, non-blocking and never throws. Register it as the engine's {@link AuditListener} too: every
 * decision is then counted by kind.
 *
 * <p>Metric names follow the Prometheus conventions (unit in the name, {@code _total} for counters,
 * {@code _timestamp_seconds} for a point in time, {@code _info} for a constant 1 with labels):
 * {@code teamsconnect_cycle_duration_seconds{outcome}}, {@code teamsconnect_graph_requests_total},
 * {@code teamsconnect_graph_throttled_total} (HTTP 429), {@code teamsconnect_pbx_writes_total{outcome}},
 * {@code teamsconnect_holds}, {@code teamsconnect_users}, {@code teamsconnect_errors_total{kind}} (every kind of
 * {@link #KNOWN_ERROR_KINDS} is exported from the start with 0, so alert rules see a series before the first
 * error), {@code teamsconnect_decisions_total{kind}} (every kind from the start, as the errors), {@code teamsconnect_last_successful_cycle_timestamp_seconds}
 * (Unix time, 0 before the first) and {@code teamsconnect_build_info{version,java}} (always 1),
 * {@code teamsconnect_credential_expiry_seconds{side}} (seconds until the configured credential expires, negative
 * once it has; only when the plugin knows, e.g. the Graph source's client certificate).
 */
public final class ServiceMetrics implements AuditListener {

    /** Error kinds beyond this many distinct values are counted as "other", so a bug cannot explode the series. */
    static final int MAX_ERROR_KINDS = 32;

    /** The error kinds the service counts (the observed source and sink), exported with 0 until they happen. */
    public static final java.util.List<String> KNOWN_ERROR_KINDS = java.util.List.of("source_rejected",
            "source_unavailable", "source_error", "pbx_rejected", "pbx_unavailable", "pbx_write");

    private final PrometheusMeterRegistry registry;
    private final Timer cycleSuccess;
    private final Timer cycleFailure;
    private final Counter graphRequests;
    private final Counter graphThrottled;
    private final Counter pbxWritesOk;
    private final Counter pbxWritesFailed;
    private final AtomicLong holds = new AtomicLong();
    private final AtomicLong users = new AtomicLong();
    private final AtomicLong lastSuccessfulCycle = new AtomicLong();
    private final Set<String> errorKinds = ConcurrentHashMap.newKeySet();

    private final AtomicLong secondSyncSuspected = new AtomicLong();
    /** The outputs' state objects: meters hold theirs weakly, so they are kept here for the registry's lifetime. */
    private final java.util.List<Object> outputStates = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicLong haLeader = new AtomicLong(1);
    private final Counter haTakeovers;
    private final Counter haLockLosses;
    private final AtomicLong foreignDndChanges = new AtomicLong();
    private final AtomicLong sessionsActive = new AtomicLong();
    private final Map<String, AtomicLong> sessionCounts = new java.util.LinkedHashMap<>();

    public ServiceMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    ServiceMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        cycleSuccess = cycleTimer("success");
        cycleFailure = cycleTimer("failure");
        graphRequests = Counter.builder("teamsconnect.graph.requests")
                .description("HTTP requests sent to Microsoft Graph (including sign-in and retries)").register(registry);
        graphThrottled = Counter.builder("teamsconnect.graph.throttled")
                .description("Graph responses with HTTP 429 (throttled)").register(registry);
        pbxWritesOk = pbxWrites("success");
        pbxWritesFailed = pbxWrites("failure");
        Gauge.builder("teamsconnect.ha.leader", haLeader, AtomicLong::get)
                .description("1 while this instance writes (always without ha.mode), 0 while it is a standby")
                .register(registry);
        haTakeovers = Counter.builder("teamsconnect.ha.takeovers")
                .description("Times this instance took the lead after waiting as a standby").register(registry);
        haLockLosses = Counter.builder("teamsconnect.ha.lock.losses")
                .description("Times this instance lost the leader lock while leading").register(registry);
        Gauge.builder("teamsconnect.holds", holds, AtomicLong::get)
                .description("Users whose DND the service currently holds (and will restore)").register(registry);
        Gauge.builder("teamsconnect.users", users, AtomicLong::get)
                .description("Users matched between Teams and the PBX").register(registry);
        Gauge.builder("teamsconnect.last.successful.cycle.timestamp", lastSuccessfulCycle, AtomicLong::get)
                .description("Unix time in seconds of the last successful cycle, 0 before the first")
                .baseUnit("seconds").register(registry);
        Gauge.builder("teamsconnect.second.sync.suspected", secondSyncSuspected, AtomicLong::get)
                .description("1 while another presence sync seems to write DND on the PBX (seen within the last hour)")
                .register(registry);
        FunctionCounter.builder("teamsconnect.foreign.dnd.changes", foreignDndChanges, AtomicLong::get)
                .description("DND changes the service did not make, of users it holds or wants DND for")
                .register(registry);
        Gauge.builder("teamsconnect.teams.sessions.active", sessionsActive, AtomicLong::get)
                .description("Presence sessions the service keeps in Teams (pbxToTeams)").register(registry);
        for (String outcome : List.of("set", "renewed", "cleared", "failed")) {
            AtomicLong count = new AtomicLong();
            sessionCounts.put(outcome, count);
            FunctionCounter.builder("teamsconnect.teams.sessions", count, AtomicLong::get)
                    .description("Presence session requests to Teams (pbxToTeams) by outcome: set, renewed, cleared,"
                            + " failed").tag("outcome", outcome).register(registry);
        }
        Gauge.builder("teamsconnect.build.info", () -> 1).description("The running build (always 1)")
                .tag("version", dev.teamsconnect.service.BuildInfo.version())
                .tag("java", System.getProperty("java.version", "unknown")).register(registry);
        for (AuditEvent.Kind kind : AuditEvent.Kind.values()) {
            decisions(kind);
        }
        for (String kind : KNOWN_ERROR_KINDS) {
            errorKinds.add(kind);
            errors(kind);
        }
    }

    private Counter errors(String kind) {
        return Counter.builder("teamsconnect.errors").description("Errors by kind").tag("kind", kind).register(registry);
    }

    private Timer cycleTimer(String outcome) {
        return Timer.builder("teamsconnect.cycle.duration").description("Duration of one sync cycle")
                .tag("outcome", outcome).register(registry);
    }

    private Counter pbxWrites(String outcome) {
        return Counter.builder("teamsconnect.pbx.writes").description("State writes to the PBX")
                .tag("outcome", outcome).register(registry);
    }

    /**
     * Exports the seconds left until {@code side}'s credential expires ({@code notAfter}), read from {@code clock} at
     * each scrape; negative once expired. {@code side} is {@code source} or {@code sink}. Registering the same side
     * again keeps the first.
     */
    public void credentialExpiry(String side, Instant notAfter, java.time.Clock clock) {
        Gauge.builder("teamsconnect.credential.expiry", () -> Duration.between(clock.instant(), notAfter).toSeconds())
                .description("Seconds until the configured credential (e.g. a client certificate) expires; negative once expired")
                .baseUnit("seconds").tag("side", normalise(side)).register(registry);
    }

    /** The registry, for wiring further meters (e.g. JVM metrics). */
    public MeterRegistry registry() {
        return registry;
    }

    /** A cycle ended after {@code duration}; {@code success} false when a whole side failed in it. */
    public void cycleFinished(Duration duration, boolean success, Instant at) {
        (success ? cycleSuccess : cycleFailure).record(duration);
        if (success) {
            lastSuccessfulCycle.set(at.getEpochSecond());
        }
    }

    /** One HTTP request was sent to Graph. */
    public void graphRequest() {
        graphRequests.increment();
    }

    /** Graph answered 429. */
    public void graphThrottled() {
        graphThrottled.increment();
    }

    /** One write to the PBX finished. */
    public void pbxWrite(boolean success) {
        (success ? pbxWritesOk : pbxWritesFailed).increment();
    }

    /**
     * Exports each status output's figures, read from {@code stats} at each scrape (it never blocks):
     * {@code teamsconnect_output_delivered_total{output}}, {@code teamsconnect_output_failures_total{output}},
     * {@code teamsconnect_output_dropped_total{output}}, {@code teamsconnect_output_queued{output}} and
     * {@code teamsconnect_output_failing{output}} (1 while the last call failed). {@code names} are the outputs'
     * names in the order {@code stats} lists them.
     */
    public void outputs(java.util.function.Supplier<java.util.List<dev.teamsconnect.core.output.OutputStats>> stats,
                        java.util.List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            int at = i;
            String name = names.get(i);
            java.util.function.Supplier<dev.teamsconnect.core.output.OutputStats> one = () -> {
                java.util.List<dev.teamsconnect.core.output.OutputStats> all = stats.get();
                return at < all.size() ? all.get(at) : null;
            };
            outputStates.add(one);
            FunctionCounter.builder("teamsconnect.output.delivered", one, s -> s.get() == null ? 0 : s.get().delivered())
                    .description("User statuses a status output accepted (re-publishes included)").tag("output", name)
                    .register(registry);
            FunctionCounter.builder("teamsconnect.output.failures", one, s -> s.get() == null ? 0 : s.get().failed())
                    .description("Failed calls to a status output (retried with backoff)").tag("output", name)
                    .register(registry);
            FunctionCounter.builder("teamsconnect.output.dropped", one, s -> s.get() == null ? 0 : s.get().dropped())
                    .description("Statuses not queued because the output's queue was full (sent later)")
                    .tag("output", name).register(registry);
            Gauge.builder("teamsconnect.output.queued", one, s -> s.get() == null ? 0 : s.get().queued())
                    .description("Users waiting for delivery to a status output").tag("output", name).register(registry);
            Gauge.builder("teamsconnect.output.failing", one, s -> s.get() != null && s.get().failing() ? 1 : 0)
                    .description("1 while the last call to a status output failed").tag("output", name)
                    .register(registry);
        }
    }

    /** The number of users currently held. */
    /** What the engine noticed of a second presence sync, as of {@code now}. */
    public void secondSync(dev.teamsconnect.core.engine.EngineSnapshot.SecondSync value, Instant now) {
        foreignDndChanges.set(value.foreignChanges());
        secondSyncSuspected.set(value.suspected(now) ? 1 : 0);
    }

    /** The engine's Teams presence sessions (pbxToTeams). */
    public void teamsSessions(dev.teamsconnect.core.engine.EngineSnapshot.Sessions value) {
        sessionsActive.set(value.active());
        sessionCounts.get("set").set(value.set());
        sessionCounts.get("renewed").set(value.renewed());
        sessionCounts.get("cleared").set(value.cleared());
        sessionCounts.get("failed").set(value.failed());
    }

    public void holds(int count) {
        holds.set(count);
    }

    /** The number of matched users. */
    public void users(int count) {
        users.set(count);
    }

    /**
     * Counts an error by kind, e.g. {@code graph_unavailable}, {@code pbx_auth}, {@code state_write}. Kinds are
     * normalised to lower case letters, digits and {@code _}; after {@value #MAX_ERROR_KINDS} distinct kinds, new
     * ones count as {@code other}.
     */
    public void error(String kind) {
        String k = normalise(kind);
        if (!errorKinds.contains(k)) {
            synchronized (errorKinds) {
                if (errorKinds.size() < MAX_ERROR_KINDS) {
                    errorKinds.add(k);
                } else if (!errorKinds.contains(k)) {
                    k = "other";
                }
            }
        }
        errors(k).increment();
    }

    @Override
    public void onEvent(AuditEvent event) {
        decisions(event.kind()).increment();
    }

    private Counter decisions(AuditEvent.Kind kind) {
        return Counter.builder("teamsconnect.decisions").description("Engine decisions by kind")
                .tag("kind", kind.name().toLowerCase(Locale.ROOT)).register(registry);
    }

    /**
     * {@code teamsconnect_ha_leader}: 1 while this instance leads (always without ha.mode: it is the only one), 0 while
     * it is a standby; with {@code teamsconnect_ha_takeovers_total} (this instance took the lead after waiting as a
     * standby) and {@code teamsconnect_ha_lock_losses_total} (it lost the lead while leading), exported from the start.
     */
    public void haRole(boolean leader) {
        haLeader.set(leader ? 1 : 0);
    }

    /** One takeover (see {@link #haRole}). */
    public void haTakeover() {
        haRole(true);
        haTakeovers.increment();
    }

    /** One lost leadership (see {@link #haRole}). */
    public void haLockLost() {
        haRole(false);
        haLockLosses.increment();
    }

    /** The Prometheus text exposition of all metrics. */
    public String scrape() {
        return registry.scrape();
    }

    private static String normalise(String kind) {
        if (kind == null || kind.isBlank()) {
            return "unknown";
        }
        String k = kind.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_");
        return k.length() > 40 ? k.substring(0, 40) : k;
    }
}
