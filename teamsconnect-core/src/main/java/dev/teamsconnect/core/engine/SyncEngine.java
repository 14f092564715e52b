package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.DryRunPbxSink;
import dev.teamsconnect.core.decorate.DryRunStateStore;
import dev.teamsconnect.core.decorate.FailureCounts;
import dev.teamsconnect.core.decorate.IsolatingPbxSink;
import dev.teamsconnect.core.decorate.IsolatingPresenceSource;
import dev.teamsconnect.core.decorate.IsolatingStateStore;
import dev.teamsconnect.core.decorate.RetryingPbxSink;
import dev.teamsconnect.core.decorate.RetryingPresenceSource;
import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.mapping.DesiredState;
import dev.teamsconnect.core.mapping.PresenceClassifier;
import dev.teamsconnect.core.mapping.StatusPolicy;
import dev.teamsconnect.core.mapping.TeamsStatusClassifier;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditListener;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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

    private final PresenceSource source;
    private final PbxSink sink;
    private final StateStore store;
    private final PresenceClassifier classifier;
    private final StatusPolicy policy;
    private final EngineConfig config;
    private final Clock clock;
    private final ScheduledExecutorService providedExecutor;
    private final List<AuditListener> listeners;
    private final UserMatcher matcher;
    private final String scopeGroup;
    private final FailureCounts failures = new FailureCounts();
    private final Consumer<CycleReport> cycleListener;
    private final Consumer<Instant> progressListener;

    private final ReentrantLock cycleLock = new ReentrantLock();
    private volatile boolean closed;
    // set by close() before it waits for the cycle in flight: the cycle ends at its next safe point
    private volatile boolean stopRequested;
    private volatile Instant lastProgress;
    private volatile EngineSnapshot snapshot;
    private volatile MappingReport mappingReport;

    // everything below is touched only while holding cycleLock
    private boolean opened;
    private boolean shutDown;
    private boolean sourceOpen;
    private boolean sinkOpen;
    private Set<Capability> capabilities = Set.of();
    private Duration recheckInterval = Duration.ZERO;
    private final Map<String, Hold> holds = new LinkedHashMap<>();
    // outcomes of PBX writes (confirmed holds, ended holds) not yet in the store: see reconcileChunk, step 4
    private final Map<String, Hold> pendingConfirmed = new LinkedHashMap<>();
    private final Set<String> pendingEnded = new LinkedHashSet<>();
    private final Map<String, UserTrack> tracks = new LinkedHashMap<>();
    private final Map<String, PbxUser> knownPbx = new HashMap<>();
    private Set<String> allPbxIds;   // every PBX user id at allPbxIdsAt (for orphaned holds only)
    private Instant allPbxIdsAt;
    private final Set<String> loggedProblems = new HashSet<>();
    private final Set<String> warnedOrphans = new HashSet<>();
    private List<MappedUser> mapped;
    private Instant lastRefresh;
    private Instant refreshRetryAt;   // after a failed user refresh: not again before this
    private Instant openedAt;
    private int teamsUserCount;
    private int pbxUserCount;
    private long cycles;
    private long failedCycles;
    private long writesTotal;
    private Instant lastCycleAt;
    private Instant lastSuccessAt;
    private CycleReport lastReport;
    private ScheduledExecutorService ownExecutor;
    private volatile ScheduledExecutorService scheduler;
    private volatile ScheduledFuture<?> scheduled;

    private SyncEngine(Builder b) {
        this.config = Objects.requireNonNull(b.config, "config").requireValid();
        this.clock = b.clock;
        this.classifier = b.classifier;
        this.policy = b.policy;
        this.providedExecutor = b.executor;
        this.listeners = List.copyOf(b.listeners);
        this.matcher = new UserMatcher(b.overrides);
        this.scopeGroup = b.scopeGroup;
        Random random = b.random != null ? b.random : new Random();
        PbxSink s = config.dryRun() ? new DryRunPbxSink(b.sink, this::emit) : b.sink;
        this.sink = new IsolatingPbxSink(new RetryingPbxSink(s, config.retry(), b.sleeper, random), failures);
        this.source = new IsolatingPresenceSource(new RetryingPresenceSource(b.source, config.retry(), b.sleeper, random),
                failures);
        this.store = new IsolatingStateStore(config.dryRun() ? new DryRunStateStore(b.store) : b.store, failures);
        this.cycleListener = b.cycleListener;
        this.progressListener = b.progressListener;
        this.snapshot = new EngineSnapshot(clock.instant(), stats(), List.of());
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
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            if (opened) {
                return;
            }
            Map<String, Hold> loaded = loadStore();
            LOG.info("Engine opening: {} hold(s) loaded from store '{}'; {}", loaded.size(), store.id(), config);
            openPlugins(new ArrayList<>(), true);
            openedAt = clock.instant();
            opened = true;
            publishSnapshot(clock.instant());
        } finally {
            cycleLock.unlock();
        }
    }

    /** Loads the holds and claims the store for this engine and the sink's PBX (holds of another PBX are refused). */
    private Map<String, Hold> loadStore() {
        Map<String, Hold> loaded = store.load();
        store.claim(sink.identity());
        holds.clear();
        holds.putAll(loaded);
        return loaded;
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
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            if (!opened) {
                open();
            }
            return cycle();
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
        cycleLock.lock();
        try {
            if (scheduled != null) {
                return;
            }
            ScheduledExecutorService ex = providedExecutor;
            if (ex == null) {
                ownExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "teamsconnect-sync");
                    t.setDaemon(true);
                    return t;
                });
                ex = ownExecutor;
            }
            scheduler = ex;
            // start to start, not end to start: a change waits at most one poll interval for the next cycle, however
            // long the cycles take (a fixed delay would add the cycle time to every Teams-to-PBX delay)
            scheduled = ex.schedule(this::scheduledCycle, 0, TimeUnit.MILLISECONDS);
        } finally {
            cycleLock.unlock();
        }
    }

    private void scheduledCycle() {
        if (closed) {
            return;
        }
        long startedNanos = System.nanoTime();
        try {
            syncOnce();
        } catch (RuntimeException e) {
            // keep the schedule alive
            failures.increment("engine");
            LOG.error("Sync cycle failed; the next cycle runs as scheduled", e);
        } finally {
            if (!closed) {
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                try {
                    scheduled = scheduler.schedule(this::scheduledCycle,
                            Math.max(0, config.pollInterval().toMillis() - elapsedMillis), TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    LOG.warn("The executor refused the next sync cycle (shut down?); the engine stops scheduling");
                }
            }
        }
    }

    /**
     * Stops scheduling, waits for the cycle in flight, releases the holds (when
     * {@link EngineConfig#releaseOnShutdown()}: every held user whose PBX still shows the engine's value gets their
     * own value back; hand-made choices are left alone), then closes source, sink and store. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        stopRequested = true;
        ScheduledFuture<?> s = scheduled;
        if (s != null) {
            s.cancel(false);
        }
        cycleLock.lock();
        try {
            if (shutDown) {
                return;
            }
            shutDown = true;
            if (opened && config.releaseOnShutdown()) {
                Instant now = clock.instant();
                Instant deadline = now.plus(config.shutdownTimeout());
                List<Work> work = new ArrayList<>();
                resolveUnknownHolders();
                for (Hold h : List.copyOf(holds.values())) {
                    PbxUser user = knownPbx.get(h.pbxUserId());
                    if (user == null) {
                        LOG.warn("Cannot release the hold of PBX user id {} on shutdown: the user is not in scope;"
                                + " the hold stays in the store", h.pbxUserId());
                        continue;
                    }
                    work.add(releaseWork(user, tracks.get(h.pbxUserId()), h, "engine shutting down (releaseOnShutdown)"));
                }
                if (!work.isEmpty()) {
                    Counters c = new Counters();
                    int done = reconcile(work, now, c, deadline, false);
                    commitConfirmations(c);
                    if (done < work.size()) {
                        LOG.warn("Shutdown: {} hold(s) not released within {} stay in store '{}'; the next start (or"
                                + " the release command) gives them back", work.size() - done, config.shutdownTimeout(),
                                store.id());
                    }
                    LOG.info("Released holds on shutdown: {} write(s), {} failure(s), {} hold(s) left",
                            c.writes, c.failures, holds.size());
                }
                publishSnapshot(now);
            }
            opened = false;
            closeQuietly("source", source);
            closeQuietly("sink", sink);
            closeQuietly("store", store);
            if (ownExecutor != null) {
                ownExecutor.shutdown();
            }
        } finally {
            cycleLock.unlock();
        }
    }

    private enum OrphanLookup { DELETED, EXISTS, UNKNOWN }

    /**
     * Whether the PBX still has a user with this id, from one full {@code listUsers()} per user refresh (a user out
     * of the group scope still exists; only a user missing from the full list is deleted).
     */
    private OrphanLookup orphanLookup(String pbxUserId) {
        if (allPbxIdsAt == null || !allPbxIdsAt.equals(lastRefresh)) {
            try {
                Set<String> ids = new HashSet<>();
                for (PbxUser u : sink.listUsers()) {
                    ids.add(u.id());
                }
                allPbxIds = ids;
                allPbxIdsAt = lastRefresh;
            } catch (TeamsConnectException e) {
                LOG.debug("Cannot list all PBX users to check orphaned holds: {}", e.getMessage());
                return OrphanLookup.UNKNOWN;
            }
        }
        return allPbxIds.contains(pbxUserId) ? OrphanLookup.EXISTS : OrphanLookup.DELETED;
    }

    /** Holds of users the engine has not listed yet (e.g. the user lists could not be read since a restart). */
    private void resolveUnknownHolders() {
        if (holds.keySet().stream().allMatch(knownPbx::containsKey)) {
            return;
        }
        try {
            openSink();
            // all users, not just the scope: a hold of a user who has left the scope must be released too
            for (PbxUser u : sink.listUsers()) {
                knownPbx.putIfAbsent(u.id(), u);
            }
        } catch (TeamsConnectException e) {
            LOG.warn("Cannot list the PBX users to release their holds: {}", e.getMessage());
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
            if (closed) {
                throw new IllegalStateException("engine is closed");
            }
            if (opened) {
                throw new IllegalStateException("releaseAllHolds() is for an engine that does not run cycles");
            }
            Map<String, Hold> loaded = loadStore();
            if (loaded.isEmpty()) {
                return new ReleaseReport(0, 0, 0, List.of());
            }
            openSink();
            for (PbxUser u : sink.listUsers()) {
                knownPbx.put(u.id(), u);
            }
            Instant now = clock.instant();
            List<Work> work = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            for (Hold h : List.copyOf(holds.values())) {
                PbxUser user = knownPbx.get(h.pbxUserId());
                if (user == null) {
                    gone.add(h.pbxUserId());
                } else {
                    // the user's own DND for MANUAL holds too: the episode is over, DND stays as the user set it
                    work.add(new Work(user, null, Reconciler.Want.USERS_OWN, null, "release of all holds", null, null,
                            true, false));
                }
            }
            Counters c = new Counters();
            reconcile(work, now, c, Instant.MAX, false);
            commitConfirmations(c);
            dropHoldsOfDeletedUsers(gone, c);
            publishSnapshot(clock.instant());
            return new ReleaseReport(loaded.size(), c.writes, holds.size(), c.errors);
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
        return snapshot;
    }

    /** The mapping of the last user refresh, or null before the first. Never blocks; immutable. */
    public MappingReport mappingReport() {
        return mappingReport;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Per-user memory of the engine (not persisted; only holds are). */
    private static final class UserTrack {
        final MappedUser user;
        TeamsPresence lastPresence;
        Instant lastReadableAt;
        PresenceCategory stableCategory;
        TeamsPresence stablePresence;
        PresenceCategory candidate;
        Instant candidateSince;
        Boolean lastWantDnd;
        String lastWantReason;
        Instant graceStart;
        Boolean ownEpisode;
        boolean evaluated;
        Instant resumeUntil;
        boolean skipping;
        boolean failedOpen;
        boolean failing;
        Boolean desiredDnd;
        String lastWantChat;
        Instant settledAt;
        Instant recheckDue;
        PbxState pbx;
        AuditEvent.Kind lastKind;
        String lastReason;
        Instant lastChangeAt;

        UserTrack(MappedUser user, Instant now) {
            this.user = user;
            this.lastReadableAt = now;
        }
    }

    /** One user to reconcile this cycle. */
    private record Work(PbxUser pbx, UserTrack track, Reconciler.Want wantDnd, String wantChat, String reason,
                        PresenceCategory category, TeamsPresence presence, boolean release, boolean steady) {
    }

    private static final class Counters {
        int presenceRead;
        int skipped;
        int stateReads;
        int writes;
        int failures;
        int notReached;
        final List<String> errors = new ArrayList<>();
    }

    private CycleReport cycle() {
        Instant start = clock.instant();
        cycles++;
        Counters c = new Counters();
        boolean refreshed = false;
        Instant deadline = start.plus(config.cycleTimeout());
        try {
            openPlugins(c.errors, false);
            refreshed = refreshUsersIfDue(start, c);
            if (mapped != null && sinkOpen && sourceOpen) {
                // users whose presence changed first, as their presence arrives: their writes should wait neither for
                // the other batches' presence reads nor for the rechecks of the many users who stay in a call. Users
                // are independent, so the order changes no decision, only how soon a change reaches the PBX. A round
                // of PBX work (read, write-ahead, write) costs a few PBX round trips and a state-file commit whatever
                // its size, so with many batches (50,000 users are 77) the changes of a few batches share a round: at
                // most ROUNDS_PER_CYCLE rounds, each at most a few batch reads after its first change.
                List<Work> rechecks = new ArrayList<>();
                List<Work> changes = new ArrayList<>();
                int perRound = Math.max(1, (batchCount() + ROUNDS_PER_CYCLE - 1) / ROUNDS_PER_CYCLE);
                int[] batchesInRound = {0};
                evaluate(start, c, deadline, batch -> {
                    batch.stream().filter(w -> !w.steady()).forEach(changes::add);
                    batch.stream().filter(Work::steady).forEach(rechecks::add);
                    if (++batchesInRound[0] >= perRound) {
                        reconcileChanges(changes, start, c, deadline);
                        batchesInRound[0] = 0;
                    }
                });
                reconcileChanges(changes, start, c, deadline);
                // rechecks last, and only until the next cycle is due: a recheck never delays a change. Those left
                // over stay due and come first next time (oldest first).
                rechecks.sort(Comparator.comparing((Work w) -> w.track().recheckDue == null ? Instant.MIN
                        : w.track().recheckDue));
                Instant nextCycle = start.plus(config.pollInterval());
                reconcile(rechecks, start, c, nextCycle.isBefore(deadline) ? nextCycle : deadline, true);
                if (c.notReached > 0) {
                    c.errors.add(stopRequested ? "stopped: " + c.notReached + " change(s) left for the next start"
                            : "cycle deadline " + config.cycleTimeout() + " passed: " + c.notReached
                            + " user(s) not reached, taken up by the next cycle");
                }
            } else if (mapped == null && sinkOpen) {
                failOpenBeforeFirstListing(start, c);
            }
            commitConfirmations(c);
        } catch (RuntimeException e) {
            // a bug in the engine itself: report it, keep the loop alive
            failures.increment("engine");
            c.errors.add("engine: " + e); // counted once, with the other errors, in the report's failures
            LOG.error("Unexpected failure in sync cycle {}", cycles, e);
        }
        c.failures += c.errors.size();
        Instant end = clock.instant();
        CycleReport report = new CycleReport(cycles, start, Duration.between(start, end), teamsUserCount, pbxUserCount,
                mapped == null ? 0 : mapped.size(), c.presenceRead, c.skipped, c.stateReads, c.writes, c.failures,
                holds.size(), refreshed, c.errors);
        writesTotal += c.writes;
        lastCycleAt = start;
        if (report.success()) {
            lastSuccessAt = start;
        } else {
            failedCycles++;
        }
        lastReport = report;
        if (LOG.isInfoEnabled()) {
            LOG.info("{}", report.summary());
        }
        publishSnapshot(end);
        progress(end);
        if (cycleListener != null) {
            try {
                cycleListener.accept(report);
            } catch (RuntimeException e) {
                LOG.warn("Cycle listener failed; ignored", e);
            }
        }
        return report;
    }

    /** The engine got a step further (a batch, a chunk of PBX work, a cycle): for liveness checks. */
    private void progress(Instant at) {
        lastProgress = at;
        if (progressListener != null) {
            try {
                progressListener.accept(at);
            } catch (RuntimeException e) {
                LOG.warn("Progress listener failed; ignored", e);
            }
        }
    }

    /**
     * When the engine last got a step further (a presence batch, a chunk of PBX reads and writes, a cycle), or
     * null before its first step. While cycles run it advances at least every {@link EngineConfig#cycleTimeout()};
     * a value older than that means the engine is stuck. Never blocks.
     */
    public Instant lastProgress() {
        return lastProgress;
    }

    private void openPlugins(List<String> errors, boolean throwTerminal) {
        if (!sourceOpen) {
            try {
                source.open();
                sourceOpen = true;
            } catch (TeamsConnectException e) {
                if (throwTerminal && e instanceof TerminalException) {
                    throw e;
                }
                errors.add("source.open: " + e.getMessage());
            }
        }
        if (!sinkOpen) {
            try {
                openSink();
            } catch (TeamsConnectException e) {
                if (throwTerminal && e instanceof TerminalException) {
                    throw e;
                }
                errors.add("sink.open: " + e.getMessage());
            }
        }
    }

    /** Opens the sink (if not open yet) and takes its capabilities and read budget. */
    private void openSink() {
        if (sinkOpen) {
            return;
        }
        sink.open();
        capabilities = sink.capabilities();
        Duration budget = sink.recheckInterval();
        recheckInterval = budget == null || budget.isNegative() ? Duration.ZERO : budget;
        sinkOpen = true;
        LOG.info("PBX sink '{}' open, capabilities {}, settled users re-read {}", sink.id(), capabilities,
                recheckInterval.isZero() ? "every cycle" : "every " + recheckInterval.toSeconds() + " s");
    }

    private boolean refreshUsersIfDue(Instant now, Counters c) {
        if (!sinkOpen || !sourceOpen) {
            return false;
        }
        if (mapped != null && now.isBefore(lastRefresh.plus(config.userRefreshInterval()))) {
            return false;
        }
        if (mapped != null && refreshRetryAt != null && now.isBefore(refreshRetryAt)) {
            return false; // the last listing failed: the old lists serve until the next attempt
        }
        List<TeamsUser> teams;
        List<PbxUser> pbx;
        try {
            teams = source.listUsers();
            pbx = scopeGroup == null ? sink.listUsers() : sink.listGroupMembers(scopeGroup);
        } catch (TeamsConnectException e) {
            c.errors.add("user refresh: " + e.getMessage());
            if (mapped != null) {
                // a listing can cost hundreds of requests; with users mapped, try again in a minute, not every cycle
                Duration retry = config.userRefreshInterval().compareTo(REFRESH_RETRY) < 0
                        ? config.userRefreshInterval() : REFRESH_RETRY;
                refreshRetryAt = now.plus(retry);
            }
            return false;
        }
        refreshRetryAt = null;
        MappingReport report = matcher.match(teams, pbx);
        Set<String> problems = new HashSet<>(report.problems());
        for (String p : report.problems()) {
            if (loggedProblems.add(p)) {
                if (p.startsWith("unmatched")) {
                    LOG.info("User matching: {}", p);
                } else {
                    LOG.warn("User matching: {}", p);
                }
            }
        }
        loggedProblems.retainAll(problems); // a problem that comes back is logged again
        knownPbx.clear();
        pbx.forEach(u -> knownPbx.put(u.id(), u));
        Map<String, UserTrack> next = new LinkedHashMap<>();
        // sorted once here, so that the snapshot of every cycle comes out sorted without sorting
        List<MappedUser> byLabel = new ArrayList<>(report.matched());
        byLabel.sort(Comparator.comparing((MappedUser m) -> m.pbx().label()));
        for (MappedUser m : byLabel) {
            UserTrack old = tracks.get(m.pbx().id());
            if (old != null && old.user.teams().id().equals(m.teams().id())) {
                UserTrack t = old.user.equals(m) ? old : copyTrack(old, m);
                next.put(m.pbx().id(), t);
            } else {
                next.put(m.pbx().id(), new UserTrack(m, now));
            }
        }
        tracks.clear();
        tracks.putAll(next);
        mapped = report.matched();
        mappingReport = report;
        teamsUserCount = teams.size();
        pbxUserCount = pbx.size();
        lastRefresh = now;
        LOG.info("Users refreshed: {} Teams users, {} PBX users{}, {} matched, {} unmatched Teams, {} unmatched PBX,"
                        + " {} ambiguous, {} disabled", teams.size(), pbx.size(),
                scopeGroup == null ? "" : " in group '" + scopeGroup + "'", mapped.size(), report.unmatchedTeams().size(),
                report.unmatchedPbx().size(), report.ambiguous().size(), report.disabledTeams().size());
        return true;
    }

    /**
     * The users could never be listed since start-up (e.g. the presence source is down after a restart), so no
     * user can be evaluated; once that has lasted longer than failOpenAfter, held users get their own state back.
     */
    private void failOpenBeforeFirstListing(Instant now, Counters c) {
        Duration failOpen = config.failOpenAfter();
        if (failOpen.isZero() || now.isBefore(openedAt.plus(failOpen))
                || holds.values().stream().noneMatch(h -> h.kind() == Hold.Kind.HELD)) {
            return;
        }
        resolveUnknownHolders();
        List<Work> work = new ArrayList<>();
        for (Hold h : List.copyOf(holds.values())) {
            PbxUser user = knownPbx.get(h.pbxUserId());
            if (h.kind() == Hold.Kind.HELD && user != null) {
                work.add(releaseWork(user, null, h, "fail open: users could not be listed for more than " + failOpen));
            }
        }
        LOG.warn("Fail open: the users could not be listed since start-up ({}); releasing {} hold(s)", openedAt,
                work.size());
        reconcile(work, now, c, now.plus(config.cycleTimeout()), true);
    }

    private static UserTrack copyTrack(UserTrack old, MappedUser m) {
        UserTrack t = new UserTrack(m, old.lastReadableAt);
        t.lastPresence = old.lastPresence;
        t.stableCategory = old.stableCategory;
        t.stablePresence = old.stablePresence;
        t.candidate = old.candidate;
        t.candidateSince = old.candidateSince;
        t.lastWantDnd = old.lastWantDnd;
        t.lastWantReason = old.lastWantReason;
        t.graceStart = old.graceStart;
        t.ownEpisode = old.ownEpisode;
        t.evaluated = old.evaluated;
        t.resumeUntil = old.resumeUntil;
        t.skipping = old.skipping;
        t.failedOpen = old.failedOpen;
        t.desiredDnd = old.desiredDnd;
        t.lastWantChat = old.lastWantChat;
        t.settledAt = old.settledAt;
        t.recheckDue = old.recheckDue;
        t.failing = old.failing;
        t.pbx = old.pbx;
        t.lastKind = old.lastKind;
        t.lastReason = old.lastReason;
        t.lastChangeAt = old.lastChangeAt;
        return t;
    }

    /**
     * Reads presence and decides what every mapped user should have; hands the users to reconcile to {@code batches},
     * one list per presence read ({@link PresenceSource#presenceBatchSize()} users, or all at once), the holds of
     * users no longer mapped last.
     */
    private void evaluate(Instant now, Counters c, Instant deadline, Consumer<List<Work>> batches) {
        int size = batchSize();
        Set<String> mappedIds = new HashSet<>();
        for (int from = 0; from < mapped.size(); from += size) {
            List<MappedUser> part = mapped.subList(from, Math.min(mapped.size(), from + size));
            if (stopRequested || !clock.instant().isBefore(deadline)) {
                // not read this cycle: their state is untouched and the next cycle takes them up; their holds are
                // not "no longer mapped"
                c.notReached += mapped.size() - from;
                mapped.subList(from, mapped.size()).forEach(m -> mappedIds.add(m.pbx().id()));
                break;
            }
            List<String> ids = part.stream().map(m -> m.teams().id()).toList();
            Map<String, TeamsPresence> presence = Map.of();
            Map<String, TeamsConnectException> presenceFailures = Map.of();
            try {
                BatchResult<TeamsPresence> r = source.readPresence(ids);
                presence = r.values();
                presenceFailures = r.failures();
                failures.add("user.presence", presenceFailures.size());
                c.failures += presenceFailures.size();
            } catch (TeamsConnectException e) {
                c.errors.add("source.readPresence: " + e.getMessage());
            }
            List<Work> work = new ArrayList<>();
            for (MappedUser m : part) {
                mappedIds.add(m.pbx().id());
                UserTrack t = tracks.get(m.pbx().id());
                TeamsConnectException failure = presenceFailures.get(m.teams().id());
                Work w = evaluateUser(t, presence.get(m.teams().id()), failure, now, c);
                if (w != null) {
                    work.add(w);
                }
            }
            batches.accept(work);
            progress(clock.instant());
        }
        List<Work> work = new ArrayList<>();
        // holds of users who are no longer mapped: give them their own state back
        for (Hold h : List.copyOf(holds.values())) {
            if (mappedIds.contains(h.pbxUserId())) {
                continue;
            }
            PbxUser user = knownPbx.get(h.pbxUserId());
            if (user == null && orphanLookup(h.pbxUserId()) == OrphanLookup.DELETED) {
                dropHoldsOfDeletedUsers(List.of(h.pbxUserId()), c);
                continue;
            }
            if (user == null) {
                if (warnedOrphans.add(h.pbxUserId())) {
                    LOG.warn("Hold for PBX user id {} whose user is not in scope: kept in the store; it is released"
                            + " when the user is back in scope", h.pbxUserId());
                }
                continue;
            }
            work.add(releaseWork(user, null, h, "user no longer mapped to a Teams user"));
        }
        batches.accept(work);
    }

    /** The changes collected so far, reconciled now in rounds; the list is emptied. */
    private void reconcileChanges(List<Work> changes, Instant now, Counters c, Instant deadline) {
        if (changes.isEmpty()) {
            return;
        }
        int done = reconcile(changes, now, c, deadline, true);
        c.notReached += changes.size() - done;
        changes.clear();
    }

    /** Presence reads per cycle. */
    private int batchCount() {
        int size = batchSize();
        return (mapped.size() + size - 1) / size;
    }

    /** Users per presence read: the source's preference, or everybody in one read. */
    private int batchSize() {
        int size;
        try {
            size = source.presenceBatchSize();
        } catch (RuntimeException e) {
            size = 0; // a broken hint costs only the batching
        }
        return size > 0 ? size : Math.max(1, mapped.size());
    }

    private Work evaluateUser(UserTrack t, TeamsPresence p, TeamsConnectException failure, Instant now, Counters c) {
        MappedUser m = t.user;
        PresenceCategory category = null;
        String unreadable;
        if (p != null) {
            if (t.lastPresence != null && p.isOlderThan(t.lastPresence)) {
                LOG.debug("Stale presence for {} dropped (sequence {} < {})", m.teams().label(), p.sequenceNumber(),
                        t.lastPresence.sequenceNumber());
                p = t.lastPresence;
            }
            try {
                category = classifier.classify(p);
            } catch (RuntimeException e) {
                failures.increment("classifier");
                c.failures++;
                LOG.warn("Classifier failed for {} ({}): {}", m.teams().label(), p.label(), e.toString());
            }
            unreadable = category == null ? "classifier failed" : "presence " + p.label() + " is UNKNOWN";
            if (category == PresenceCategory.UNKNOWN) {
                t.lastPresence = p;
                category = null;
            }
        } else {
            unreadable = failure != null ? "presence read failed: " + failure.getMessage() : "no presence returned";
        }
        if (category == null) {
            Duration failOpen = config.failOpenAfter();
            if (!failOpen.isZero() && !now.isBefore(t.lastReadableAt.plus(failOpen))) {
                if (!t.failedOpen) {
                    t.failedOpen = true;
                    LOG.warn("Fail open for {}: presence unreadable since {} (longer than {}); releasing the hold until"
                            + " presence returns", m.pbx().label(), t.lastReadableAt, failOpen);
                }
                t.stableCategory = null;
                t.candidate = null;
                t.lastWantDnd = null;
                t.graceStart = null;
                t.desiredDnd = null;
                Hold h = holds.get(m.pbx().id());
                return h == null ? null : releaseWork(m.pbx(), t, h, "fail open: presence unreadable for more than " + failOpen);
            }
            c.skipped++;
            if (!t.skipping) {
                t.skipping = true;
                LOG.info("Skipping {} until its presence can be read again: {}", m.pbx().label(), unreadable);
                emit(new AuditEvent(now, AuditEvent.Kind.SKIPPED, m.pbx().id(), m.pbx().label(), null, null, null,
                        unreadable + "; no change either way"));
            }
            return null;
        }
        c.presenceRead++;
        if (t.skipping || t.failedOpen) {
            LOG.info("Presence of {} readable again ({})", m.pbx().label(), p.label());
        }
        t.skipping = false;
        t.failedOpen = false;
        t.lastPresence = p;
        t.lastReadableAt = now;

        // debounce: a new category counts once it has lasted config.debounce()
        if (t.stableCategory == null || config.debounce().isZero() || category == t.stableCategory) {
            t.stableCategory = category;
            t.stablePresence = p;
            t.candidate = null;
        } else {
            if (category != t.candidate) {
                t.candidate = category;
                t.candidateSince = now;
            }
            if (!now.isBefore(t.candidateSince.plus(config.debounce()))) {
                t.stableCategory = category;
                t.stablePresence = p;
                t.candidate = null;
            }
        }

        DesiredState d;
        try {
            d = policy.desired(m, t.stablePresence, t.stableCategory);
        } catch (RuntimeException e) {
            failures.increment("policy");
            c.failures++;
            LOG.warn("Status policy failed for {} ({}): {}", m.pbx().label(), t.stableCategory, e.toString());
            return null;
        }
        if (d == null) {
            d = DesiredState.userOwn("no policy decision");
        }
        Boolean wantDnd = capabilities.contains(Capability.DND) ? d.dnd() : null;
        String wantChat = capabilities.contains(Capability.CHAT_STATUS) ? d.chatStatus() : null;
        String reason = d.reason() != null ? d.reason()
                : "Teams " + t.stablePresence.label() + " -> " + t.stableCategory.code();

        // grace: keep the desired DND for a while after presence stops wanting it
        if (wantDnd != null) {
            t.lastWantDnd = wantDnd;
            t.lastWantReason = reason;
            t.graceStart = null;
        } else if (t.lastWantDnd != null && !config.gracePeriod().isZero()) {
            if (t.graceStart == null) {
                t.graceStart = now;
            }
            if (now.isBefore(t.graceStart.plus(config.gracePeriod()))) {
                wantDnd = t.lastWantDnd;
                reason = "grace period " + config.gracePeriod() + " after: " + t.lastWantReason;
            } else {
                t.lastWantDnd = null;
                t.graceStart = null;
            }
        } else {
            t.lastWantDnd = null;
        }

        // A MANUAL hold from the store (a restart): its episode was running, and the debounce and grace timers that
        // would end it are gone, so the first category counted at once could end it early and let the next call
        // override the user's choice. End it no sooner than a running engine would: keep it while presence has
        // not wanted DND for debounce + grace, counted from the first cycle that reads presence.
        Hold held = holds.get(m.pbx().id());
        if (!t.evaluated) {
            t.evaluated = true;
            if (held != null && held.kind() == Hold.Kind.MANUAL && capabilities.contains(Capability.DND)) {
                t.resumeUntil = now.plus(config.debounce()).plus(config.gracePeriod());
            }
        }
        if (t.resumeUntil != null) {
            if (wantDnd == null && held != null && held.kind() == Hold.Kind.MANUAL && now.isBefore(t.resumeUntil)) {
                wantDnd = held.writtenDnd();
                reason = "manual DND episode from before the restart, kept for debounce and grace";
            } else {
                t.resumeUntil = null;
            }
        }
        // steady: wanted the same as last cycle and settled then (read, nothing pending); only a hand-made change
        // can need a write, so these users are reconciled after the ones whose presence just changed
        boolean steady = t.pbx != null && !t.failing && t.settledAt != null && Objects.equals(t.desiredDnd, wantDnd)
                && Objects.equals(t.lastWantChat, wantChat) && (held == null || held.confirmed());
        t.desiredDnd = wantDnd;
        t.lastWantChat = wantChat;
        if (wantDnd == null && wantChat == null && held == null) {
            t.ownEpisode = null;
            return null; // nothing wanted, nothing held: the PBX state does not matter, do not read it
        }
        // the PBX read budget: for a settled user whose wanted state is unchanged a read can only turn up a change
        // made by hand, so it waits until the sink's recheck interval has passed (RESPECT keeps that change;
        // TEAMS_LEADS overrides it at that read)
        if (steady && wantChat == null && (held == null || held.writtenChatStatus() == null)
                && t.recheckDue != null && now.isBefore(t.recheckDue)) {
            return null;
        }
        return new Work(m.pbx(), t, Reconciler.Want.of(wantDnd), wantChat, reason, t.stableCategory, t.stablePresence, false,
                steady);
    }

    private Work releaseWork(PbxUser user, UserTrack t, Hold h, String reason) {
        // MANUAL holds stay: they only say "hands off"; a restart in the same episode must still respect them
        Reconciler.Want keepDnd = h.kind() == Hold.Kind.MANUAL ? Reconciler.Want.of(h.writtenDnd())
                : Reconciler.Want.USERS_OWN;
        return new Work(user, t, keepDnd, null, reason, null, null, true, false);
    }

    /** After a failed user refresh (users already mapped), the next attempt waits this long. */
    static final Duration REFRESH_RETRY = Duration.ofMinutes(1);

    /** The most rounds of PBX work per cycle for the changes (more batches than this share rounds). */
    static final int ROUNDS_PER_CYCLE = 8;

    /** Users per round of PBX reads and writes: the unit after which a stop or a deadline is noticed. */
    static final int CHUNK = 256;

    /**
     * Reconciles {@code work} in chunks of {@link #CHUNK} users, until {@code stopAt} (engine clock) or, with
     * {@code honourStop}, a stop request. Each chunk is complete in itself (read, write-ahead, write, confirm), so
     * stopping between chunks loses nothing: the users not reached keep their state and their holds.
     *
     * @return how many users were reconciled
     */
    private int reconcile(List<Work> work, Instant now, Counters c, Instant stopAt, boolean honourStop) {
        int done = 0;
        while (done < work.size()) {
            if ((honourStop && stopRequested) || !clock.instant().isBefore(stopAt)) {
                break;
            }
            int end = Math.min(work.size(), done + CHUNK);
            reconcileChunk(work.subList(done, end), now, c);
            done = end;
            progress(clock.instant());
        }
        return done;
    }

    /**
     * When a settled user's PBX state is read again: the sink's budget, plus up to a quarter of it by user, so that
     * users who settled in the same cycle are not all re-read in one burst. Never sooner than the budget: the PBX
     * sees at most (users settled) / recheckInterval reads per second.
     */
    private Instant recheckDue(String pbxUserId, Instant settled) {
        if (recheckInterval.isZero()) {
            return settled;
        }
        long spread = recheckInterval.toMillis() * (Math.floorMod(pbxUserId.hashCode() * 31 + 17, 256)) / 1024;
        return settled.plus(recheckInterval).plusMillis(spread);
    }

    /** Reads the PBX state of the given users, decides, commits holds write-ahead, writes, commits the outcome. */
    private void reconcileChunk(List<Work> work, Instant now, Counters c) {
        if (work.isEmpty()) {
            return;
        }
        List<PbxUser> toRead = work.stream().map(Work::pbx).toList();
        BatchResult<PbxState> states;
        try {
            states = sink.readStates(toRead);
        } catch (TeamsConnectException e) {
            c.errors.add("sink.readStates: " + e.getMessage());
            return;
        }
        c.stateReads += states.values().size();
        if (!states.failures().isEmpty()) {
            failures.add("user.read", states.failures().size());
            c.failures += states.failures().size();
        }

        record Planned(Work work, Hold old, PbxState actual, Reconciler.Decision decision) {
        }
        List<Planned> planned = new ArrayList<>();
        List<String> vanished = new ArrayList<>();
        for (Work w : work) {
            String id = w.pbx().id();
            PbxState actual = states.values().get(id);
            if (actual == null) {
                TeamsConnectException f = states.failures().get(id);
                userFailure(w, now, "PBX state read failed: " + (f == null ? "no state returned" : f.getMessage()));
                if (f instanceof UnknownUserException && holds.containsKey(id)) {
                    vanished.add(id);
                }
                continue;
            }
            if (w.track() != null) {
                w.track().pbx = actual;
                w.track().settledAt = null;
            }
            Hold old = holds.get(id);
            Reconciler.Decision d = Reconciler.decide(new Reconciler.Input(id, old, w.wantDnd(), w.wantChat(), actual,
                    Reconciler.EpisodeMarker.of(w.track() == null ? null : w.track().ownEpisode), config.manualDndMode(),
                    now, w.reason()));
            if (w.track() != null) {
                w.track().ownEpisode = d.marker().ownDnd();
                w.track().failing = false;
            }
            if (d.isNothing() && Objects.equals(d.pre(), old)) {
                if (w.track() != null) {
                    w.track().settledAt = now; // read, nothing to do
                    w.track().recheckDue = recheckDue(id, now);
                }
                continue;
            }
            planned.add(new Planned(w, old, actual, d));
        }
        dropHoldsOfDeletedUsers(vanished, c);
        if (planned.isEmpty()) {
            return;
        }

        // 1. write-ahead: every new or changed hold is durable before the PBX write it covers
        List<Hold> preUpserts = new ArrayList<>();
        List<String> preRemovals = new ArrayList<>();
        for (Planned p : planned) {
            Hold pre = p.decision().pre();
            if (!Objects.equals(pre, p.old())) {
                if (pre == null) {
                    preRemovals.add(p.work().pbx().id());
                } else {
                    preUpserts.add(pre);
                }
            }
        }
        if (!preUpserts.isEmpty() || !preRemovals.isEmpty()) {
            // the confirmations of earlier rounds ride along: one commit instead of two
            Map<String, Hold> upserts = new LinkedHashMap<>(pendingConfirmed);
            Set<String> removals = new LinkedHashSet<>(pendingEnded);
            for (String id : preRemovals) {
                upserts.remove(id);
                removals.add(id);
            }
            for (Hold h : preUpserts) {
                removals.remove(h.pbxUserId());
                upserts.put(h.pbxUserId(), h);
            }
            try {
                store.commit(upserts.values(), removals);
            } catch (TeamsConnectException e) {
                c.errors.add("store.commit: " + e.getMessage() + " (no PBX writes for these users this cycle)");
                return;
            }
            pendingConfirmed.clear();
            pendingEnded.clear();
            preRemovals.forEach(holds::remove);
            preUpserts.forEach(h -> holds.put(h.pbxUserId(), h));
        }

        // 2. decisions without a write are done now
        List<PbxChange> changes = new ArrayList<>();
        Map<String, Planned> byUser = new HashMap<>();
        for (Planned p : planned) {
            Reconciler.Decision d = p.decision();
            if (d.write() == null) {
                if (d.kind() != null) {
                    record(p.work(), now, d.kind(), p.actual(), p.actual(), d.reason());
                }
            } else {
                changes.add(new PbxChange(p.work().pbx(), p.actual(), d.write(), p.work().presence(),
                        p.work().category(), d.reason(), now));
                byUser.put(p.work().pbx().id(), p);
            }
        }
        if (changes.isEmpty()) {
            return;
        }

        // 3. the PBX writes
        BatchResult<PbxState> written;
        try {
            written = sink.applyAll(changes);
        } catch (TeamsConnectException e) {
            c.errors.add("sink.applyAll: " + e.getMessage());
            for (PbxChange ch : changes) {
                userFailure(byUser.get(ch.user().id()).work(), now, "PBX write failed: " + e.getMessage()
                        + "; retried next cycle");
            }
            return;
        }
        List<Hold> postUpserts = new ArrayList<>();
        List<String> postRemovals = new ArrayList<>();
        for (PbxChange ch : changes) {
            Planned p = byUser.get(ch.user().id());
            if (!written.values().containsKey(ch.user().id())) {
                TeamsConnectException f = written.failures().get(ch.user().id());
                failures.increment("user.write");
                c.failures++;
                userFailure(p.work(), now, "PBX write failed: " + (f == null ? "no result" : f.getMessage())
                        + "; retried next cycle");
                continue;
            }
            c.writes++;
            record(p.work(), now, p.decision().kind(), ch.from(), ch.to(), p.decision().reason());
            if (p.work().track() != null) {
                // the PBX acknowledged the write: settled, no confirming read (the PBX budget: at most a read and a
                // write per change); a change by hand is noticed at the next recheck
                p.work().track().pbx = ch.to();
                p.work().track().settledAt = now;
                p.work().track().recheckDue = recheckDue(ch.user().id(), now);
            }
            Hold post = p.decision().post();
            if (!Objects.equals(post, p.decision().pre())) {
                if (post == null) {
                    postRemovals.add(ch.user().id());
                } else {
                    postUpserts.add(post);
                }
            }
        }

        // 4. the outcome: confirmed holds, ended holds. Committed with the next round's write-ahead, at the latest at
        // the end of the cycle: until then the store has the write-ahead records, which a restart settles from the
        // PBX state exactly as after a crash between the write and its confirmation (docs/architecture.md)
        for (String id : postRemovals) {
            pendingConfirmed.remove(id);
            pendingEnded.add(id);
            holds.remove(id);
        }
        for (Hold h : postUpserts) {
            pendingEnded.remove(h.pbxUserId());
            pendingConfirmed.put(h.pbxUserId(), h);
            holds.put(h.pbxUserId(), h);
        }
    }

    /** Commits the confirmations not yet committed with a write-ahead (end of a cycle, of a release). */
    private void commitConfirmations(Counters c) {
        if (pendingConfirmed.isEmpty() && pendingEnded.isEmpty()) {
            return;
        }
        try {
            store.commit(List.copyOf(pendingConfirmed.values()), List.copyOf(pendingEnded));
            pendingConfirmed.clear();
            pendingEnded.clear();
        } catch (TeamsConnectException e) {
            // the store keeps the write-ahead holds; they are committed with the next write-ahead, and a restart
            // settles them from the PBX state
            c.errors.add("store.commit: " + e.getMessage() + " (after the PBX writes)");
        }
    }

    private void record(Work w, Instant now, AuditEvent.Kind kind, PbxState from, PbxState to, String decision) {
        String label = w.pbx().label();
        String reason = w.release() ? decision + " (" + w.reason() + ")" : decision;
        if (from.equals(to)) {
            LOG.info("{}: {} ({})", label, reason, kind);
        } else {
            LOG.info("{}: {} -> {}: {} ({})", label, describe(from), describe(to), reason, kind);
        }
        if (w.track() != null) {
            w.track().lastKind = kind;
            w.track().lastReason = reason;
            w.track().lastChangeAt = now;
        }
        emit(new AuditEvent(now, kind, w.pbx().id(), label, w.category(), from, to, reason));
    }

    /**
     * The PBX says these held users do not exist (deleted by an administrator): there is no DND left to restore, and
     * a kept hold would only be retried forever (or applied to whoever gets the id next). Dropped from the store.
     */
    private void dropHoldsOfDeletedUsers(Collection<String> ids, Counters c) {
        if (ids.isEmpty()) {
            return;
        }
        ids.forEach(pendingConfirmed::remove);
        ids.forEach(pendingEnded::remove);
        try {
            store.commit(List.of(), ids);
        } catch (TeamsConnectException e) {
            c.errors.add("store.commit: " + e.getMessage());
            return;
        }
        for (String id : ids) {
            Hold h = holds.remove(id);
            LOG.warn("PBX user id {} no longer exists on the PBX; its hold ({}) is dropped, there is nothing to restore",
                    id, h == null ? "none" : h.kind().code());
        }
    }

    private void userFailure(Work w, Instant now, String reason) {
        UserTrack t = w.track();
        if (t == null || !t.failing) {
            LOG.warn("{}: {}", w.pbx().label(), reason);
        } else {
            LOG.debug("{}: {}", w.pbx().label(), reason);
        }
        if (t != null) {
            t.failing = true;
            t.lastKind = AuditEvent.Kind.FAILED;
            t.lastReason = reason;
            t.lastChangeAt = now;
        }
        emit(new AuditEvent(now, AuditEvent.Kind.FAILED, w.pbx().id(), w.pbx().label(), w.category(), null, null, reason));
    }

    private void emit(AuditEvent event) {
        for (AuditListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Audit listener {} failed; ignored", l, e);
            }
        }
    }

    private static String describe(PbxState s) {
        return "DND " + Reconciler.onOff(s.dnd()) + (s.chatStatus() == null ? "" : ", chat \"" + s.chatStatus() + "\"");
    }

    private EngineSnapshot.Stats stats() {
        return new EngineSnapshot.Stats(cycles, failedCycles, lastCycleAt, lastSuccessAt, writesTotal,
                failures.snapshot(), holds.size(), mapped == null ? 0 : mapped.size(), lastReport);
    }

    private void publishSnapshot(Instant now) {
        List<EngineSnapshot.UserStatus> users = new ArrayList<>(tracks.size());
        for (UserTrack t : tracks.values()) {
            MappedUser m = t.user;
            users.add(new EngineSnapshot.UserStatus(m.pbx().id(), m.pbx().label(), m.teams().id(), m.teams().label(),
                    t.lastPresence == null ? null : t.lastPresence.label(), t.stableCategory, t.desiredDnd,
                    t.pbx == null ? null : t.pbx.dnd(), t.pbx == null ? null : t.pbx.chatStatus(),
                    holds.get(m.pbx().id()), t.lastKind, t.lastReason, t.lastChangeAt));
        }
        snapshot = new EngineSnapshot(now, stats(), users);
    }

    private static void closeQuietly(String role, AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("Closing the {} failed", role, e);
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
