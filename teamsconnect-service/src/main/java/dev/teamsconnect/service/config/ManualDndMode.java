package dev.teamsconnect.service.config;

/** What happens when a user changes DND by hand while the engine holds it ({@code mapping.manualDnd}). */
public enum ManualDndMode {
    /** The hand-made choice wins until presence stops wanting DND. */
    RESPECT("respect"),
    /** Teams presence always wins; a hand-made change is overwritten on the next cycle. */
    TEAMS_LEADS("teams-leads");

    private final String code;

    ManualDndMode(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
