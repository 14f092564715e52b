package dev.teamsconnect.service.config;

/** How the service signs in to Microsoft Entra ID ({@code teams.auth.mode}). */
public enum AuthMode {
    /** Application permissions with a client secret or a certificate; no user account needed. */
    CLIENT_CREDENTIALS("client-credentials"),
    /** Delegated permissions; an admin signs in once in a browser, the refresh token is cached. */
    DEVICE_CODE("device-code"),
    /** Delegated permissions with a service account's user name and password (no MFA possible). */
    PASSWORD("password");

    private final String code;

    AuthMode(String code) {
        this.code = code;
    }

    /** The value written in the config file. */
    public String code() {
        return code;
    }
}
