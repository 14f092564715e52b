package dev.teamsconnect.service.config;

/** Which PBX users are synced ({@code users.scope}). */
public enum UserScope {
    /** Every PBX user that matches a Teams user. */
    ALL("all"),
    /** Only members of the PBX group named in {@code users.group}. */
    GROUP("group");

    private final String code;

    UserScope(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
