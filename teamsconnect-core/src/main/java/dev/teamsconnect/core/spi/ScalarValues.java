package dev.teamsconnect.core.spi;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The collecting readers of single typed values of a {@link ProviderConfig} section: closed sets, flags, whole
 * numbers, durations. Each reports what is wrong on the section and returns the fallback.
 */
final class ScalarValues {

    private ScalarValues() {
    }

    /** {@code true/yes/on} or {@code false/no/off} (any case); {@code null} for anything else. */
    static Boolean parseFlag(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    static <E> E choice(ProviderConfig c, String key, E fallback, Map<String, E> byCode) {
        Optional<String> s = c.text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        E e = byCode.get(s.get().toLowerCase(Locale.ROOT));
        if (e == null) {
            String hint = c.isHidden(key) ? "" : DidYouMean.hint(s.get(), byCode.keySet()).orElse("");
            c.problem(key, "must be one of " + String.join(", ", byCode.keySet()) + ", but was " + c.shown(key, s.get()) + hint);
            return fallback;
        }
        return e;
    }

    static boolean flag(ProviderConfig c, String key, boolean fallback) {
        Optional<String> s = c.text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        Boolean b = parseFlag(s.get());
        if (b == null) {
            c.problem(key, "must be true or false, but was " + c.shown(key, s.get()));
            return fallback;
        }
        return b;
    }

    static int wholeNumber(ProviderConfig c, String key, int fallback, int min, int max) {
        Optional<String> s = c.text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(s.get());
            if (n < min || n > max) {
                c.problem(key, "must be between " + min + " and " + max + ", but was "
                        + (c.isHidden(key) ? SecretMasking.HIDDEN : n));
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            c.problem(key, "must be a whole number between " + min + " and " + max + ", but was " + c.shown(key, s.get()));
            return fallback;
        }
    }

    static Duration interval(ProviderConfig c, String key, Duration fallback, boolean zeroAllowed) {
        Optional<String> s = c.text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        Optional<Duration> d = DurationText.parse(s.get());
        if (d.isEmpty()) {
            c.problem(key, DurationText.EXPECTED + c.shown(key, s.get()));
            return fallback;
        }
        if (d.get().isZero() && !zeroAllowed) {
            c.problem(key, "must be longer than 0, but was " + c.shown(key, s.get()));
            return fallback;
        }
        return d.get();
    }
}
