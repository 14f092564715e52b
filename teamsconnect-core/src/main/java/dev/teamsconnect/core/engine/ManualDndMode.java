package dev.teamsconnect.core.engine;

import java.util.Locale;
import java.util.Optional;

/**
 * What the engine does when a user changes DND by hand while the engine holds it ({@code mapping.manualDnd}).
 * Each mode has a stable {@link #code()}, the value written in the config file.
 */
public enum ManualDndMode {
    /** The hand-made choice wins for the rest of the episode (until presence stops wanting DND). Default. */
    RESPECT("respect"),
    /** Teams leads: the engine writes the desired DND again (the reference product's behaviour). */
    TEAMS_LEADS("teams-leads");

    private final String code;

    ManualDndMode(String code) {
        this.code = code;
    }

    /** The stable value used in the config file: {@code respect} or {@code teams-leads}. */
    public String code() {
        return code;
    }

    /** The mode with this code (case-insensitive), or empty. */
    public static Optional<ManualDndMode> fromCode(String code) {
        if (code == null) {
            return Optional.empty();
        }
        String c = code.strip().toLowerCase(Locale.ROOT);
        for (ManualDndMode m : values()) {
            if (m.code.equals(c)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
