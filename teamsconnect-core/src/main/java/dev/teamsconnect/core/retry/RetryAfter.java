package dev.teamsconnect.core.retry;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reading of an HTTP {@code Retry-After} header (RFC 9110, section 10.2.3) for every adapter: Graph,
 * STARFACE and any plugin.
 *
 * <p>The rule: a {@code Retry-After} means "send nothing to this server before then". An adapter never retries
 * earlier. It waits inside a call only while the wait fits the call's own deadline; a longer wait ends the call at
 * once (a {@link dev.teamsconnect.core.error.RetryableException} carrying the wait), and the adapter sends nothing
 * to that server until the wait is over. Absurd values are capped at {@link #MAX} (logged once), so a broken or
 * hostile server can pause the sync for at most ten minutes at a time, and never overflow a clock.
 *
 * <p>Accepted forms: delta-seconds ({@code 120}), fractional seconds as Microsoft Graph sends them
 * ({@code 2.128}, rounded up to the next millisecond so the wait is never shorter than asked), and an HTTP date
 * ({@code Wed, 21 Oct 2026 07:28:00 GMT}). Negative values and dates in the past mean "now" ({@link Duration#ZERO}).
 * Anything else is not a {@code Retry-After} ({@link Optional#empty()}), and the adapter's own backoff applies.
 */
public final class RetryAfter {

    /** The longest wait any {@code Retry-After} can cause. */
    public static final Duration MAX = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(RetryAfter.class);
    private static final AtomicBoolean CAP_LOGGED = new AtomicBoolean();

    private RetryAfter() {
    }

    /**
     * The wait a {@code Retry-After} value asks for, capped at {@link #MAX}.
     *
     * @param value the header value, may be null
     * @param clock the time an HTTP date is measured from
     */
    public static Optional<Duration> parse(String value, Clock clock) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Duration wait;
        if (v.charAt(0) == '-' || v.charAt(0) == '+' || Character.isDigit(v.charAt(0)) || v.charAt(0) == '.') {
            wait = seconds(v);
        } else {
            wait = date(v, clock);
        }
        if (wait == null) {
            return Optional.empty();
        }
        if (wait.compareTo(MAX) > 0) {
            if (CAP_LOGGED.compareAndSet(false, true)) {
                LOG.warn("A server asked to wait {} (Retry-After: {}); waits are capped at {} (logged once)",
                        describe(wait), abbreviate(v), describe(MAX));
            }
            return Optional.of(MAX);
        }
        return Optional.of(wait);
    }

    private static Duration seconds(String v) {
        BigDecimal secs;
        try {
            secs = new BigDecimal(v);
        } catch (NumberFormatException e) {
            return null;
        }
        if (secs.signum() <= 0) {
            return Duration.ZERO;
        }
        // compare before converting: 9223372036854775807 seconds must not overflow a Duration or a clock
        if (secs.compareTo(BigDecimal.valueOf(MAX.toSeconds() + 1)) > 0) {
            return MAX.plusSeconds(1);
        }
        return Duration.ofMillis(secs.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact());
    }

    private static Duration date(String v, Clock clock) {
        Instant at;
        try {
            at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
        Instant now = clock.instant();
        if (!at.isAfter(now)) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(now, at);
        return d.compareTo(MAX) > 0 ? MAX.plusSeconds(1) : d;
    }

    private static String describe(Duration d) {
        return d.compareTo(MAX) > 0 ? "longer than " + MAX.toMinutes() + " min" : d.toMillis() + " ms";
    }

    private static String abbreviate(String v) {
        return v.length() > 40 ? v.substring(0, 40) + "..." : v;
    }

    /** For tests: the cap is logged again after this. */
    static void resetLogOnce() {
        CAP_LOGGED.set(false);
    }
}
