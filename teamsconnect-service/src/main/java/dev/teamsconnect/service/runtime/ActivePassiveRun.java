package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.HumanDuration;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.postgres.PostgresLeadership;
import dev.teamsconnect.postgres.PostgresStateStore;
import dev.teamsconnect.service.RunContext;
import dev.teamsconnect.service.status.HaRole;
import dev.teamsconnect.service.status.StatusBoard;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code run} with {@code ha.mode: active-passive} (see docs/high-availability.md): a standby until this instance
 * holds the leader lock, then the leader.
 *
 * <ul>
 *   <li>Standby: tries the lock every {@link PostgresLeadership#heartbeat()}; builds no engine, signs in nowhere, writes
 *       nothing. /health says {@code ready-standby} while it can reach the database.</li>
 *   <li>Taking over: raises the leader epoch (from then on nothing the old leader commits gets through), opens the
 *       engine (loads the holds, signs in: no PBX write) and starts its cycles only after
 *       {@link PostgresLeadership#fenceWait()}, when an old leader that lost its lock has noticed and stopped; the
 *       first cycle writes only what differs. One INFO line per takeover, with its cause.</li>
 *   <li>Losing the lock while leading: the engine is abandoned at once ({@link SyncEngine#abandon()}, nothing is
 *       released: the holds belong to the successor now) and {@code run} ends with exit code 1, so the supervisor
 *       (systemd {@code Restart=on-failure}, Kubernetes) starts it again, as a standby. Going back to standby inside
 *       the same process would have to reset every plugin's sign-in and the status board; a restart does that for
 *       certain.</li>
 *   <li>A stop (SIGTERM) of the leader: when a standby is waiting, the holds are kept for it (no release, no DND
 *       flapping during a rolling restart); with no standby, the engine stops as {@code mapping.releaseOnShutdown}
 *       says.</li>
 * </ul>
 */
final class ActivePassiveRun {

    private static final Logger LOG = LoggerFactory.getLogger(ActivePassiveRun.class);

    private ActivePassiveRun() {
    }

    static void run(RunContext ctx, EngineWiring wiring) throws Exception {
        StateStore store = wiring.store();
        if (!(store instanceof PostgresStateStore pg)) {
            store.close();
            throw new TerminalException("ha.mode active-passive needs state.type postgres, but the state store is \""
                    + store.id() + "\"");
        }
        Duration takeoverAfter = ctx.config().ha().takeoverAfter();
        PostgresLeadership lead = pg.leadership(takeoverAfter);
        StatusBoard board = ctx.status();
        try {
            board.role(HaRole.STANDBY, null);
            ctx.metrics().haRole(false);
            LOG.info("Standby: waiting for the leader lock in {} as {} (ha.mode active-passive, takeover within {})",
                    pg.where(), lead.holder(), HumanDuration.of(takeoverAfter));
            boolean waited = false;
            String seen = null;
            while (!lead.tryAcquire()) {
                if (!waited || seen == null) {
                    seen = lead.currentLeader().orElse(null);
                    if (seen != null) {
                        LOG.info("Standby: {} leads", seen);
                    }
                }
                String problem = lead.lastError().orElse(null);
                if (problem != null && !problem.equals(board.roleProblem())) {
                    LOG.warn("Standby: {}", problem);
                }
                waited = true;
                board.role(HaRole.STANDBY, problem);
                board.progress(ctx.clock().instant());
                if (ctx.stop().await(lead.heartbeat())) {
                    LOG.info("Stopped as a standby");
                    return;
                }
            }
            Instant took = ctx.clock().instant();
            String cause = waited
                    ? "the leader" + (seen == null ? "" : " " + seen) + " is gone (it stopped, was killed or lost its"
                    + " database connection, and its lock was released)"
                    : "no other instance held the leader lock at start";
            LOG.info("Taking the lead (epoch {}): {}; first write after {}, when a previous leader has surely stopped",
                    lead.epoch(), cause, HumanDuration.of(lead.fenceWait()));
            long firstWrite = System.nanoTime() + lead.fenceWait().toNanos();
            if (waited) {
                ctx.metrics().haTakeover();
            } else {
                ctx.metrics().haRole(true);
            }
            // the leader from here on (the lock is held, the epoch raised); ready after its first cycle
            board.role(HaRole.LEADER, null);
            board.progress(took);
            lead(ctx, wiring, pg, lead, firstWrite);
        } finally {
            lead.close();
            store.close();
        }
    }

    /**
     * Opens the engine (loads the holds, which no old leader can change any more, and signs in: no PBX write) while the
     * fence wait runs, and starts its cycles at {@code firstWriteNanos}.
     */
    private static void lead(RunContext ctx, EngineWiring wiring, PostgresStateStore store, PostgresLeadership lead,
                             long firstWriteNanos) throws Exception {
        AtomicReference<SyncEngine> built = new AtomicReference<>();
        AtomicReference<String> lost = new AtomicReference<>();
        // the status outputs run with the leader only: a standby has no statuses to tell
        dev.teamsconnect.core.output.OutputDispatcher outputs = wiring.outputDispatcher(ctx.clock());
        SyncEngine engine;
        try {
            engine = wiring.engine(ctx.dryRun(), false, ctx.status(), ctx.metrics(), ctx.clock(),
                    report -> EngineServiceRuntime.feed(ctx, built.get(), report), outputs, store);
        } catch (RuntimeException e) {
            outputs.close();
            throw e;
        }
        built.set(engine);
        outputs.start();
        lead.watch(cause -> {
            lost.set(cause);
            ctx.metrics().haLockLost();
            LOG.warn("Lost the lead: {}; stopping without writing or releasing anything", cause);
            engine.abandon();
        });
        boolean abandoned = false;
        try {
            try {
                engine.open();
                long wait = firstWriteNanos - System.nanoTime();
                if (wait > 0 && ctx.stop().await(Duration.ofNanos(wait))) {
                    LOG.info("Stopped before the first write as leader");
                    abandoned = true; // nothing written yet: nothing to release
                    return;
                }
                engine.start();
            } catch (TerminalException e) {
                if (lost.get() != null) {
                    throw lostLead(lost.get());
                }
                String why = EngineServiceRuntime.failedSide(ctx.status()).orElse(e.getMessage());
                LOG.error("Cannot start the sync: {}", why);
                throw new TerminalException(why, e);
            }
            LOG.info("Leading since {} (epoch {})", lead.since(), lead.epoch());
            while (lost.get() == null && !ctx.stop().await(lead.heartbeat())) {
                // the engine schedules itself; the leadership watcher abandons it when the lock is lost
            }
            if (lost.get() != null) {
                abandoned = true;
                throw lostLead(lost.get());
            }
            int standbys = lead.standbysWaiting();
            if (standbys > 0) {
                LOG.info("Stopping: keeping the holds for the standby that takes over ({} waiting)", standbys);
                engine.abandon();
                abandoned = true;
            } else {
                LOG.info("Stopping: no standby is waiting; {}saving state", ctx.config().mapping().releaseOnShutdown()
                        ? "releasing holds, " : "keeping holds (mapping.releaseOnShutdown is false), ");
            }
        } finally {
            try {
                if (abandoned || lost.get() != null) {
                    engine.abandon();
                } else {
                    engine.close();
                }
            } finally {
                outputs.offer(engine.snapshot());
                outputs.close();
            }
            ctx.metrics().holds(engine.snapshot().stats().holds());
        }
    }

    private static TerminalException lostLead(String cause) {
        return new TerminalException("Lost the lead: " + cause + ". Stopped without releasing holds (the new leader"
                + " owns them); exiting with 1 so that the supervisor starts this instance again as a standby.");
    }
}
