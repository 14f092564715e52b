package dev.teamsconnect.core.spi;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * How key paths are written in messages ({@code teams.auth.mode}, {@code users.overrides["anna@example.com"]},
 * {@code mapping.dnd[1]}), and the JVM-wide record of every key path a getter was asked for, which lets a test
 * check that every key the code reads is documented.
 */
final class KeyPaths {

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern INDEX = Pattern.compile("\\[\\d+]");
    /** Bounded by the number of distinct key paths (list indexes are folded to {@code []}). */
    private static final Set<String> ASKED = ConcurrentHashMap.newKeySet();
    private static final int ASKED_LIMIT = 10_000;

    private KeyPaths() {
    }

    /** The key path of a child key; a key that is not plain (letters, digits, _ and -) is quoted in brackets. */
    static String child(String parent, String key) {
        String part = PLAIN_KEY.matcher(key).matches() ? key : "[\"" + key + "\"]";
        if (parent == null || parent.isEmpty()) {
            return part;
        }
        return part.startsWith("[") ? parent + part : parent + "." + part;
    }

    /** Records that the key at {@code keyPath} was asked for, list indexes folded to {@code []}. */
    static void recordAsked(String keyPath) {
        if (ASKED.size() < ASKED_LIMIT) {
            ASKED.add(INDEX.matcher(keyPath).replaceAll("[]"));
        }
    }

    static Set<String> asked() {
        return Set.copyOf(ASKED);
    }
}
