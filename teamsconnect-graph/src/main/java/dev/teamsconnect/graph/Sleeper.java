package dev.teamsconnect.graph;

import java.time.Duration;

/** Waits; injected so tests can drive time instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    /** Real waiting with {@link Thread#sleep}. */
    Sleeper SYSTEM = d -> {
        if (!d.isNegative() && !d.isZero()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    };

    /** Blocks for at least {@code duration}. */
    void sleep(Duration duration) throws InterruptedException;
}
