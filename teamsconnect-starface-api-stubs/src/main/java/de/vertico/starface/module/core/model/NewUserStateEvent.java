package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. Published after a user's state was changed, so clients see it
 * ({@code new NewUserStateEvent(accountId, state)}, SF-Modulefunctions ChangeUserPresence.java).
 */
public class NewUserStateEvent {

    public NewUserStateEvent(int accountId, UserState state) {
        throw new UnsupportedOperationException("compile-only stub");
    }
}
