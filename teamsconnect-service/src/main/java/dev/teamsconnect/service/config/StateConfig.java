package dev.teamsconnect.service.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code state} section.
 *
 * @param file where holds (each held user's own prior DND) are kept across restarts, default
 *             {@code teamsconnect-state.json}; created owner-only
 */
public record StateConfig(Path file) {

    public static final Path DEFAULT_FILE = Path.of("teamsconnect-state.json");

    public StateConfig {
        Objects.requireNonNull(file, "file");
    }
}
