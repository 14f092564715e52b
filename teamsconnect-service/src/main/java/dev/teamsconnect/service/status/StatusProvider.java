package dev.teamsconnect.service.status;

import java.util.List;

/**
 * What the /health and /status endpoints show. Called on HTTP threads, concurrently with the sync: implementations
 * must be thread-safe and return quickly (no network I/O). {@link StatusBoard} is the standard implementation that
 * the engine wiring feeds.
 */
public interface StatusProvider {

    /** The facts for /health. */
    HealthSnapshot health();

    /** All known users for /status, in a stable order. */
    List<UserStatus> users();
}
