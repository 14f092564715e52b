package dev.teamsconnect.service.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code teams} section: where and how to read Teams presence through Microsoft Graph.
 *
 * @param tenantId      the Entra ID tenant (GUID or domain)
 * @param clientId      the application (client) ID of the app registration
 * @param auth          how to sign in
 * @param authorityHost the sign-in host, default {@code https://login.microsoftonline.com}
 * @param graphBaseUrl  the Graph API base, default {@code https://graph.microsoft.com/v1.0}
 * @param pollInterval  how often presence is read, default 5 s
 */
public record TeamsConfig(String tenantId, String clientId, TeamsAuth auth, URI authorityHost, URI graphBaseUrl,
                          Duration pollInterval) {

    public static final URI DEFAULT_AUTHORITY_HOST = URI.create("https://login.microsoftonline.com");
    public static final URI DEFAULT_GRAPH_BASE_URL = URI.create("https://graph.microsoft.com/v1.0");
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

    public TeamsConfig {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(authorityHost, "authorityHost");
        Objects.requireNonNull(graphBaseUrl, "graphBaseUrl");
        Objects.requireNonNull(pollInterval, "pollInterval");
    }
}
