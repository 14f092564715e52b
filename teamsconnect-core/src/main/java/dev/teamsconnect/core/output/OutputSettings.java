package dev.teamsconnect.core.output;

import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link OutputDispatcher} delivers to one output. Validated in the constructor, each field named in the
 * message.
 *
 * @param republishInterval every user's current status is sent again this often, so a receiver that was down or
 *                          lost its state catches up (level-triggered); default {@link #DEFAULT_REPUBLISH_INTERVAL}
 * @param backoff           the pauses between failed attempts (core {@link Backoff}, equal jitter)
 * @param batchSize         at most this many users per {@code publish} call
 * @param maxQueued         at most this many users wait for delivery at once; a status for a further user is
 *                          dropped (counted) and sent with a later snapshot or re-publish
 * @param closeTimeout      how long {@link OutputDispatcher#close()} waits for this output's last delivery
 */
public record OutputSettings(Duration republishInterval, Backoff backoff, int batchSize, int maxQueued,
                             Duration closeTimeout) {

    /** Five minutes: often enough that a busy light is right soon after its broker came back, rare enough to be cheap. */
    public static final Duration DEFAULT_REPUBLISH_INTERVAL = Duration.ofMinutes(5);
    /** The shortest accepted re-publish interval. */
    public static final Duration MIN_REPUBLISH_INTERVAL = Duration.ofSeconds(10);
    /** The config key of an output entry that sets {@link #republishInterval}. */
    public static final String REPUBLISH_INTERVAL_KEY = "republishInterval";

    public OutputSettings {
        Objects.requireNonNull(republishInterval, "republishInterval");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (republishInterval.compareTo(MIN_REPUBLISH_INTERVAL) < 0) {
            throw new IllegalArgumentException("republishInterval must be at least " + MIN_REPUBLISH_INTERVAL
                    + ", but was " + republishInterval);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued must be >= 1, but was " + maxQueued);
        }
        if (closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must be >= 0, but was " + closeTimeout);
        }
    }

    /**
     * Re-publish every 5 min; retries after 1 s doubling to at most 1 min; 100 users per call; at most 10,000 users
     * waiting; 5 s to close.
     */
    public static OutputSettings defaults() {
        return new OutputSettings(DEFAULT_REPUBLISH_INTERVAL, new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1)),
                100, 10_000, Duration.ofSeconds(5));
    }

    /** These settings with another re-publish interval. */
    public OutputSettings withRepublishInterval(Duration value) {
        return new OutputSettings(value, backoff, batchSize, maxQueued, closeTimeout);
    }

    /** These settings with another backoff. */
    public OutputSettings withBackoff(Backoff value) {
        return new OutputSettings(republishInterval, value, batchSize, maxQueued, closeTimeout);
    }

    /** These settings with another batch size. */
    public OutputSettings withBatchSize(int value) {
        return new OutputSettings(republishInterval, backoff, value, maxQueued, closeTimeout);
    }

    /** These settings with another queue bound. */
    public OutputSettings withMaxQueued(int value) {
        return new OutputSettings(republishInterval, backoff, batchSize, value, closeTimeout);
    }

    /** These settings with another close timeout. */
    public OutputSettings withCloseTimeout(Duration value) {
        return new OutputSettings(republishInterval, backoff, batchSize, maxQueued, value);
    }

    /**
     * The one reading of an output entry's {@code republishInterval} (default 5m, at least 10s), for providers: an
     * output's provider owns its whole entry, and calls this so the rule is the same for every output. A problem
     * is recorded in {@code entry} (the provider's {@code requireValid()} reports it), and the default is returned.
     */
    public static Duration republishInterval(ProviderConfig entry) {
        Duration d = entry.interval(REPUBLISH_INTERVAL_KEY, DEFAULT_REPUBLISH_INTERVAL, false);
        if (d.compareTo(MIN_REPUBLISH_INTERVAL) < 0) {
            entry.problem(REPUBLISH_INTERVAL_KEY, "must be at least " + MIN_REPUBLISH_INTERVAL.toSeconds()
                    + "s, but was " + d.toMillis() + "ms");
            return DEFAULT_REPUBLISH_INTERVAL;
        }
        return d;
    }
}
