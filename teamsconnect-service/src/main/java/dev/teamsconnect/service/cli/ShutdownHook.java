package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.StopSignal;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns SIGTERM / Ctrl-C into a {@link StopSignal} and keeps the JVM alive until the command has finished its
 * clean-up (write in flight, releasing holds, flushing state), at most {@link #GRACE}.
 */
final class ShutdownHook implements AutoCloseable {

    /**
     * How long the JVM waits for a clean stop after SIGTERM: the cycle in flight ends at its next safe point (at
     * most one plugin call, each bounded by its own deadline: 55 s at worst, for a PBX that stopped answering),
     * then the holds are released within the engine's shutdownTimeout (40 s). The shipped systemd unit's
     * TimeoutStopSec=120 covers it with margin; what is not released by then stays in the state file for the next
     * start or {@code release}.
     */
    static final Duration GRACE = Duration.ofSeconds(100);

    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;

    private ShutdownHook(StopSignal stop, boolean install) {
        if (install) {
            thread = new Thread(() -> {
                stop.requestStop();
                try {
                    finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "teamsconnect-shutdown");
            Runtime.getRuntime().addShutdownHook(thread);
        } else {
            thread = null;
        }
    }

    static ShutdownHook install(boolean install, StopSignal stop) {
        return new ShutdownHook(stop, install);
    }

    /** The hook thread (null when not installed); tests start it to play SIGTERM. */
    Thread thread() {
        return thread;
    }

    @Override
    public void close() {
        finished.countDown();
        if (thread != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(thread);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running and now sees "finished"
            }
        }
    }
}
