package dev.teamsconnect.core.model;

import java.util.Objects;

/**
 * A Teams (Entra ID) user as the presence source lists it.
 *
 * @param id                the directory object id (a GUID for Graph); the key for presence reads
 * @param userPrincipalName the sign-in name; may be {@code null} for sources that have none
 * @param mail              the primary e-mail address; often {@code null} in Entra ID
 * @param displayName       a human-readable name; never {@code null} (falls back to the id)
 * @param enabled           whether the account can sign in
 */
public record TeamsUser(String id, String userPrincipalName, String mail, String displayName, boolean enabled) {

    public TeamsUser {
        id = Checks.requireText(id, "TeamsUser.id");
        userPrincipalName = Checks.blankToNull(userPrincipalName);
        mail = Checks.blankToNull(mail);
        displayName = Checks.blankToNull(displayName) == null ? id : displayName.trim();
    }

    /** A short label for logs: display name and the best address known. */
    public String label() {
        String address = mail != null ? mail : userPrincipalName;
        return address == null ? displayName : displayName + " <" + address + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TeamsUser u && id.equals(u.id) && enabled == u.enabled
                && Objects.equals(userPrincipalName, u.userPrincipalName) && Objects.equals(mail, u.mail)
                && displayName.equals(u.displayName);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }
}
