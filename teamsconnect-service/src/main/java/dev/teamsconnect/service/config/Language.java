package dev.teamsconnect.service.config;

/** The language of chat status texts ({@code mapping.language}). */
public enum Language {
    DE("de"),
    EN("en");

    private final String code;

    Language(String code) {
        this.code = code;
    }

    /** The code as written in the config and as taken by {@code PresenceCategory.displayName}. */
    public String code() {
        return code;
    }
}
