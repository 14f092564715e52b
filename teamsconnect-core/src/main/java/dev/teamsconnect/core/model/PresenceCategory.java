package dev.teamsconnect.core.model;

/**
 * The groups the engine decides on. The first five are the reference product's categories; AVAILABLE and
 * UNKNOWN complete the set. The {@link #code()} is stable and is what config files and state files use.
 */
public enum PresenceCategory {
    IN_A_CALL("IN_A_CALL", "Im Gespräch", "In a call"),
    BUSY("BUSY", "Beschäftigt", "Busy"),
    DO_NOT_DISTURB("DO_NOT_DISTURB", "Nicht stören", "Do not disturb"),
    AWAY("AWAY", "Abwesend", "Away"),
    OFFLINE("OFFLINE", "Abgemeldet", "Offline"),
    AVAILABLE("AVAILABLE", "Verfügbar", "Available"),
    UNKNOWN("UNKNOWN", "Unbekannt", "Unknown");

    private final String code;
    private final String german;
    private final String english;

    PresenceCategory(String code, String german, String english) {
        this.code = code;
        this.german = german;
        this.english = english;
    }

    public String code() {
        return code;
    }

    /** The category's name in the given language ("de" or "en"; anything else gives English). */
    public String displayName(String language) {
        return "de".equalsIgnoreCase(language) ? german : english;
    }

    /** Parses a {@link #code()} case-insensitively, accepting '-' for '_'. */
    public static PresenceCategory fromCode(String code) {
        if (code != null) {
            String normalized = code.trim().replace('-', '_');
            for (PresenceCategory c : values()) {
                if (c.code.equalsIgnoreCase(normalized)) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("unknown presence category \"" + code + "\"; expected one of "
                + java.util.Arrays.toString(values()));
    }
}
