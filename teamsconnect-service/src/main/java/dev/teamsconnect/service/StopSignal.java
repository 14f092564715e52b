package dev.teamsconnect.service;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Tells the running service to stop (SIGTERM, Ctrl-C, a test). Thread-safe; stopping is one-way.
 * The sync loop checks {@link #isStopRequested()} between cycles and waits with {@link #await(Duration)} instead of
 * sleeping, so a stop ends the wait at once.
 */
public final class StopSignal {

    private final CountDownLatch stopped = new CountDownLatch(1);

    public void requestStop() {
        stopped.countDown();
    }

    public boolean isStopRequested() {
        return stopped.getCount() == 0;
    }

    /**
     * Waits until a stop is requested or the timeout passes.
     *
     * @return true when a stop was requested
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
