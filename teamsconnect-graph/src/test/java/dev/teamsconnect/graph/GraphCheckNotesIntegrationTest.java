package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.logging.LogCapture;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code check} learns from the Graph source: granted and missing permissions read from the emulator's access
 * tokens, the China cloud's missing presence API, the cloud's endpoints and scopes, the certificate's expiry.
 */
class GraphCheckNotesIntegrationTest {

    private static final String PUBLIC_APP = "99999999-8888-7777-6666-555555555555";
    private final GraphEmulator emu = GraphTestSupport.emulator();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        emu.close();
    }

    private static List<CheckNote> problems(List<CheckNote> notes) {
        return notes.stream().filter(n -> n.level() == CheckNote.Level.PROBLEM).toList();
    }

    @Test
    void reportsTheGrantedApplicationPermissionsFromTheRolesClaim() {
        emu.seedUsers(2);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            List<CheckNote> notes = source.checkNotes();
            assertThat(problems(notes)).isEmpty();
            assertThat(notes).anyMatch(n -> n.text().contains("application permissions granted (token claim roles)")
                    && n.text().contains("Presence.Read.All") && n.text().contains("User.Read.All"));
        }
    }

    @Test
    void listsAMissingPermissionWithTheAdminConsentUrl() {
        emu.seedUsers(2);
        emu.grantPermissions(GraphTestSupport.APP, "User.Read.All");
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            // Graph agrees with the report: presence is refused, users are listed
            assertThat(source.listUsers()).hasSize(2);
            assertThatThrownBy(() -> source.readPresence(List.of(emu.users().get(0).id())))
                    .isInstanceOf(TerminalException.class).hasMessageContaining("403");
            List<CheckNote> problems = problems(source.checkNotes());
            assertThat(problems).hasSize(1);
            String text = problems.get(0).text();
            assertThat(text).contains("missing application permission(s) of Microsoft Graph: Presence.Read.All (for reading Teams presence)")
                    .contains("granted (token claim roles): User.Read.All")
                    .contains(emu.authorityHost() + "/" + emu.tenantId() + "/adminconsent?client_id=" + GraphTestSupport.APP)
                    .doesNotContain(GraphTestSupport.SECRET);
        }
    }

    @Test
    void aBroaderPermissionCountsAsGranted() {
        emu.grantPermissions(GraphTestSupport.APP, "Presence.ReadWrite.All", "Directory.Read.All");
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThat(problems(source.checkNotes())).isEmpty();
        }
    }

    @Test
    void delegatedSignInIsCheckedAgainstTheScpClaim() {
        emu.registerPublicClient(PUBLIC_APP);
        emu.addUser("reader@contoso.test", "Reader", true, "Pa55-word!");
        emu.grantPermissions(PUBLIC_APP, "Presence.Read.All");
        try (GraphPresenceSource source = GraphTestSupport.base(emu).clientId(PUBLIC_APP)
                .password("reader@contoso.test", "Pa55-word!").build()) {
            source.open();
            List<CheckNote> problems = problems(source.checkNotes());
            assertThat(problems).hasSize(1);
            assertThat(problems.get(0).text()).contains("missing delegated permission(s) of Microsoft Graph: User.Read.All")
                    .contains("token claim scp").contains("Delegated permissions").doesNotContain("Pa55-word!");
        }
    }

    @Test
    void theChinaCloudSaysPlainlyThatPresenceIsNotAvailable() {
        emu.seedUsers(1);
        emu.grantPermissions(GraphTestSupport.APP, "User.Read.All");
        Map<String, Object> cfg = new LinkedHashMap<>(config());
        cfg.put("cloud", "china");
        ProviderConfig section = new ProviderConfig("teams", cfg);
        try (PresenceSource source = new GraphSourceProvider().create(section)) {
            assertThat(section.warnings()).anyMatch(w -> w.contains("teams.cloud") && w.contains("no presence API"));
            source.open();
            List<CheckNote> problems = problems(source.checkNotes());
            // presence is not there at all, so its permission is not asked for
            assertThat(problems).hasSize(1);
            assertThat(problems.get(0).text()).contains("teams.cloud is china").contains("no presence API")
                    .contains("cannot read anyone's Teams presence");
        }
    }

    private Map<String, Object> config() {
        Path pem = emu.writeCertificatePem(dir.resolve("emulator.pem"));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("tenantId", emu.tenantId());
        cfg.put("clientId", GraphTestSupport.APP);
        cfg.put("auth", Map.of("clientSecret", GraphTestSupport.SECRET));
        cfg.put("authorityHost", emu.authorityHost().toString());
        cfg.put("graphBaseUrl", emu.graphBaseUrl().toString());
        cfg.put("tls", Map.of("certificate", pem.toString()));
        return cfg;
    }

    @Test
    void eachCloudChoosesItsSignInHostGraphHostAndScopes() {
        Map<String, String[]> expected = Map.of(
                "global", new String[] {"https://login.microsoftonline.com", "https://graph.microsoft.com/v1.0"},
                "usgov", new String[] {"https://login.microsoftonline.us", "https://graph.microsoft.us/v1.0"},
                "usgov-dod", new String[] {"https://login.microsoftonline.us", "https://dod-graph.microsoft.us/v1.0"},
                "china", new String[] {"https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/v1.0"});
        for (var e : expected.entrySet()) {
            Map<String, Object> cfg = Map.of("tenantId", "contoso.onmicrosoft.com", "clientId", "app", "cloud", e.getKey(),
                    "auth", Map.of("clientSecret", "s"));
            try (GraphPresenceSource s = (GraphPresenceSource) new GraphSourceProvider().create(new ProviderConfig("teams", cfg))) {
                assertThat(s.cloud().configValue()).isEqualTo(e.getKey());
                assertThat(s.authorityHost()).hasToString(e.getValue()[0]);
                assertThat(s.graphBaseUrl()).hasToString(e.getValue()[1]);
            }
        }
        ProviderConfig bad = new ProviderConfig("teams", Map.of("tenantId", "t", "clientId", "app", "cloud", "usgovdod",
                "auth", Map.of("clientSecret", "s")));
        assertThatThrownBy(() -> new GraphSourceProvider().create(bad)).hasMessageContaining("teams.cloud")
                .hasMessageContaining("global, usgov, usgov-dod, china").hasMessageContaining("did you mean \"usgov-dod\"");
    }

    /**
     * Over real HTTP: with {@code cloud: usgov-dod} and only the sign-in host overridden (to the emulator), the token
     * is requested for the DoD Graph host: the scope follows the cloud's Graph host.
     */
    @Test
    void theTokenIsRequestedForTheCloudsGraphHost() throws Exception {
        try (GraphPresenceSource source = GraphPresenceSource.builder().tenantId(emu.tenantId()).clientId(GraphTestSupport.APP)
                .clientSecret(GraphTestSupport.SECRET).cloud(GraphCloud.USGOV_DOD).authorityHost(emu.authorityHost())
                .trustCertificate(emu.certificate()).build()) {
            String token = source.accessTokenProvider().getAuthorizationToken(
                    URI.create("https://dod-graph.microsoft.us/v1.0/users"), Map.of());
            String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
            assertThat(payload).contains("\"aud\":\"https://dod-graph.microsoft.us\"");
            // and the token never goes to the global Graph host
            assertThat(source.accessTokenProvider().getAuthorizationToken(
                    URI.create("https://graph.microsoft.com/v1.0/users"), Map.of())).isEmpty();
        }
        assertThat(emu.tokenRequests("client_credentials")).isEqualTo(1);
    }

    @Test
    void warnsThirtySevenAndOneDayBeforeTheCertificateExpires() throws Exception {
        X509Certificate cert = emu.registerCertificateClient("cert-app", dir.resolve("app.p12"), "pw".toCharArray());
        Instant notAfter = cert.getNotAfter().toInstant();
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(dir.resolve("app.p12"))) {
            ks.load(in, "pw".toCharArray());
        }
        java.security.PrivateKey key = (java.security.PrivateKey) ks.getKey("key", "pw".toCharArray());
        ManualClock clock = new ManualClock(notAfter.minus(Duration.ofDays(40)));
        emu.seedUsers(1);
        try (LogCapture log = LogCapture.info();
             GraphPresenceSource source = GraphTestSupport.base(emu).clientId("cert-app").clientCertificate(key, cert)
                     .clock(clock).build()) {
            assertThat(source.credentialExpiry()).contains(notAfter);
            source.open();
            assertThat(expiryLines(log)).isEmpty();
            assertThat(source.checkNotes()).anyMatch(n -> n.level() == CheckNote.Level.INFO && n.text().contains("valid until"));

            clock.set(notAfter.minus(Duration.ofDays(29)));
            source.listUsers();
            source.listUsers();
            assertThat(expiryLines(log)).hasSize(1).allMatch(l -> l.startsWith("WARN") && l.contains("less than 30 days"));
            assertThat(source.checkNotes()).anyMatch(n -> n.level() == CheckNote.Level.WARNING && n.text().contains("29 days left"));

            clock.set(notAfter.minus(Duration.ofDays(6)));
            source.listUsers();
            clock.set(notAfter.minus(Duration.ofHours(20)));
            source.listUsers();
            clock.set(notAfter.plusSeconds(1));
            source.listUsers();
            source.listUsers();
            List<String> lines = expiryLines(log);
            assertThat(lines).hasSize(4);
            assertThat(lines.get(1)).contains("less than 7 days").contains("6 days left");
            assertThat(lines.get(2)).contains("less than 1 day").contains("20 hours left");
            assertThat(lines.get(3)).startsWith("ERROR").contains("expired at " + notAfter);
            assertThat(problems(source.checkNotes())).anyMatch(n -> n.text().contains("client certificate expired"));
        }
    }

    private static List<String> expiryLines(LogCapture log) {
        return log.lines().stream().filter(l -> l.contains("CredentialExpiryWatch")).toList();
    }

    @Test
    void startingInsideAWindowWarnsOnlyForThatWindow() {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        CredentialExpiryWatch watch = new CredentialExpiryWatch(Instant.parse("2026-01-04T00:00:00Z"), "test certificate", clock);
        try (LogCapture log = LogCapture.info()) {
            watch.check();
            watch.check();
            assertThat(expiryLines(log)).hasSize(1).allMatch(l -> l.contains("less than 7 days") && l.contains("3 days left"));
        }
    }
}
