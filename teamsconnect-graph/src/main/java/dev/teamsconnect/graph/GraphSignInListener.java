package dev.teamsconnect.graph;

import dev.teamsconnect.core.error.TerminalException;

/**
 * Hears about sign-in events that need a person: a device code to enter, or a sign-in that stopped working.
 * Called on the thread that signs in (the engine's sync thread); implementations must return quickly and must
 * not throw.
 */
public interface GraphSignInListener {

    /** A device code sign-in started; the same message is logged at WARN. */
    default void deviceCodeRequired(DeviceCodePrompt prompt) {
    }

    /**
     * Sign-in stopped working (secret expired or rotated, refresh token revoked or expired, consent removed).
     * The source will not retry by itself: every later call fails with the same exception until it is rebuilt.
     */
    default void signInFailed(TerminalException failure) {
    }
}
