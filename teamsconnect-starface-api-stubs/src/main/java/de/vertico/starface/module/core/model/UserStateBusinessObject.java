package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. Gives any user's state by account id (SF-Modulefunctions ChangeUserPresence.java,
 * GetUserPresence.java). Fetched from the runtime environment's provider.
 */
public interface UserStateBusinessObject {

    UserState getUserState(int accountId);
}
