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
 * <p>{@link #exponential} and {@link #jitter} are the same two steps for a policy whose growth and spread are
 * configured (the engine's {@link dev.teamsconnect.core.decorate.RetryPolicy}), so that every backoff in the product
 * is computed here, from an injected {@link Random}.
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

    /**
     * The wait before retry number {@code retry} (1 = the first retry) without jitter:
     * {@code initial * multiplier^(retry - 1)}, never longer than {@code max}.
     *
     * @param multiplier growth per retry, >= 1
     */
    public static Duration exponential(Duration initial, double multiplier, Duration max, int retry) {
        double millis = initial.toNanos() / 1e6 * Math.pow(multiplier, Math.max(0, retry - 1));
        return millis >= max.toNanos() / 1e6 ? max : Duration.ofNanos(Math.round(millis * 1e6));
    }

    /**
     * {@code base} moved at random by up to {@code fraction} of itself either way (0.2 = +-20 %), kept between zero
     * and {@code max}, in whole milliseconds. With a {@code fraction} of 0 the result is {@code base} (in whole
     * milliseconds) and {@code random} is not drawn from.
     *
     * @param fraction the spread, 0..1
     */
    public static Duration jitter(Duration base, double fraction, Duration max, Random random) {
        double millis = base.toNanos() / 1e6;
        double spread = fraction == 0 ? 0 : (random.nextDouble() * 2 - 1) * fraction * millis;
        return Duration.ofMillis(Math.round(Math.min(max.toMillis(), Math.max(0, millis + spread))));
    }
}
