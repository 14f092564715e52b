package dev.teamsconnect.graph;

import java.util.Locale;

/** How {@link GraphPresenceSource} signs in to Microsoft Entra ID. */
public enum GraphAuthMode {
    /**
     * App-only sign-in with a client secret or certificate; application permissions {@code Presence.Read.All} and
     * {@code User.Read.All}. The recommended mode: no service user, no MFA prompts, no refresh token to expire.
     */
    CLIENT_CREDENTIALS("client-credentials"),
    /**
     * Delegated sign-in of a (service) user with a device code shown in the log and to a {@link GraphSignInListener};
     * works with MFA. The token cache is persisted so a restart needs no new code.
     */
    DEVICE_CODE("device-code"),
    /**
     * Legacy delegated username/password sign-in (OAuth ROPC). Fails for accounts with MFA and for federated
     * accounts; Microsoft deprecates it. Kept for installations migrating from tools that used it.
     */
    PASSWORD("password");

    private final String configValue;

    GraphAuthMode(String configValue) {
        this.configValue = configValue;
    }

    /** The value used in the config file ({@code teams.auth.mode}). */
    public String configValue() {
        return configValue;
    }

    /** Parses a config value (case-insensitive); {@code null} when it is none of them. */
    static GraphAuthMode fromConfig(String value) {
        for (GraphAuthMode m : values()) {
            if (m.configValue.equals(value.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }

    /** Whether a user signs in (delegated permissions) rather than the app itself. */
    public boolean delegated() {
        return this != CLIENT_CREDENTIALS;
    }
}
