package dev.teamsconnect.core.model;

/**
 * A user of the telephone system.
 *
 * @param id          the PBX's own id for the user (for STARFACE the numeric user id); the key for state reads and writes
 * @param login       the login / extension name, or {@code null}
 * @param email       the e-mail address used to match the Teams user, or {@code null}
 * @param displayName a human-readable name; falls back to the login or id
 */
public record PbxUser(String id, String login, String email, String displayName) {

    public PbxUser {
        id = Checks.requireText(id, "PbxUser.id");
        login = Checks.blankToNull(login);
        email = Checks.blankToNull(email);
        String name = Checks.blankToNull(displayName);
        displayName = name != null ? name : (login != null ? login : id);
    }

    /** A short label for logs. */
    public String label() {
        return displayName + " (" + (login != null ? login : id) + ")";
    }
}
