package dev.teamsconnect.service.config;

import java.util.Objects;

/**
 * The {@code server} section: the /health, /metrics and /status endpoints.
 *
 * @param bind the address to listen on, default {@code 127.0.0.1} (loopback only)
 * @param port the TCP port, default 8080; {@code 0} turns the endpoints off
 */
public record ServerConfig(String bind, int port) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, but was " + port);
        }
    }

    /** Whether the endpoints are served (port is not 0). */
    public boolean enabled() {
        return port != 0;
    }
}
