package dev.teamsconnect.testkit.graph;

/**
 * A directory user held by the {@link GraphEmulator}.
 *
 * @param id                the object id (a GUID), the key for presence requests
 * @param userPrincipalName the sign-in name
 * @param mail              the mail address, may be {@code null} as in Entra ID
 * @param displayName       the display name
 * @param enabled           {@code accountEnabled}
 */
public record EmulatedUser(String id, String userPrincipalName, String mail, String displayName, boolean enabled) {
}
