package dev.teamsconnect.core.mapping;

/**
 * What the policy wants for one PBX user right now. {@code null} for a field means "the user's own value":
 * the engine does not override it (and restores it if it held it).
 *
 * @param dnd        {@code true} to force DND on, {@code false} to force it off, {@code null} for the user's own
 * @param chatStatus the chat status text to show, or {@code null} for the user's own
 * @param reason     why, e.g. "Teams Busy/InACall -> DND on (policy IN_A_CALL)"
 */
public record DesiredState(Boolean dnd, String chatStatus, String reason) {

    public static DesiredState userOwn(String reason) {
        return new DesiredState(null, null, reason);
    }

    /** Whether this state overrides anything. */
    public boolean overrides() {
        return dnd != null || chatStatus != null;
    }
}
