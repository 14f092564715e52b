package dev.teamsconnect.graph;

import java.net.URI;

/**
 * The Microsoft cloud a tenant lives in ({@code teams.cloud}): it decides the sign-in authority, the Graph host
 * and so the token scopes ({@code https://<graph host>/.default}). {@code teams.authorityHost} and
 * {@code teams.graphBaseUrl} still override the endpoints (the scopes follow the Graph host actually used).
 *
 * <p>Facts from Microsoft's "Microsoft Graph national cloud deployments" page
 * (https://learn.microsoft.com/graph/deployments; summary in /work/shared/reference/graph-presence.md): US
 * Government L4 (GCC High) and L5 (DoD) sign in at {@code login.microsoftonline.us} and use
 * {@code graph.microsoft.us} and {@code dod-graph.microsoft.us}; China (operated by 21Vianet) signs in at
 * {@code login.chinacloudapi.cn} and uses {@code microsoftgraph.chinacloudapi.cn}. GCC (moderate) tenants use the
 * global endpoints. The presence API is offered in the global and both US Government clouds, not in China.
 * Apps are registered in the cloud's own Entra admin center.
 */
public enum GraphCloud {
    /** The global service (also US Government GCC moderate). */
    GLOBAL("global", "https://login.microsoftonline.com", "https://graph.microsoft.com/v1.0", true),
    /** US Government L4 (GCC High). */
    USGOV("usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0", true),
    /** US Government L5 (DoD). */
    USGOV_DOD("usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0", true),
    /** China, operated by 21Vianet: Microsoft Graph there has no presence API. */
    CHINA("china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0", false);

    private final String configValue;
    private final URI authorityHost;
    private final URI graphBaseUrl;
    private final boolean presence;

    GraphCloud(String configValue, String authorityHost, String graphBaseUrl, boolean presence) {
        this.configValue = configValue;
        this.authorityHost = URI.create(authorityHost);
        this.graphBaseUrl = URI.create(graphBaseUrl);
        this.presence = presence;
    }

    /** The value in the config file ({@code teams.cloud}). */
    public String configValue() {
        return configValue;
    }

    /** The Microsoft Entra ID sign-in host of this cloud. */
    public URI authorityHost() {
        return authorityHost;
    }

    /** The Microsoft Graph v1.0 base URL of this cloud. */
    public URI graphBaseUrl() {
        return graphBaseUrl;
    }

    /** Whether Microsoft Graph in this cloud has the presence API ({@code getPresencesByUserId}). */
    public boolean hasPresence() {
        return presence;
    }

    /** The Azure portal of this cloud (where its app registrations live), as the deployments page lists it. */
    public String portal() {
        return switch (this) {
            case GLOBAL -> "https://portal.azure.com";
            case USGOV, USGOV_DOD -> "https://portal.azure.us";
            case CHINA -> "https://portal.azure.cn";
        };
    }
}
