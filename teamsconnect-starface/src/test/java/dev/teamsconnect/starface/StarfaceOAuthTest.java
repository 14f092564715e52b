package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StarfaceOAuthTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final URI PBX = URI.create("https://pbx.example.com/");

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static StarfaceOAuth.Realm realm(String doc) throws Exception {
        return StarfaceOAuth.readDiscovery(json(doc), PBX);
    }

    @Test
    void takesTheTokenEndpointFromTheDiscoveryDocumentWhicheverPathItHas() throws Exception {
        assertThat(realm("{\"token_endpoint\":\"https://pbx.example.com/auth/realms/pbx/oauth2/token\"}").tokenEndpoint())
                .isEqualTo(URI.create("https://pbx.example.com/auth/realms/pbx/oauth2/token"));
        assertThat(realm("{\"token_endpoint\":\"https://PBX.example.com:443/auth/realms/pbx/protocol/openid-connect/token\"}")
                .tokenEndpoint().getPath()).isEqualTo("/auth/realms/pbx/protocol/openid-connect/token");
    }

    @Test
    void choosesTheScopeLoginThenPbxLoginThenNone() throws Exception {
        String t = "\"token_endpoint\":\"https://pbx.example.com/t\"";
        assertThat(realm("{" + t + ",\"scopes_supported\":[\"openid\",\"pbx-login\",\"login\"]}").scope()).contains("login");
        assertThat(realm("{" + t + ",\"scopes_supported\":[\"openid\",\"pbx-login\"]}").scope()).contains("pbx-login");
        assertThat(realm("{" + t + ",\"scopes_supported\":[\"openid\",\"profile\"]}").scope()).isEmpty();
        assertThat(realm("{" + t + "}").scope()).isEmpty();
    }

    @Test
    void refusesATokenEndpointOnAnotherOriginAndIgnoresARevocationEndpointThere() throws Exception {
        for (String other : new String[] {"https://keycloak.internal/t", "http://pbx.example.com/t", "https://pbx.example.com:8443/t",
                "https://user@pbx.example.com/t"}) {
            assertThatThrownBy(() -> realm("{\"token_endpoint\":\"" + other + "\"}")).isInstanceOf(StarfaceOAuth.Unusable.class)
                    .hasMessageContaining("not the configured https://pbx.example.com");
        }
        assertThat(realm("{\"token_endpoint\":\"https://pbx.example.com/t\",\"revocation_endpoint\":\"https://elsewhere/r\"}")
                .revocationEndpoint()).isEmpty();
        assertThat(realm("{\"token_endpoint\":\"https://pbx.example.com/t\",\"revocation_endpoint\":\"https://pbx.example.com/r\"}")
                .revocationEndpoint()).contains(URI.create("https://pbx.example.com/r"));
        assertThatThrownBy(() -> realm("{\"token_endpoint\":\"/relative/t\"}")).isInstanceOf(StarfaceOAuth.Unusable.class);
    }

    @Test
    void anAnswerWithoutTokenEndpointOrPasswordGrantOffersNoRealm() {
        assertThatThrownBy(() -> StarfaceOAuth.readDiscovery(null, PBX)).isInstanceOf(StarfaceOAuth.NotOffered.class);
        assertThatThrownBy(() -> realm("{\"issuer\":\"x\"}")).isInstanceOf(StarfaceOAuth.NotOffered.class)
                .hasMessageContaining("no token_endpoint");
        assertThatThrownBy(() -> realm("{\"token_endpoint\":\"https://pbx.example.com/t\","
                + "\"grant_types_supported\":[\"client_credentials\"]}")).isInstanceOf(StarfaceOAuth.NotOffered.class)
                .hasMessageContaining("password grant");
    }

    @Test
    void readsTheTokenAnswerWithTheSourcesLifetimesAsFallback() throws Exception {
        StarfaceOAuth.Tokens t = StarfaceOAuth.readTokens(json("{\"access_token\":\"a\",\"expires_in\":120,"
                + "\"refresh_token\":\"r\",\"refresh_expires_in\":1800,\"token_type\":\"Bearer\"}")).orElseThrow();
        assertThat(t.expiresIn()).isEqualTo(Duration.ofSeconds(120));
        assertThat(t.refreshToken()).contains("r");
        assertThat(t.refreshExpiresIn()).isEqualTo(Duration.ofMinutes(30));

        StarfaceOAuth.Tokens bare = StarfaceOAuth.readTokens(json("{\"access_token\":\"a\",\"refresh_expires_in\":0}")).orElseThrow();
        assertThat(bare.expiresIn()).isEqualTo(Duration.ofSeconds(300));
        assertThat(bare.refreshToken()).isEmpty();
        assertThat(bare.refreshExpiresIn()).isEqualTo(Duration.ofHours(6));

        assertThat(StarfaceOAuth.readTokens(json("{\"access_token\":\"a\",\"token_type\":\"mac\"}"))).isEmpty();
        assertThat(StarfaceOAuth.readTokens(json("{\"access_token\":\" \"}"))).isEmpty();
        assertThat(StarfaceOAuth.readTokens(json("[]"))).isEmpty();
    }

    @Test
    void showsOnlyErrorCodesThatLookLikeOne() throws Exception {
        assertThat(StarfaceOAuth.errorCode(json("{\"error\":\"invalid_grant\",\"error_description\":\"x\"}"))).contains("invalid_grant");
        assertThat(StarfaceOAuth.errorCode(json("{\"error\":\"pw was hunter2 and more\"}"))).isEmpty();
        assertThat(StarfaceOAuth.errorCode(json("{\"code\":\"X\"}"))).isEmpty();
        assertThat(StarfaceOAuth.errorCode(null)).isEmpty();
    }

    @Test
    void encodesTheGrantsAsAForm() {
        String body = new String(StarfaceOAuth.encode(StarfaceOAuth.passwordGrant("rest-client-headless", "s&c=t",
                "0001", "p w+", Optional.of("login"))), StandardCharsets.UTF_8);
        assertThat(body).isEqualTo("grant_type=password&client_id=rest-client-headless&client_secret=s%26c%3Dt"
                + "&username=0001&password=p+w%2B&scope=login");
        assertThat(new String(StarfaceOAuth.encode(StarfaceOAuth.passwordGrant("c", "s", "u", "p", Optional.empty())),
                StandardCharsets.UTF_8)).doesNotContain("scope");
        assertThat(new String(StarfaceOAuth.encode(StarfaceOAuth.refreshGrant("c", "s", "r")), StandardCharsets.UTF_8))
                .isEqualTo("grant_type=refresh_token&client_id=c&client_secret=s&refresh_token=r");
    }
}
