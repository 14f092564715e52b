package dev.teamsconnect.core.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of config files: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, combinations
 * like {@code 1m30s}, and ISO-8601 ({@code PT5S}); never negative.
 */
final class DurationText {

    /** The start of the message for a value that is not a duration; the shown value follows. */
    static final String EXPECTED = "must be a duration like 500ms, 5s, 2m, but was ";

    private static final Pattern PART = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private DurationText() {
    }

    /** The duration, or empty when {@code text} is not one (or too long for a {@link Duration}). */
    static Optional<Duration> parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
                return d.isNegative() ? Optional.empty() : Optional.of(d);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = PART.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        boolean any = false;
        try {
            while (m.find()) {
                if (m.start() != end) {
                    break;
                }
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
                end = m.end();
                any = true;
            }
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
        return !any || end != s.length() ? Optional.empty() : Optional.of(total);
    }
}
