package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.FailureCounts;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditListener;
import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine tells the world: audit events to the listeners, the report of each cycle to the cycle listener,
 * progress for liveness checks, and the immutable {@link EngineSnapshot} for a status page. Listener failures are
 * logged and ignored; the snapshot and the progress are read from any thread without blocking.
 */
final class StatusPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);

    private final List<AuditListener> listeners;
    private final Consumer<CycleReport> cycleListener;
    private final Consumer<Instant> progressListener;
    private final FailureCounts failures;
    private final SecondSyncDetector secondSync;

    private volatile EngineSnapshot snapshot;
    private volatile Instant lastProgress;
    // written on the cycle thread only
    private long cycles;
    private long failedCycles;
    private long writesTotal;
    private Instant lastCycleAt;
    private Instant lastSuccessAt;
    private CycleReport lastReport;

    StatusPublisher(List<AuditListener> listeners, Consumer<CycleReport> cycleListener,
                    Consumer<Instant> progressListener, FailureCounts failures, SecondSyncDetector secondSync,
                    Instant now) {
        this.listeners = List.copyOf(listeners);
        this.cycleListener = cycleListener;
        this.progressListener = progressListener;
        this.failures = failures;
        this.secondSync = secondSync;
        this.snapshot = new EngineSnapshot(now, stats(0, 0, EngineSnapshot.Sessions.NONE), List.of());
    }

    /** Hands an audit event to every listener. */
    void emit(AuditEvent event) {
        for (AuditListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Audit listener {} failed; ignored", l, e);
            }
        }
    }

    /** The engine got a step further (a batch, a chunk of PBX work, a cycle). */
    void progress(Instant at) {
        lastProgress = at;
        if (progressListener != null) {
            try {
                progressListener.accept(at);
            } catch (RuntimeException e) {
                LOG.warn("Progress listener failed; ignored", e);
            }
        }
    }

    Instant lastProgress() {
        return lastProgress;
    }

    /** Counts a finished cycle, logs its summary and hands it to the cycle listener (after {@link #publish}). */
    void cycleDone(CycleReport report, Instant end, Runnable publish) {
        cycles = report.cycle();
        writesTotal += report.writes();
        lastCycleAt = report.startedAt();
        if (report.success()) {
            lastSuccessAt = report.startedAt();
        } else {
            failedCycles++;
        }
        lastReport = report;
        if (LOG.isInfoEnabled()) {
            LOG.info("{}", report.summary());
        }
        publish.run();
        progress(end);
        if (cycleListener != null) {
            try {
                cycleListener.accept(report);
            } catch (RuntimeException e) {
                LOG.warn("Cycle listener failed; ignored", e);
            }
        }
    }

    /** Publishes a new snapshot of the users' tracks and holds. */
    void publish(Instant now, Collection<UserTrack> tracks, Map<String, Hold> holds, int mapped,
                 Map<String, dev.teamsconnect.core.spi.TeamsSession> sessions, EngineSnapshot.Sessions sessionStats) {
        List<EngineSnapshot.UserStatus> users = new ArrayList<>(tracks.size());
        for (UserTrack t : tracks) {
            MappedUser m = t.user();
            PresenceTracker.Track p = t.presence();
            UserTrack.PbxSide pbx = t.pbx();
            users.add(new EngineSnapshot.UserStatus(m.pbx().id(), m.pbx().label(), m.teams().id(), m.teams().label(),
                    p.lastPresence() == null ? null : p.lastPresence().label(), p.stableCategory(),
                    p.desired().isUsersOwn() ? null : p.desired().dnd(),
                    pbx.state() == null ? null : pbx.state().dnd(), pbx.state() == null ? null : pbx.state().chatStatus(),
                    holds.get(m.pbx().id()), t.last().kind(), t.last().reason(), t.last().at(),
                    sessions.get(m.pbx().id())));
        }
        snapshot = new EngineSnapshot(now, stats(holds.size(), mapped, sessionStats), users);
    }

    EngineSnapshot snapshot() {
        return snapshot;
    }

    private EngineSnapshot.Stats stats(int holds, int mapped, EngineSnapshot.Sessions sessions) {
        return new EngineSnapshot.Stats(cycles, failedCycles, lastCycleAt, lastSuccessAt, writesTotal,
                failures.snapshot(), holds, mapped, lastReport, secondSync.state(), sessions);
    }
}
