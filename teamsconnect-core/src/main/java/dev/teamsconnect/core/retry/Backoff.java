package dev.teamsconnect.core.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Exponential backoff with "equal jitter" for adapters' retries of I/O errors, 5xx and 429 without a
 * {@code Retry-After}: retry {@code n} (1 = the first retry) waits between half and all of
 * {@code min(max, initial * 2^(n-1))}, so concurrent clients spread out but never retry at once. The randomness is
 * injected, so tests can seed it.
 *
 * @param initial the exponential base of the first retry (> 0)
 * @param max     no wait is longer (>= initial)
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("Backoff.initial must be > 0, but was " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("Backoff.max must be >= initial (" + initial + "), but was " + max);
        }
    }

    /** The wait before retry number {@code retry} (1 = the first retry); never longer than {@link #max()}. */
    public Duration delay(int retry, Random random) {
        long cap = max.toMillis();
        long exp = initial.toMillis() << Math.min(Math.max(0, retry - 1), 30);
        long base = exp <= 0 || exp > cap ? cap : exp;
        long half = base / 2;
        return Duration.ofMillis(Math.max(1, Math.min(base, half + (long) (random.nextDouble() * (base - half + 1)))));
    }
}
