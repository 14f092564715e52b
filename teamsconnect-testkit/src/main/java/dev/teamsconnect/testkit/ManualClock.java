package dev.teamsconnect.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A {@link Clock} that only moves when a test moves it, so engine tests drive time instead of sleeping.
 * Thread-safe: the time is a volatile field, {@link #advance} is atomic with respect to other calls.
 */
public final class ManualClock extends Clock {

    private final ZoneId zone;
    private volatile Instant now;

    public ManualClock(Instant start) {
        this(start, ZoneOffset.UTC);
    }

    private ManualClock(Instant start, ZoneId zone) {
        this.now = Objects.requireNonNull(start, "start");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    /** Moves the clock forward (or back, for a negative duration) and returns the new time. */
    public synchronized Instant advance(Duration by) {
        now = now.plus(Objects.requireNonNull(by, "by"));
        return now;
    }

    /** Sets the time. */
    public synchronized void set(Instant instant) {
        now = Objects.requireNonNull(instant, "instant");
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    /** A clock with another zone that shares nothing with this one (starts at the same instant). */
    @Override
    public Clock withZone(ZoneId other) {
        return new ManualClock(now, other);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public String toString() {
        return "ManualClock[" + now + "]";
    }
}
