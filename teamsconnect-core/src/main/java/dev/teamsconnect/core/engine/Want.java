package dev.teamsconnect.core.engine;

/** The wanted DND, already filtered by the sink's capabilities. */
enum Want {
    ON, OFF,
    /** No DND wanted: the user's own value (the engine restores or releases what it holds). */
    USERS_OWN;

    /** From the policy's form: {@code null} means the user's own. */
    static Want of(Boolean dnd) {
        return dnd == null ? USERS_OWN : of(dnd.booleanValue());
    }

    static Want of(boolean dnd) {
        return dnd ? ON : OFF;
    }

    boolean isUsersOwn() {
        return this == USERS_OWN;
    }

    /** The wanted value; only for {@link #ON} and {@link #OFF}. */
    boolean dnd() {
        if (this == USERS_OWN) {
            throw new IllegalStateException("USERS_OWN has no DND value");
        }
        return this == ON;
    }
}
