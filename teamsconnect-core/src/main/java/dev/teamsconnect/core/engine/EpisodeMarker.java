package dev.teamsconnect.core.engine;

/**
 * In-memory marker of the current episode: it began without a hold because the user's own DND already had the
 * wanted value ({@link #OWN_ON} / {@link #OWN_OFF}). If that value changes later in the same episode, the user
 * did it by hand.
 */
enum EpisodeMarker {
    NONE, OWN_ON, OWN_OFF;

    static EpisodeMarker own(boolean dnd) {
        return dnd ? OWN_ON : OWN_OFF;
    }

    /** From the form the engine's user track keeps: the user's own DND value, or {@code null} for none. */
    static EpisodeMarker of(Boolean ownDnd) {
        return ownDnd == null ? NONE : own(ownDnd);
    }

    /** The form the engine's user track keeps: the user's own DND value, or {@code null} for none. */
    Boolean ownDnd() {
        return this == NONE ? null : this == OWN_ON;
    }

    /** Whether this marks an episode whose own DND is the wanted one. */
    boolean matches(Want want) {
        return this != NONE && !want.isUsersOwn() && (this == OWN_ON) == want.dnd();
    }
}
