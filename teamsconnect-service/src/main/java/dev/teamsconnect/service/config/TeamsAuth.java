package dev.teamsconnect.service.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code teams.auth} section. Which fields are set depends on the {@link AuthMode}; the validator guarantees:
 * client-credentials has exactly one of clientSecret or certificate, password has username and password.
 * {@link #toString()} shows no secret (the {@link Secret} fields print as "(hidden)").
 *
 * @param mode                how to sign in
 * @param clientSecret        the app's client secret (client-credentials)
 * @param certificate         a PKCS#12 or PEM file with the app's certificate and key (client-credentials)
 * @param certificatePassword the password of the certificate file, if it has one
 * @param username            the service account (password mode)
 * @param password            the service account's password (password mode)
 * @param tokenCache          where delegated tokens are cached (created owner-only), default
 *                            {@code teamsconnect-tokens.json}
 */
public record TeamsAuth(AuthMode mode, Optional<Secret> clientSecret, Optional<Path> certificate,
                        Optional<Secret> certificatePassword, Optional<String> username, Optional<Secret> password,
                        Path tokenCache) {

    public static final Path DEFAULT_TOKEN_CACHE = Path.of("teamsconnect-tokens.json");

    public TeamsAuth {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(certificatePassword, "certificatePassword");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(tokenCache, "tokenCache");
    }
}
