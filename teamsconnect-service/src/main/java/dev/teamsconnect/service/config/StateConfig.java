package dev.teamsconnect.service.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code state} section.
 *
 * @param type     the state store provider ({@code state.type}): {@value #FILE} (default, the service checks
 *                 {@code state.file}) or another provider id such as {@code postgres}, which checks the other keys of
 *                 the section itself ({@link #providerValues})
 * @param file     where holds (each held user's own prior DND) are kept across restarts with type {@value #FILE}, default
 *                 {@code teamsconnect-state.json}; created owner-only
 * @param providerValues the section without {@code type}, for a provider other than {@value #FILE} (after
 *                 {@code ${NAME}} substitution; may hold a password: never printed)
 */
public record StateConfig(String type, Path file, Map<String, Object> providerValues) {

    public static final Path DEFAULT_FILE = Path.of("teamsconnect-state.json");
    public static final String FILE = "file";

    public StateConfig(Path file) {
        this(FILE, file, Map.of());
    }

    public StateConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(file, "file");
        providerValues = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(providerValues));
    }

    public boolean isFile() {
        return FILE.equals(type);
    }

    @Override
    public String toString() {
        return isFile() ? "StateConfig[file=" + file + "]" : "StateConfig[type=" + type + ", keys=" + providerValues.keySet() + "]";
    }
}
