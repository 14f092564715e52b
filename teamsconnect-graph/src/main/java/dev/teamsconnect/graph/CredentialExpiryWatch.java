package dev.teamsconnect.graph;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns before the configured client certificate stops working: once when 30, 7 and 1 days or fewer are left
 * before its {@code notAfter}, and once (as an error) when it has passed; Entra ID rejects client assertions signed
 * with an expired certificate. When the service starts inside a window only that window's warning is logged.
 * Cheap ({@link #check()} compares two instants), so it is called on every source call. Not thread-safe; the
 * source calls it from one thread.
 */
final class CredentialExpiryWatch {

    private static final Logger LOG = LoggerFactory.getLogger(CredentialExpiryWatch.class);
    /** The days before {@code notAfter} at which a warning is logged, largest first. */
    static final List<Integer> WARN_DAYS = List.of(30, 7, 1);

    private final Instant notAfter;
    private final String what;
    private final Clock clock;
    /** The smallest window already warned about; {@code Integer.MAX_VALUE} before the first, 0 once expired. */
    private int warned = Integer.MAX_VALUE;

    CredentialExpiryWatch(Instant notAfter, String what, Clock clock) {
        this.notAfter = notAfter;
        this.what = what;
        this.clock = clock;
    }

    Instant notAfter() {
        return notAfter;
    }

    /** Logs the warning of the window the clock is in, if not yet logged. */
    void check() {
        Duration left = Duration.between(clock.instant(), notAfter);
        if (left.isNegative() || left.isZero()) {
            if (warned > 0) {
                warned = 0;
                LOG.error("The {} expired at {}: Microsoft Entra ID rejects sign-ins with it. Upload a new certificate "
                        + "to the app registration and configure it (see docs/azure-setup.md)", what, notAfter);
            }
            return;
        }
        Integer window = null;
        for (int days : WARN_DAYS) {
            if (left.compareTo(Duration.ofDays(days)) <= 0) {
                window = days;
            }
        }
        if (window != null && window < warned) {
            warned = window;
            LOG.warn("The {} expires at {} ({} left, less than {} day{}): upload a new certificate to the app registration "
                    + "and configure it before then (see docs/azure-setup.md)", what, notAfter, describe(left), window,
                    window == 1 ? "" : "s");
        }
    }

    /** "12 days", "5 hours", "40 minutes". */
    static String describe(Duration left) {
        if (left.toDays() >= 2) {
            return left.toDays() + " days";
        }
        if (left.toHours() >= 2) {
            return left.toHours() + " hours";
        }
        return Math.max(0, left.toMinutes()) + " minutes";
    }
}
