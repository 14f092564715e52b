package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.HumanDuration;
import dev.teamsconnect.core.decorate.FailureCounts;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cycle, start to end: open what is not open, refresh the users when due, read presence batch by batch and ask
 * the {@link PresenceTracker} what each user should have, hand the changes to the {@link HoldCommitter} in rounds
 * as their batches arrive, then the rechecks until the next cycle is due, and publish the report.
 *
 * <p>Called only under the engine's cycle lock.
 */
final class CycleRunner {

    private static final Logger LOG = LoggerFactory.getLogger(CycleRunner.class);

    /** The most rounds of PBX work per cycle for the changes (more batches than this share rounds). */
    static final int ROUNDS_PER_CYCLE = 8;

    private final PresenceSource source;
    private final PbxSink sink;
    private final EngineConfig config;
    private final Clock clock;
    private final UserDirectory directory;
    private final PresenceTracker tracker;
    private final HoldCommitter committer;
    private final StatusPublisher publisher;
    private final FailureCounts failures;
    private final BooleanSupplier stopRequested;
    private final TeamsSessions sessions;

    private boolean sourceOpen;
    private boolean sinkOpen;
    private Set<Capability> capabilities = Set.of();
    private Instant openedAt;
    private long cycles;

    CycleRunner(PresenceSource source, PbxSink sink, EngineConfig config, Clock clock, UserDirectory directory,
                PresenceTracker tracker, HoldCommitter committer, StatusPublisher publisher, FailureCounts failures,
                BooleanSupplier stopRequested, TeamsSessions sessions) {
        this.source = source;
        this.sink = sink;
        this.config = config;
        this.clock = clock;
        this.directory = directory;
        this.tracker = tracker;
        this.committer = committer;
        this.publisher = publisher;
        this.failures = failures;
        this.stopRequested = stopRequested;
        this.sessions = sessions;
    }

    /** Opens the plugins; a {@link TerminalException} is thrown, other failures are left for the first cycle. */
    void open() {
        openPlugins(new ArrayList<>(), true);
        openedAt = clock.instant();
        publish(clock.instant());
    }

    CycleReport cycle() {
        Instant start = clock.instant();
        cycles++;
        CycleCounters c = new CycleCounters();
        boolean refreshed = false;
        Instant deadline = start.plus(config.cycleTimeout());
        try {
            openPlugins(c.errors, false);
            refreshed = sinkOpen && sourceOpen && directory.refreshIfDue(start, c.errors);
            if (directory.mapped() != null && sinkOpen && sourceOpen) {
                // PBX -> Teams first: a PBX call or a DND seen last cycle goes to the writer's thread at once
                sessions.reconcile(start, committer.holds(), c.errors);
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
                rechecks.sort(Comparator.comparing((Work w) -> w.recheckDue() == null ? Instant.MIN : w.recheckDue()));
                Instant nextCycle = start.plus(config.pollInterval());
                Instant recheckUntil = nextCycle.isBefore(deadline) ? nextCycle : deadline;
                committer.reconcile(rechecks, start, c, recheckUntil, true);
                // the DND scan of pbxToTeams.dnd last: below every change and recheck; what it finds is sent now
                int scanned = sessions.scan(clock.instant(), recheckUntil, c.errors);
                c.stateReads += scanned;
                if (scanned > 0) {
                    sessions.reconcile(clock.instant(), committer.holds(), c.errors);
                }
                if (c.notReached > 0) {
                    c.errors.add(stopRequested.getAsBoolean()
                            ? "stopped: " + c.notReached + " change(s) left for the next start"
                            : "cycle deadline " + HumanDuration.of(config.cycleTimeout()) + " passed: " + c.notReached
                            + " user(s) not reached, taken up by the next cycle");
                }
            } else if (directory.mapped() == null && sinkOpen) {
                failOpenBeforeFirstListing(start, c);
            }
            committer.commitConfirmations(c);
        } catch (RuntimeException e) {
            // a bug in the engine itself: report it, keep the loop alive
            failures.increment("engine");
            c.errors.add("engine: " + e); // counted once, with the other errors, in the report's failures
            LOG.error("Unexpected failure in sync cycle {}", cycles, e);
        }
        c.failures += c.errors.size();
        Instant end = clock.instant();
        CycleReport report = new CycleReport(cycles, start, Duration.between(start, end), directory.teamsUserCount(),
                directory.pbxUserCount(), directory.mappedCount(), c.presenceRead, c.skipped, c.stateReads, c.writes,
                c.failures, committer.holds().size(), refreshed, c.errors);
        publisher.cycleDone(report, end, () -> publish(end));
        return report;
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
                sessions.beforeSinkOpen();
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
    void openSink() {
        if (sinkOpen) {
            return;
        }
        sink.open();
        capabilities = sink.capabilities();
        Duration budget = sink.recheckInterval();
        Duration recheck = budget == null || budget.isNegative() ? Duration.ZERO : budget;
        committer.recheckInterval(recheck);
        sessions.sinkOpened(capabilities);
        sinkOpen = true;
        LOG.info("PBX sink '{}' open, capabilities {}, settled users re-read {}", sink.id(), capabilities,
                recheck.isZero() ? "every cycle" : "every " + recheck.toSeconds() + " s");
    }

    /**
     * The users could never be listed since start-up (e.g. the presence source is down after a restart), so no
     * user can be evaluated; once that has lasted longer than failOpenAfter, held users get their own state back.
     */
    private void failOpenBeforeFirstListing(Instant now, CycleCounters c) {
        Duration failOpen = config.failOpenAfter();
        Map<String, Hold> holds = committer.holds();
        if (failOpen.isZero() || now.isBefore(openedAt.plus(failOpen))
                || holds.values().stream().noneMatch(h -> h.kind() == Hold.Kind.HELD)) {
            return;
        }
        directory.resolve(holds.keySet(), this::openSink);
        List<Work> work = new ArrayList<>();
        for (Hold h : List.copyOf(holds.values())) {
            PbxUser user = directory.pbxUser(h.pbxUserId());
            if (h.kind() == Hold.Kind.HELD && user != null) {
                work.add(Work.release(user, false, h, "fail open: users could not be listed for more than "
                        + HumanDuration.of(failOpen)));
            }
        }
        LOG.warn("Fail open: the users could not be listed since start-up ({}); releasing {} hold(s)", openedAt,
                work.size());
        committer.reconcile(work, now, c, now.plus(config.cycleTimeout()), true);
    }

    /**
     * Reads presence and decides what every mapped user should have; hands the users to reconcile to {@code batches},
     * one list per presence read ({@link PresenceSource#presenceBatchSize()} users, or all at once), the holds of
     * users no longer mapped last.
     */
    private void evaluate(Instant now, CycleCounters c, Instant deadline, Consumer<List<Work>> batches) {
        List<MappedUser> mapped = directory.mapped();
        int size = batchSize();
        Set<String> mappedIds = new HashSet<>();
        for (int from = 0; from < mapped.size(); from += size) {
            List<MappedUser> part = mapped.subList(from, Math.min(mapped.size(), from + size));
            if (stopRequested.getAsBoolean() || !clock.instant().isBefore(deadline)) {
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
                Work w = evaluateUser(directory.track(m.pbx().id()), presence.get(m.teams().id()),
                        presenceFailures.get(m.teams().id()), now, c);
                if (w != null) {
                    work.add(w);
                }
            }
            batches.accept(work);
            publisher.progress(clock.instant());
        }
        batches.accept(releasesOfUnmapped(mappedIds, c));
    }

    /** Holds of users who are no longer mapped: they get their own state back (deleted users' holds are dropped). */
    private List<Work> releasesOfUnmapped(Set<String> mappedIds, CycleCounters c) {
        List<Work> work = new ArrayList<>();
        for (Hold h : List.copyOf(committer.holds().values())) {
            if (mappedIds.contains(h.pbxUserId())) {
                continue;
            }
            PbxUser user = directory.pbxUser(h.pbxUserId());
            if (user == null && directory.existence(h.pbxUserId()) == UserDirectory.Existence.DELETED) {
                committer.dropHoldsOfDeletedUsers(List.of(h.pbxUserId()), c);
                continue;
            }
            if (user == null) {
                if (directory.firstOrphanWarning(h.pbxUserId())) {
                    LOG.warn("Hold for PBX user id {} whose user is not in scope: kept in the store; it is released"
                            + " when the user is back in scope", h.pbxUserId());
                }
                continue;
            }
            work.add(Work.release(user, false, h, "user no longer mapped to a Teams user"));
        }
        return work;
    }

    /** The tracker's step for one user, its notes logged; the user's work, or null when there is nothing to do. */
    private Work evaluateUser(UserTrack t, TeamsPresence p, TeamsConnectException failure, Instant now,
                              CycleCounters c) {
        MappedUser m = t.user();
        Hold held = committer.holds().get(m.pbx().id());
        if (sessions.isEcho(m.pbx().id(), p, now)) {
            // the product's own session shows in Teams: it says nothing about the user's Teams state, so it is no
            // reason to hold DND (and keeps no hold alive): the cycle sees a neutral Available instead
            p = echoSubstitute(p);
        }
        PresenceTracker.Step step = tracker.next(t.presence(), m, p, failure, held, t.pbx().settled(), capabilities,
                now);
        // nothing wanted, nothing held: the episode is over
        UserTrack.PbxSide pbx = step.outcome() == PresenceTracker.Outcome.IDLE
                ? t.pbx().withMarker(EpisodeMarker.NONE) : t.pbx();
        directory.update(m.pbx().id(), u -> u.withPresence(step.track()).withPbx(pbx));
        for (PresenceTracker.Note n : step.notes()) {
            log(n, m, now, step.reason(), c);
        }
        if (step.readable()) {
            c.presenceRead++;
        }
        return switch (step.outcome()) {
            case SKIPPED -> {
                c.skipped++;
                yield null;
            }
            case FAILED_OPEN -> held == null ? null : Work.release(m.pbx(), true, held, step.reason());
            case IDLE, POLICY_FAILED, RECHECK_LATER -> null;
            case RECONCILE -> new Work(m.pbx(), true, step.wantDnd(), step.wantChat(), step.reason(),
                    step.track().stableCategory(), step.track().stablePresence(), false, step.steady(),
                    t.pbx().recheckDue());
        };
    }

    private void log(PresenceTracker.Note n, MappedUser m, Instant now, String reason, CycleCounters c) {
        switch (n.kind()) {
            case STALE_DROPPED -> LOG.debug("{}", n.message());
            case CLASSIFIER_FAILED, POLICY_FAILED -> {
                failures.increment(n.kind() == PresenceTracker.Note.Kind.POLICY_FAILED ? "policy" : "classifier");
                c.failures++;
                LOG.warn("{}", n.message());
            }
            case FAIL_OPEN_STARTED -> LOG.warn("{}", n.message());
            case READABLE_AGAIN -> LOG.info("{}", n.message());
            case SKIPPING_STARTED -> {
                LOG.info("{}", n.message());
                publisher.emit(new AuditEvent(now, AuditEvent.Kind.SKIPPED, m.pbx().id(), m.pbx().label(), null, null,
                        null, reason));
            }
        }
    }

    /** The changes collected so far, reconciled now in rounds; the list is emptied. */
    private void reconcileChanges(List<Work> changes, Instant now, CycleCounters c, Instant deadline) {
        if (changes.isEmpty()) {
            return;
        }
        int done = committer.reconcile(changes, now, c, deadline, true);
        c.notReached += changes.size() - done;
        changes.clear();
    }

    /** What the cycle sees instead of the echo of the product's own session: Available, as read now. */
    static TeamsPresence echoSubstitute(TeamsPresence echo) {
        return new TeamsPresence(echo.userId(), dev.teamsconnect.core.model.Availability.AVAILABLE, null,
                dev.teamsconnect.core.model.Activity.AVAILABLE, null, echo.statusMessage(), echo.outOfOffice(),
                echo.sequenceNumber(), echo.observedAt());
    }

    /** Presence reads per cycle. */
    private int batchCount() {
        int size = batchSize();
        return (directory.mapped().size() + size - 1) / size;
    }

    /** Users per presence read: the source's preference, or everybody in one read. */
    private int batchSize() {
        int size;
        try {
            size = source.presenceBatchSize();
        } catch (RuntimeException e) {
            size = 0; // a broken hint costs only the batching
        }
        return size > 0 ? size : Math.max(1, directory.mapped().size());
    }

    /** Publishes the snapshot of now. */
    void publish(Instant now) {
        publisher.publish(now, directory.tracks(), committer.holds(), directory.mappedCount(), sessions.sessions(),
                sessions.stats());
    }
}
