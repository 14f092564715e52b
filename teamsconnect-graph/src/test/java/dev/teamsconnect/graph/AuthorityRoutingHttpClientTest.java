package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthorityRoutingHttpClientTest {

    private final AuthorityRoutingHttpClient onPort = new AuthorityRoutingHttpClient(URI.create("https://127.0.0.1:8443"),
            TrustMaterial.of(List.of()).sslContext(), java.time.Duration.ofSeconds(5), AuthorityRoutingHttpClient.BODY_LIMIT);

    @Test
    void sendsPortlessRequestsForTheAuthorityHostToTheAuthorityPort() {
        assertThat(onPort.route(URI.create("https://127.0.0.1/tenant/oauth2/v2.0/token?x=1")))
                .isEqualTo(URI.create("https://127.0.0.1:8443/tenant/oauth2/v2.0/token?x=1"));
    }

    @Test
    void leavesOtherHostsAndExplicitPortsAlone() {
        assertThat(onPort.route(URI.create("https://login.microsoftonline.com/t/oauth2/v2.0/token")))
                .isEqualTo(URI.create("https://login.microsoftonline.com/t/oauth2/v2.0/token"));
        assertThat(onPort.route(URI.create("https://127.0.0.1:9000/t"))).isEqualTo(URI.create("https://127.0.0.1:9000/t"));
    }

    @Test
    void changesNothingForMicrosoftsDefaultPort() {
        AuthorityRoutingHttpClient microsoft = new AuthorityRoutingHttpClient(URI.create("https://login.microsoftonline.com"),
                TrustMaterial.of(List.of()).sslContext(), java.time.Duration.ofSeconds(5), AuthorityRoutingHttpClient.BODY_LIMIT);
        URI u = URI.create("https://login.microsoftonline.com/t/oauth2/v2.0/token");
        assertThat(microsoft.route(u)).isSameAs(u);
    }
}
