package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.FailureCounts;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the cycle every poll interval, measured from the start of one cycle to the start of the next, on the given
 * executor or on an own daemon thread. A cycle that takes longer than the interval is followed at once by the next;
 * missed starts are not made up in a burst; a cycle that throws does not end the schedule.
 */
final class CycleScheduler {

    private static final Logger LOG = LoggerFactory.getLogger(CycleScheduler.class);

    private final Duration pollInterval;
    private final ScheduledExecutorService provided;
    private final Runnable cycle;
    private final FailureCounts failures;

    private volatile boolean stopped;
    private ScheduledExecutorService own;
    private volatile ScheduledExecutorService executor;
    private volatile ScheduledFuture<?> scheduled;

    CycleScheduler(Duration pollInterval, ScheduledExecutorService provided, Runnable cycle, FailureCounts failures) {
        this.pollInterval = pollInterval;
        this.provided = provided;
        this.cycle = cycle;
        this.failures = failures;
    }

    /** Schedules the first cycle now. Idempotent; not after {@link #stop()}. */
    synchronized void start() {
        if (scheduled != null || stopped) {
            return;
        }
        ScheduledExecutorService ex = provided;
        if (ex == null) {
            own = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "teamsconnect-sync");
                t.setDaemon(true);
                return t;
            });
            ex = own;
        }
        executor = ex;
        // start to start, not end to start: a change waits at most one poll interval for the next cycle, however
        // long the cycles take (a fixed delay would add the cycle time to every Teams-to-PBX delay)
        scheduled = ex.schedule(this::run, 0, TimeUnit.MILLISECONDS);
    }

    private void run() {
        if (stopped) {
            return;
        }
        long startedNanos = System.nanoTime();
        try {
            cycle.run();
        } catch (RuntimeException e) {
            // keep the schedule alive
            failures.increment("engine");
            LOG.error("Sync cycle failed; the next cycle runs as scheduled", e);
        } finally {
            if (!stopped) {
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                try {
                    scheduled = executor.schedule(this::run, Math.max(0, pollInterval.toMillis() - elapsedMillis),
                            TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    LOG.warn("The executor refused the next sync cycle (shut down?); the engine stops scheduling");
                }
            }
        }
    }

    /** No further cycle starts; a cycle in flight runs on. Idempotent. */
    void stop() {
        stopped = true;
        ScheduledFuture<?> s = scheduled;
        if (s != null) {
            s.cancel(false);
        }
    }

    /** Shuts the own thread down (a given executor is the caller's). */
    synchronized void shutdown() {
        if (own != null) {
            own.shutdown();
        }
    }
}
