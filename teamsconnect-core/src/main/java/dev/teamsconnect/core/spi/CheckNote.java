package dev.teamsconnect.core.spi;

import java.util.Objects;

/**
 * One finding a plugin reports to the {@code check} command beyond "signed in" and "users listed": a missing
 * permission with the link that grants it, a feature the configured cloud does not offer, a credential about to
 * expire. Plain text, no secrets.
 *
 * @param level how serious it is
 * @param text  what was found, one or more lines (a line may carry a URL to open)
 */
public record CheckNote(Level level, String text) {

    /** How serious a finding is; problems keep the service from working as configured. */
    public enum Level {
        /** Worth knowing, nothing to do. */
        INFO,
        /** Works now, but needs attention (e.g. a credential expiring soon). */
        WARNING,
        /** Keeps a configured feature from working. */
        PROBLEM
    }

    public CheckNote {
        Objects.requireNonNull(level, "level");
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("text must not be blank");
        }
    }
}
