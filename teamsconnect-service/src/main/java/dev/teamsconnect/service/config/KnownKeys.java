package dev.teamsconnect.service.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The keys of the service's own sections: the one place to extend when a service key is added (and
 * docs/configuration.md). Plugin sections (teams, starface, ...) are owned and checked by their plugins.
 */
final class KnownKeys {

    static final Set<String> ROOT = ordered("users", "mapping", "pbxToTeams", "state", "ha", "server", "source", "sink",
            "outputs");
    static final Set<String> USERS = ordered("scope", "group", "overrides", "refreshInterval");
    static final Set<String> MAPPING = ordered("language", "dnd", "chatStatus", "graceAfterCall", "debounce", "manualDnd",
            "releaseOnShutdown", "failOpenAfter");
    static final Set<String> PBX_TO_TEAMS = ordered("dnd", "calls", "sessionLength", "readInterval");
    /** The keys of {@code state} with {@code type: file}; another store type owns the keys besides {@code type}. */
    static final Set<String> STATE = ordered("type", "file");
    static final Set<String> HA = ordered("mode", "takeoverAfter");
    static final Set<String> SERVER = ordered("bind", "port", "auth");
    static final Set<String> SERVER_AUTH = ordered("username", "passwordHash", "tokenHash");
    static final Set<String> PLUGIN = ordered("type");
    /** The one key of an {@code outputs} entry the service reads; the rest belongs to the output's provider. */
    static final String OUTPUT_TYPE = "type";

    private static final Map<String, Set<String>> BY_SECTION = new LinkedHashMap<>();

    static {
        BY_SECTION.put("users", USERS);
        BY_SECTION.put("mapping", MAPPING);
        BY_SECTION.put("pbxToTeams", PBX_TO_TEAMS);
        BY_SECTION.put("state", STATE);
        BY_SECTION.put("ha", HA);
        BY_SECTION.put("server", SERVER);
        BY_SECTION.put("source", PLUGIN);
    }

    private KnownKeys() {
    }

    /** "belongs under X" for a service key put at the wrong level ("graceAfterCall" at the top), if it is one. */
    static Optional<String> elsewhere(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Set<String>> e : BY_SECTION.entrySet()) {
            for (String known : e.getValue()) {
                if (known.toLowerCase(Locale.ROOT).equals(k)) {
                    return Optional.of("; \"" + key + "\" belongs under " + e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    private static Set<String> ordered(String... keys) {
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(java.util.List.of(keys)));
    }
}
