package dev.teamsconnect.core.engine;

/** What the engine does when a user changes DND by hand while the engine holds it. */
public enum ManualDndMode {
    /** The hand-made choice wins for the rest of the episode (until presence stops wanting DND). Default. */
    RESPECT,
    /** Teams leads: the engine writes the desired DND again (the reference product's behaviour). */
    TEAMS_LEADS
}
