package dev.teamsconnect.graph;

import dev.teamsconnect.testkit.logging.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each sign-in mode end to end: real msal4j and the real Graph SDK against the emulator over HTTPS. */
class GraphSignInIntegrationTest {

    private static final String PUBLIC_APP = "99999999-8888-7777-6666-555555555555";
    private static final String ADMIN = "presence.reader@contoso.test";
    private static final String ADMIN_PASSWORD = "P@ssw0rd-never-logged";

    @TempDir
    Path dir;

    private GraphEmulator emu;

    @AfterEach
    void stop() {
        if (emu != null) {
            emu.close();
        }
    }

    private EmulatedUser seedReader() {
        emu.registerPublicClient(PUBLIC_APP);
        EmulatedUser u = emu.addUser(ADMIN, "Presence Reader", true, ADMIN_PASSWORD);
        emu.seedUsers(3);
        return u;
    }

    @Test
    void clientCertificateFromProviderConfigReadsUsers() throws Exception {
        emu = GraphEmulator.builder().start();
        emu.seedUsers(4);
        Path p12 = dir.resolve("app.p12");
        emu.registerCertificateClient(GraphTestSupport.APP, p12, "p12-pass".toCharArray());
        Path pem = emu.writeCertificatePem(dir.resolve("emulator.pem"));
        Map<String, Object> cfg = Map.of(
                "tenantId", emu.tenantId(),
                "clientId", GraphTestSupport.APP,
                "auth", Map.of("mode", "client-credentials", "certificate", p12.toString(), "certificatePassword", "p12-pass"),
                "authorityHost", emu.authorityHost().toString(),
                "graphBaseUrl", emu.graphBaseUrl().toString(),
                "tls", Map.of("certificate", pem.toString()));
        PresenceSourceProvider provider = ServiceLoader.load(PresenceSourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.id().equals("graph")).findFirst().orElseThrow();
        try (PresenceSource source = provider.create(new ProviderConfig("teams", cfg))) {
            source.open();
            assertThat(source.listUsers()).hasSize(4);
        }
        assertThat(emu.tokenRequests("client_credentials")).isEqualTo(1);
    }

    @Test
    void passwordSignInRefreshesSilentlyAfterExpiry() {
        emu = GraphEmulator.builder().start();
        seedReader();
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP).password(ADMIN, ADMIN_PASSWORD).build()) {
            source.open();
            List<String> ids = source.listUsers().stream().map(u -> u.id()).toList();
            assertThat(ids).hasSize(4);
            emu.expireAllTokens();
            assertThat(source.readPresence(ids).values()).hasSize(4);
        }
        assertThat(emu.tokenRequests("password")).isEqualTo(1);
        assertThat(emu.tokenRequests("refresh_token")).isEqualTo(1);
        // msal4j asks the user realm before a password grant; nothing else (no discovery) with validation off
        assertThat(emu.requestCounts().keySet()).anyMatch(p -> p.startsWith("/common/userrealm/"));
        assertThat(emu.unhandledRequests()).isEmpty();
    }

    @Test
    void deviceCodeSignInShowsMessageCompletesAfterPendingPollsAndSurvivesRestart() throws Exception {
        emu = GraphEmulator.builder().deviceCodeInterval(0).autoApproveDeviceCodes(2, ADMIN).start();
        seedReader();
        Path cache = dir.resolve("state").resolve("graph-token-cache.json");
        List<DeviceCodePrompt> prompts = new ArrayList<>();
        GraphSignInListener listener = new GraphSignInListener() {
            @Override
            public void deviceCodeRequired(DeviceCodePrompt prompt) {
                prompts.add(prompt);
            }
        };
        List<String> ids;
        try (LogCapture log = LogCapture.info();
             GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP).deviceCode(cache)
                     .signInListener(listener).build()) {
            source.open();
            assertThat(prompts).hasSize(1);
            assertThat(prompts.get(0).message()).contains(prompts.get(0).userCode()).contains("/devicelogin");
            assertThat(log.lines()).anyMatch(l -> l.contains("WARN") && l.contains(prompts.get(0).userCode()));
            assertThat(emu.pendingDeviceCodePolls()).isEqualTo(2);
            ids = source.listUsers().stream().map(u -> u.id()).toList();
            assertThat(source.readPresence(ids).values()).hasSize(4);
        }
        assertThat(cache).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
        assertThat(Files.readString(cache)).doesNotContain(ADMIN_PASSWORD);

        // restart: a new source over the same cache signs in without a new code, and refreshes silently after expiry
        emu.expireAllTokens();
        try (GraphPresenceSource again = GraphTestSupport.base(emu).clientId(PUBLIC_APP).deviceCode(cache)
                .signInListener(listener).build()) {
            again.open();
            assertThat(again.readPresence(ids).values()).hasSize(4);
        }
        assertThat(prompts).hasSize(1);
        assertThat(emu.deviceCodesIssued()).isEqualTo(1);
        assertThat(emu.tokenRequests("refresh_token")).isGreaterThanOrEqualTo(1);
        assertThat(emu.unhandledRequests()).isEmpty();
    }

    @Test
    void rotatedSecretIsATerminalAlertNotARetryLoop() {
        emu = GraphTestSupport.emulator();
        List<EmulatedUser> users = emu.seedUsers(2);
        List<TerminalException> alerts = new ArrayList<>();
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).signInListener(new GraphSignInListener() {
            @Override
            public void signInFailed(TerminalException failure) {
                alerts.add(failure);
            }
        }).build()) {
            source.open();
            List<String> ids = users.stream().map(EmulatedUser::id).toList();
            emu.changeClientSecret(GraphTestSupport.APP, "the-new-secret");
            emu.expireAllTokens();
            assertThatThrownBy(() -> source.readPresence(ids)).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("invalid_client").hasMessageNotContaining(GraphTestSupport.SECRET);
            int tokenRequests = emu.tokenRequests("client_credentials");
            assertThatThrownBy(() -> source.readPresence(ids)).isInstanceOf(TerminalException.class);
            assertThat(emu.tokenRequests("client_credentials")).isEqualTo(tokenRequests);
            assertThat(alerts).hasSize(1);
        }
    }

    @Test
    void unreadableTokenCacheIsReportedAndLeftAlone() throws Exception {
        emu = GraphEmulator.builder().deviceCodeInterval(0).autoApproveDeviceCodes(0, ADMIN).start();
        seedReader();
        Path cache = dir.resolve("cache.json");
        Files.writeString(cache, "this is not a token cache");
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP).deviceCode(cache).build()) {
            assertThatThrownBy(source::open).isInstanceOf(TerminalException.class).hasMessageContaining(cache.toString());
        }
        assertThat(Files.readString(cache)).isEqualTo("this is not a token cache");
        assertThat(emu.deviceCodesIssued()).isZero();
    }

    @Test
    void revokedRefreshTokenInDeviceCodeModeIsTerminalWithoutANewCode() {
        emu = GraphEmulator.builder().deviceCodeInterval(0).autoApproveDeviceCodes(0, ADMIN).start();
        seedReader();
        List<TerminalException> alerts = new ArrayList<>();
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP).deviceCode(dir.resolve("c.json"))
                .signInListener(new GraphSignInListener() {
                    @Override
                    public void signInFailed(TerminalException failure) {
                        alerts.add(failure);
                    }
                }).build()) {
            source.open();
            List<String> ids = source.listUsers().stream().map(u -> u.id()).toList();
            emu.revokeRefreshTokens();
            emu.expireAllTokens();
            assertThatThrownBy(() -> source.readPresence(ids)).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("invalid_grant");
            int refreshes = emu.tokenRequests("refresh_token");
            assertThatThrownBy(() -> source.readPresence(ids)).isInstanceOf(TerminalException.class);
            assertThat(emu.tokenRequests("refresh_token")).isEqualTo(refreshes);
            assertThat(emu.deviceCodesIssued()).isEqualTo(1);
            assertThat(alerts).hasSize(1);
        }
    }

    @Test
    void passwordModeSignsInAgainOnceWhenTheRefreshTokenIsRevoked() {
        emu = GraphEmulator.builder().start();
        seedReader();
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP).password(ADMIN, ADMIN_PASSWORD).build()) {
            source.open();
            List<String> ids = source.listUsers().stream().map(u -> u.id()).toList();
            emu.revokeRefreshTokens();
            emu.expireAllTokens();
            assertThat(source.readPresence(ids).values()).hasSize(4);
        }
        assertThat(emu.tokenRequests("password")).isEqualTo(2);
    }

    @Test
    void looseTokenCachePermissionsAreTightenedOnLoad() throws Exception {
        emu = GraphEmulator.builder().deviceCodeInterval(0).autoApproveDeviceCodes(0, ADMIN).start();
        seedReader();
        Path cache = dir.resolve("cache.json");
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP).deviceCode(cache).build()) {
            source.open();
        }
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rw-r--r--"));
        try (GraphPresenceSource again = GraphTestSupport.base(emu).clientId(PUBLIC_APP).deviceCode(cache).build()) {
            again.open();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
        assertThat(emu.deviceCodesIssued()).isEqualTo(1);
    }

    @Test
    void clientCertificateFromAPemFileSignsIn() throws Exception {
        emu = GraphEmulator.builder().start();
        emu.seedUsers(2);
        Path p12 = dir.resolve("app.p12");
        char[] pw = "p12-pass".toCharArray();
        emu.registerCertificateClient(GraphTestSupport.APP, p12, pw);
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, pw);
        }
        String alias = ks.aliases().nextElement();
        java.util.Base64.Encoder mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path pemFile = dir.resolve("app.pem");
        Files.writeString(pemFile, "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(ks.getKey(alias, pw).getEncoded())
                + "\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n"
                + mime.encodeToString(ks.getCertificate(alias).getEncoded()) + "\n-----END CERTIFICATE-----\n");
        Map<String, Object> cfg = Map.of(
                "tenantId", emu.tenantId(),
                "clientId", GraphTestSupport.APP,
                "auth", Map.of("mode", "client-credentials", "certificate", pemFile.toString()),
                "authorityHost", emu.authorityHost().toString(),
                "graphBaseUrl", emu.graphBaseUrl().toString(),
                "tls", Map.of("certificate", emu.writeCertificatePem(dir.resolve("emulator.pem")).toString()));
        try (PresenceSource source = new GraphSourceProvider().create(new ProviderConfig("teams", cfg))) {
            source.open();
            assertThat(source.listUsers()).hasSize(2);
        }
    }
}
