package dev.teamsconnect.core.decorate;

import java.time.Duration;

/**
 * Waits between attempts (retries, backoff, pacing). The engine and the plugins take one through their builders so
 * that tests record or skip the waits instead of sleeping.
 */
@FunctionalInterface
public interface Sleeper {

    /** Real waiting with {@link Thread#sleep}; zero and negative durations return at once. */
    Sleeper REAL = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    };

    /** Blocks for at least {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;
}
