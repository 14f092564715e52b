package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignInAdviceTest {

    @Test
    void anInvalidClientSecretPointsAtTheSecretKey() {
        String fix = SignInAdvice.forSource("teams", "Microsoft sign-in for app x in tenant y (client-credentials) was"
                + " rejected: invalid_client: AADSTS7000215: Invalid client secret provided.");

        assertThat(fix).startsWith("check teams.auth.clientSecret").contains("Value (not its ID)");
    }

    @Test
    void anUnknownAppPointsAtClientAndTenantId() {
        assertThat(SignInAdvice.forSource("teams", "rejected: unauthorized_client: AADSTS700016: Application not found"))
                .contains("teams.clientId").contains("teams.tenantId");
    }

    @Test
    void aRefusedTokenPointsAtTenantAndCloudNotAtPermissions() {
        String fix = SignInAdvice.forSource("teams", "POST /communications/getPresencesByUserId: Microsoft Graph refused"
                + " the access token (HTTP 401 even with a fresh token); no new token before 09:01:00Z");
        assertThat(fix).contains("teams.tenantId").contains("teams.graphBaseUrl").doesNotContain("Presence.Read.All");
    }

    @Test
    void aMissingPermissionPointsAtAdminConsent() {
        assertThat(SignInAdvice.forSource("teams", "listing users was refused by Microsoft Graph (HTTP 403): the app"
                + " needs application permissions Presence.Read.All and User.Read.All"))
                .contains("admin consent").contains("docs/azure-setup.md");
    }

    @Test
    void aRejectedStarfaceLoginPointsAtLoginIdAndPassword() {
        assertThat(SignInAdvice.forSink("starface", "STARFACE at https://pbx/ rejected the login of '0001' (HTTP 400)"))
                .startsWith("check starface.loginId and starface.password");
    }

    @Test
    void anUntrustedPbxCertificatePointsAtTheTlsCertificateKey() {
        assertThat(SignInAdvice.forSink("starface", "TLS handshake with STARFACE at https://pbx/ failed: PKIX path"
                + " building failed")).contains("export the PBX's certificate").contains("starface.tls.certificate");
    }

    @Test
    void anUnreachablePbxPointsAtTheBaseUrl() {
        assertThat(SignInAdvice.forSink("starface", "STARFACE at https://pbx/ did not answer GET /rest/login"))
                .contains("starface.baseUrl");
    }

    @Test
    void anUnknownMessageGetsTheGeneralHint() {
        assertThat(SignInAdvice.forSink("starface", "something odd")).contains("docs/troubleshooting.md");
    }
}
