package dev.teamsconnect.service.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The keys the service knows, per section: the one place to extend when a key is added (and docs/configuration.md). */
final class KnownKeys {

    static final Set<String> ROOT = ordered("teams", "starface", "users", "mapping", "state", "server", "source", "sink");
    static final Set<String> TEAMS = ordered("tenantId", "clientId", "auth", "authorityHost", "graphBaseUrl", "pollInterval", "tls");
    static final Set<String> TEAMS_TLS = ordered("certificate");
    static final Set<String> TEAMS_AUTH = ordered("mode", "clientSecret", "certificate", "certificatePassword", "username",
            "password", "tokenCache");
    static final Set<String> STARFACE = ordered("baseUrl", "loginId", "password", "tls");
    static final Set<String> STARFACE_TLS = ordered("certificate", "pin");
    static final Set<String> USERS = ordered("scope", "group", "overrides");
    static final Set<String> MAPPING = ordered("language", "dnd", "chatStatus", "graceAfterCall", "debounce", "manualDnd",
            "releaseOnShutdown", "failOpenAfter");
    static final Set<String> STATE = ordered("file");
    static final Set<String> SERVER = ordered("bind", "port");
    static final Set<String> PLUGIN = ordered("type");

    private static final Map<String, Set<String>> BY_SECTION = new LinkedHashMap<>();

    static {
        BY_SECTION.put("teams", TEAMS);
        BY_SECTION.put("teams.auth", TEAMS_AUTH);
        BY_SECTION.put("teams.tls", TEAMS_TLS);
        BY_SECTION.put("starface", STARFACE);
        BY_SECTION.put("starface.tls", STARFACE_TLS);
        BY_SECTION.put("users", USERS);
        BY_SECTION.put("mapping", MAPPING);
        BY_SECTION.put("state", STATE);
        BY_SECTION.put("server", SERVER);
        BY_SECTION.put("source", PLUGIN);
        BY_SECTION.put("sink", PLUGIN);
    }

    private KnownKeys() {
    }

    /** The section where a key of this name lives, for keys put at the wrong level ("pollInterval" at the top). */
    static Optional<String> elsewhere(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Set<String>> e : BY_SECTION.entrySet()) {
            for (String known : e.getValue()) {
                if (known.toLowerCase(Locale.ROOT).equals(k)) {
                    return Optional.of(e.getKey());
                }
            }
        }
        return Optional.empty();
    }

    private static Set<String> ordered(String... keys) {
        return java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(java.util.List.of(keys)));
    }
}
