package dev.teamsconnect.core.error;

import java.util.Objects;

/**
 * One thing wrong with a configuration.
 *
 * @param keyPath the dotted key path, e.g. {@code teams.pollInterval} (list items as {@code mapping.dnd[1]}); the
 *                empty string for problems with the whole file
 * @param message what is wrong, e.g. {@code must be a duration like 500ms, 5s, 2m, but was "5 seconds"}; never
 *                contains a secret's value
 * @param line    the 1-based line in the config file, or 0 when unknown
 */
public record ConfigProblem(String keyPath, String message, int line) {

    public ConfigProblem {
        Objects.requireNonNull(keyPath, "keyPath");
        Objects.requireNonNull(message, "message");
    }

    /** {@code keyPath: message (line N)}. */
    public String describe() {
        String where = line > 0 ? " (line " + line + ")" : "";
        return (keyPath.isEmpty() ? message : keyPath + ": " + message) + where;
    }
}
