package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.retry.Backoff;
import java.time.Duration;
import java.util.Random;

/**
 * Bounded exponential backoff with jitter for retryable failures
 * ({@link dev.teamsconnect.core.error.TeamsConnectException#isRetryable()}).
 *
 * @param maxAttempts    calls in total, including the first (1 = no retry)
 * @param initialBackoff wait before the first retry
 * @param maxBackoff     no wait is longer; a server asking for a longer {@code Retry-After} is not retried now
 * @param multiplier     backoff growth per attempt (>= 1)
 * @param jitter         random spread as a fraction of the backoff, 0..1 (0.2 = +-20 %)
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new ConfigException("retry.maxAttempts", "must be >= 1, but was " + maxAttempts);
        }
        if (initialBackoff == null || initialBackoff.isNegative()) {
            throw new ConfigException("retry.initialBackoff", "must be >= 0, but was " + initialBackoff);
        }
        if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new ConfigException("retry.maxBackoff", "must be >= initialBackoff (" + initialBackoff + "), but was " + maxBackoff);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new ConfigException("retry.multiplier", "must be >= 1, but was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new ConfigException("retry.jitter", "must be between 0 and 1, but was " + jitter);
        }
    }

    /** 3 attempts, 200 ms doubling up to 2 s, +-20 % jitter. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2), 2.0, 0.2);
    }

    /** One attempt, no retry: failures wait for the next cycle. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1.0, 0.0);
    }

    /**
     * The wait before retry number {@code retry} (1 = first retry), from the core {@link Backoff}: exponential, then
     * spread by {@code jitter} with {@code random}.
     */
    public Duration backoff(int retry, Random random) {
        return Backoff.jitter(Backoff.exponential(initialBackoff, multiplier, maxBackoff, retry), jitter, maxBackoff, random);
    }
}
