package dev.teamsconnect.testkit.graph;

import java.time.Duration;

/**
 * A Graph request that arrived while its app was still told to wait by a 429 {@code Retry-After}.
 *
 * @param clientId the app that sent it
 * @param path     the request path
 * @param tooEarly how long before the end of the Retry-After it arrived
 */
public record EarlyRequest(String clientId, String path, Duration tooEarly) {
}
