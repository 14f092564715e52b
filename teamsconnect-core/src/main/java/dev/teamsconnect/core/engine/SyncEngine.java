package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.FailureCounts;
import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.mapping.PresenceClassifier;
import dev.teamsconnect.core.mapping.StatusPolicy;
import dev.teamsconnect.core.mapping.TeamsStatusClassifier;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.spi.AuditListener;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync engine: mirrors Teams presence into the PBX, owning and restoring PBX state through {@link Hold}s.
 *
 * <p>Level-triggered and idempotent: each cycle reads the current presence of every mapped user, computes the
 * desired PBX state (classifier, policy, debounce, grace), reads the PBX state only of users whose desired state
 * overrides something or who have a hold, and writes only differences. Holds are committed to the
 * {@link StateStore} before the PBX write they cover (write-ahead). See {@code docs/architecture.md}.
 *
 * <p>Use: build with {@link #builder()}; then either call {@link #syncOnce()} from your own scheduler, or
 * {@link #start()} to let the engine schedule itself every {@link EngineConfig#pollInterval()}; finally
 * {@link #close()}.
 *
 * <p>Threading: cycles never overlap (a second caller of {@link #syncOnce()} waits for the running cycle).
 * {@link #snapshot()} and {@link #mappingReport()} may be called from any thread at any time and never block.
 * Plugin calls block the cycle thread; failures of plugins are caught, counted and reported per cycle, never
 * thrown from {@link #syncOnce()} (except a {@link dev.teamsconnect.core.error.StateStoreException} while loading
 * holds, which stops start-up).
 */
public final class SyncEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final Plugins plugins;
    private final EngineConfig config;
    private final Clock clock;
    private final CycleScheduler scheduler;
    private final FailureCounts failures = new FailureCounts();
    private final StatusPublisher publisher;
    private final UserDirectory directory;
    private final HoldCommitter committer;
    private final CycleRunner runner;
    private final Releases releases;
    private final TeamsSessions sessions;

    private final ReentrantLock cycleLock = new ReentrantLock();
    private volatile boolean closed;
    // set by close() before it waits for the cycle in flight: the cycle ends at its next safe point
    private volatile boolean stopRequested;

    // touched only while holding cycleLock
    private boolean opened;
    private boolean shutDown;

    private SyncEngine(Builder b) {
        this.config = Objects.requireNonNull(b.config, "config").requireValid();
        this.clock = b.clock;
        Random random = b.random != null ? b.random : new Random();
        SecondSyncDetector secondSync = new SecondSyncDetector();
        this.publisher = new StatusPublisher(b.listeners, b.cycleListener, b.progressListener, failures, secondSync,
                clock.instant());
        this.plugins = Plugins.wrap(b.source, b.sink, b.store, config, b.sleeper, random, failures, publisher::emit);
        this.directory = new UserDirectory(plugins.source(), plugins.sink(), new UserMatcher(b.overrides),
                b.scopeGroup, config.userRefreshInterval());
        this.committer = new HoldCommitter(plugins.sink(), plugins.store(), directory, publisher, failures,
                config.manualDndMode(), clock, () -> stopRequested, secondSync);
        this.sessions = new TeamsSessions(config.pbxToTeams(), clock, plugins.store(),
                plugins.sink(), directory, config.dryRun(), b.writerExecutor);
        this.runner = new CycleRunner(plugins.source(), plugins.sink(), config, clock, directory,
                new PresenceTracker(b.classifier, b.policy, config), committer, publisher, failures, () -> stopRequested,
                sessions);
        this.releases = new Releases(config, clock, directory, committer, runner::openSink, runner::publish);
        this.scheduler = new CycleScheduler(config.pollInterval(), b.executor, this::scheduledCycle, failures);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The validated configuration. */
    public EngineConfig config() {
        return config;
    }

    /**
     * Loads the holds from the store and opens the plugins. Idempotent; {@link #syncOnce()} and {@link #start()}
     * call it when needed.
     *
     * @throws dev.teamsconnect.core.error.StateStoreException if the holds cannot be loaded (corrupt file...): the
     *         engine must not run without them
     * @throws TerminalException if a plugin cannot open for a reason that will not pass (bad credentials...)
     * @throws IllegalStateException after {@link #close()}
     */
    public void open() {
        cycleLock.lock();
        try {
            requireNotClosed();
            if (opened) {
                return;
            }
            Map<String, Hold> loaded = committer.load();
            LOG.info("Engine opening: {} hold(s) loaded from store '{}'", loaded.size(), plugins.store().id());
            sessions.open(config.pbxToTeams().enabled() ? plugins.source().presenceWriter()
                    : java.util.Optional.empty());
            LOG.debug("Engine settings: {}", config);
            runner.open();
            opened = true;
        } finally {
            cycleLock.unlock();
        }
    }

    /**
     * Runs one cycle now and returns what it did. Blocks while another cycle runs. Never throws for plugin failures
     * (they are in the report); see {@link #open()} for what the first call may throw.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public CycleReport syncOnce() {
        cycleLock.lock();
        try {
            requireNotClosed();
            if (!opened) {
                open();
            }
            return runner.cycle();
        } finally {
            cycleLock.unlock();
        }
    }

    /**
     * Opens the engine and schedules {@link #syncOnce()} every {@link EngineConfig#pollInterval()}, measured from the
     * start of one cycle to the start of the next, on the executor given to the builder, or on an own daemon thread.
     * Cycles never overlap: one that takes longer than the interval is followed at once by the next, and missed
     * starts are not made up in a burst. Idempotent.
     */
    public void start() {
        open();
        scheduler.start();
    }

    /**
     * Stops scheduling, waits for the cycle in flight (which ends at its next safe point), releases the holds (when
     * {@link EngineConfig#releaseOnShutdown()}: every held user whose PBX still shows the engine's value gets their
     * own value back; hand-made choices are left alone), then closes source, sink and store. Idempotent.
     */
    @Override
    public void close() {
        stop(config.releaseOnShutdown());
    }

    /**
     * Stops like {@link #close()} but releases nothing, whatever {@link EngineConfig#releaseOnShutdown()} says: for an
     * engine that must not write to the PBX any more (its leadership is lost and another instance owns the holds).
     * Idempotent; after it, {@link #close()} does nothing.
     */
    public void abandon() {
        stop(false);
    }

    private void stop(boolean release) {
        closed = true;
        stopRequested = true;
        scheduler.stop();
        cycleLock.lock();
        try {
            if (shutDown) {
                return;
            }
            shutDown = true;
            if (opened && release) {
                long started = System.nanoTime();
                releases.releaseOnShutdown();
                // the Teams sessions get what is left of the same shutdown budget (at least 5 s): DND first
                java.time.Duration left = config.shutdownTimeout().minusNanos(System.nanoTime() - started);
                java.time.Duration least = java.time.Duration.ofSeconds(5);
                sessions.clearAll(left.compareTo(least) < 0 ? least : left);
            } else {
                sessions.stopWriter();
            }
            opened = false;
            plugins.closeAll();
            scheduler.shutdown();
        } finally {
            cycleLock.unlock();
        }
    }

    /**
     * Gives every held user their own DND back and empties the store, without reading presence (the source is not
     * opened): for uninstalling, or after the host that ran the sync is gone for good. A HELD user whose PBX still
     * shows the engine's value gets their prior value; a user who changed DND by hand keeps it; holds of users the
     * PBX no longer has are dropped. Holds whose release failed stay in the store, so the call can be repeated.
     *
     * @return how many holds there were, how many writes it took, and which holds are left (with why)
     * @throws TeamsConnectException when the store cannot be loaded or the PBX users cannot be listed
     * @throws IllegalStateException after {@link #close()} or while the engine is running cycles
     */
    public ReleaseReport releaseAllHolds() {
        cycleLock.lock();
        try {
            requireNotClosed();
            if (opened) {
                throw new IllegalStateException("releaseAllHolds() is for an engine that does not run cycles");
            }
            return releases.releaseAll();
        } finally {
            cycleLock.unlock();
        }
    }

    /**
     * What {@link #releaseAllHolds()} did.
     *
     * @param holds     holds in the store before
     * @param writes    PBX writes it made (restores)
     * @param remaining holds still in the store (their release failed; see {@code errors} and the log)
     * @param errors    failures of whole steps
     */
    public record ReleaseReport(int holds, int writes, int remaining, List<String> errors) {
        public ReleaseReport {
            errors = List.copyOf(errors);
        }
    }

    /** The picture of the last cycle, for a status page. Never blocks; immutable. */
    public EngineSnapshot snapshot() {
        return publisher.snapshot();
    }

    /** The mapping of the last user refresh, or null before the first. Never blocks; immutable. */
    public MappingReport mappingReport() {
        return directory.mappingReport();
    }

    /**
     * When the engine last got a step further (a presence batch, a chunk of PBX reads and writes, a cycle), or
     * null before its first step. While cycles run it advances at least every {@link EngineConfig#cycleTimeout()};
     * a value older than that means the engine is stuck. Never blocks.
     */
    public Instant lastProgress() {
        return publisher.lastProgress();
    }

    private void scheduledCycle() {
        if (!closed) {
            syncOnce();
        }
    }

    private void requireNotClosed() {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
    }

    /**
     * Wires an engine. Required: source, sink, store. Defaults: the documented status table
     * ({@link TeamsStatusClassifier}), {@link ConfigurableStatusPolicy#defaults()}, {@link EngineConfig#defaults()},
     * the system UTC clock, an own scheduler thread, no listeners, no overrides, all PBX users in scope.
     * Not thread-safe.
     */
    public static final class Builder {
        private PresenceSource source;
        private PbxSink sink;
        private StateStore store;
        private PresenceClassifier classifier = TeamsStatusClassifier.INSTANCE;
        private StatusPolicy policy = ConfigurableStatusPolicy.defaults();
        private EngineConfig config = EngineConfig.defaults();
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService executor;
        private final List<AuditListener> listeners = new ArrayList<>();
        private Map<String, String> overrides = Map.of();
        private String scopeGroup;
        private Sleeper sleeper = Sleeper.REAL;
        private java.util.concurrent.Executor writerExecutor;
        private Random random;
        private Consumer<CycleReport> cycleListener;
        private Consumer<Instant> progressListener;

        private Builder() {
        }

        /** Called after every cycle with its report, on the cycle thread; must not block. Failures are logged. */
        public Builder cycleListener(Consumer<CycleReport> value) {
            this.cycleListener = Objects.requireNonNull(value, "cycleListener");
            return this;
        }

        /**
         * Called whenever the engine got a step further (see {@link SyncEngine#lastProgress()}), on the cycle thread;
         * must not block. Failures are logged.
         */
        public Builder progressListener(Consumer<Instant> value) {
            this.progressListener = Objects.requireNonNull(value, "progressListener");
            return this;
        }

        public Builder source(PresenceSource value) {
            this.source = value;
            return this;
        }

        public Builder sink(PbxSink value) {
            this.sink = value;
            return this;
        }

        public Builder store(StateStore value) {
            this.store = value;
            return this;
        }

        public Builder classifier(PresenceClassifier value) {
            this.classifier = value;
            return this;
        }

        public Builder policy(StatusPolicy value) {
            this.policy = value;
            return this;
        }

        public Builder config(EngineConfig value) {
            this.config = value;
            return this;
        }

        /** The engine's only source of time (cycles, debounce, grace, fail-open, audit timestamps). */
        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        /** Where {@link SyncEngine#start()} schedules cycles; the engine does not shut it down. */
        public Builder executor(ScheduledExecutorService value) {
            this.executor = value;
            return this;
        }

        public Builder listener(AuditListener value) {
            this.listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** Teams mail or userPrincipalName -> PBX login; see {@link UserMatcher}. */
        public Builder userOverrides(Map<String, String> value) {
            this.overrides = Map.copyOf(value);
            return this;
        }

        /** All PBX users are in scope (the default). */
        public Builder scopeAllUsers() {
            this.scopeGroup = null;
            return this;
        }

        /** Only members of this PBX group are in scope (the sink needs {@link Capability#GROUPS}). */
        public Builder scopeGroup(String groupName) {
            if (groupName == null || groupName.isBlank()) {
                throw new ConfigException("users.group", "must name a PBX group, but was \"" + groupName + "\"");
            }
            this.scopeGroup = groupName.trim();
            return this;
        }

        /**
         * Where the Teams presence writes of {@link EngineConfig#pbxToTeams()} run (one at a time); default a daemon
         * thread of the engine's own. Tests may pass {@code Runnable::run} to write on the cycle thread.
         */
        public Builder writerExecutor(java.util.concurrent.Executor value) {
            this.writerExecutor = value;
            return this;
        }

        /** How retries wait (default: {@link Thread#sleep}); tests pass one that does not sleep. */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /** Randomness for retry jitter (default: a new {@link Random}). */
        public Builder random(Random value) {
            this.random = value;
            return this;
        }

        /** @throws ConfigException naming the first missing part */
        public SyncEngine build() {
            require("source", source);
            require("sink", sink);
            require("store", store);
            require("classifier", classifier);
            require("policy", policy);
            require("config", config);
            require("clock", clock);
            return new SyncEngine(this);
        }

        private static void require(String what, Object value) {
            if (value == null) {
                throw new ConfigException(what, "is required but was not given to SyncEngine.builder()");
            }
        }
    }
}
