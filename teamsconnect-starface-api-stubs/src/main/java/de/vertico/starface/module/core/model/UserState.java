package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. A user's state as {@link UserStateBusinessObject#getUserState} returns it; the setters are named
 * in the sources (SF-Modulefunctions ChangeUserPresence.java), the getters are assumed to mirror them
 * (GetUserPresence.java reads presence and text).
 */
public interface UserState {

    ChatPresence getChatPresence();

    String getChatPresenceMessage();

    void setChatPresence(ChatPresence presence);

    void setChatPresenceMessage(String message);
}
