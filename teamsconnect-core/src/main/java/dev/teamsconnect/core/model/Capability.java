package dev.teamsconnect.core.model;

/** What a {@link dev.teamsconnect.core.spi.PbxSink} can do. The engine only manages what the sink declares. */
public enum Capability {
    /** Read and write a user's do-not-disturb flag. */
    DND,
    /** Read and write a user's chat status text. */
    CHAT_STATUS,
    /** Drive busy-lamp-field keys that show the Teams state. */
    BUSY_LAMP,
    /** Show a Teams call as a PBX call state. */
    CALL_STATE,
    /** Report which users are on a PBX call ({@link dev.teamsconnect.core.spi.PbxSink#usersOnCall()}). */
    PBX_CALLS,
    /** Report DND changes made at the phone ({@link dev.teamsconnect.core.spi.PbxSink#onDndChanged}). */
    DND_EVENTS,
    /** List the members of a named PBX group (for {@code users.scope: group}). */
    GROUPS
}
