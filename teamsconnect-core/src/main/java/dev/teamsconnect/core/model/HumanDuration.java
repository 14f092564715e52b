package dev.teamsconnect.core.model;

import java.time.Duration;

/** Durations for people, in logs and reports: {@code 500 ms}, {@code 5 s}, {@code 1 min 30 s}, {@code 2 h}; never {@code PT30S}. */
public final class HumanDuration {

    private HumanDuration() {
    }

    public static String of(Duration d) {
        if (d == null) {
            return "none";
        }
        if (d.isNegative()) {
            return "-" + of(d.negated());
        }
        long ms = d.toMillis();
        if (ms < 1000 || ms % 1000 != 0 && ms < 10_000) {
            return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = d.toSeconds();
        StringBuilder b = new StringBuilder();
        long h = s / 3600;
        long min = s % 3600 / 60;
        long sec = s % 60;
        if (h > 0) {
            b.append(h).append(" h");
        }
        if (min > 0) {
            b.append(b.isEmpty() ? "" : " ").append(min).append(" min");
        }
        if (sec > 0 || b.isEmpty()) {
            b.append(b.isEmpty() ? "" : " ").append(sec).append(" s");
        }
        return b.toString();
    }
}
