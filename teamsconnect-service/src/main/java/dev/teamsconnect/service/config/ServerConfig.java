package dev.teamsconnect.service.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code server} section: the page and the /health, /metrics and /status endpoints.
 *
 * @param bind the address to listen on, default {@code 127.0.0.1} (loopback only)
 * @param port the TCP port, default 8080; {@code 0} turns the endpoints off
 * @param auth who may see the page, /status and /metrics; required when {@code bind} is not loopback
 */
public record ServerConfig(String bind, int port, Auth auth) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    /**
     * {@code server.auth}: basic auth (a user name and the hash of its password) and/or a bearer token (its hash).
     * Only hashes are kept; {@link #toString()} shows none.
     *
     * @param username     the basic auth user name, or empty
     * @param passwordHash the hash of the basic auth password, or empty (set together with {@code username})
     * @param tokenHash    the hash of a bearer token ({@code Authorization: Bearer ...}), or empty
     */
    public record Auth(Optional<String> username, Optional<SecretHash> passwordHash, Optional<SecretHash> tokenHash) {

        public static final Auth NONE = new Auth(Optional.empty(), Optional.empty(), Optional.empty());

        public Auth {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(passwordHash, "passwordHash");
            Objects.requireNonNull(tokenHash, "tokenHash");
        }

        /** Whether any credential is configured (then every request but /health needs one). */
        public boolean required() {
            return passwordHash.isPresent() || tokenHash.isPresent();
        }

        @Override
        public String toString() {
            return "Auth[" + (passwordHash.isPresent() ? "basic " + username.orElse("?") : "")
                    + (passwordHash.isPresent() && tokenHash.isPresent() ? ", " : "")
                    + (tokenHash.isPresent() ? "bearer token" : "") + (required() ? "" : "none") + "]";
        }
    }

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(auth, "auth");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, but was " + port);
        }
    }

    /** Loopback without authentication. */
    public ServerConfig(String bind, int port) {
        this(bind, port, Auth.NONE);
    }

    /** Whether the endpoints are served (port is not 0). */
    public boolean enabled() {
        return port != 0;
    }
}
