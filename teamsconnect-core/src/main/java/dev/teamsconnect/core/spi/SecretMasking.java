package dev.teamsconnect.core.spi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which config values must never appear in a message, and how values are shown otherwise: a value is hidden when
 * its key names a secret ({@link #isSecretKey}) or when it came (wholly or partly) from {@code ${NAME}}
 * substitution. Shared by every section of one config file.
 */
final class SecretMasking {

    /** What a hidden value is shown as. */
    static final String HIDDEN = "(hidden)";

    private final Set<String> substituted;

    /** @param substitutedPaths the key paths whose values came from {@code ${NAME}}; may be null */
    SecretMasking(Set<String> substitutedPaths) {
        this.substituted = substitutedPaths == null ? Set.of() : Set.copyOf(substitutedPaths);
    }

    /** Whether a key holds a secret by its name: contains password, secret or token (tokenCache is a file name). */
    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") && !k.equals("tokencache");
    }

    /** Whether the value of {@code key}, found at {@code keyPath}, must not be shown. */
    boolean isHidden(String key, String keyPath) {
        if (isSecretKey(key)) {
            return true;
        }
        for (String s : substituted) {
            if (s.equals(keyPath) || s.startsWith(keyPath + "[") || s.startsWith(keyPath + ".")) {
                return true;
            }
        }
        return false;
    }

    /** {@code value} quoted, or {@link #HIDDEN}. */
    static String shown(boolean hidden, String value) {
        return hidden ? HIDDEN : "\"" + value + "\"";
    }

    /** What a value of the wrong shape was, for "but was ...": a map, a list, or the (maybe hidden) value. */
    static String describe(boolean hidden, Object value) {
        if (value instanceof Map) {
            return "a map";
        }
        if (value instanceof List) {
            return "a list";
        }
        return "the value " + shown(hidden, value.toString());
    }
}
