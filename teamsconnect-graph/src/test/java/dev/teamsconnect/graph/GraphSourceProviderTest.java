package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config validation: every error names the key path and never echoes a secret. No network. */
class GraphSourceProviderTest {

    @TempDir
    Path dir;

    private static Map<String, Object> valid() {
        Map<String, Object> m = new HashMap<>();
        m.put("tenantId", "contoso-tenant");
        m.put("clientId", "app-id");
        m.put("auth", Map.of("mode", "client-credentials", "clientSecret", "super-secret-value"));
        return m;
    }

    private static ConfigException fails(Map<String, Object> cfg) {
        try {
            new GraphSourceProvider().create(new ProviderConfig("teams", cfg));
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void isFoundByServiceLoaderAsGraph() {
        assertThat(ServiceLoader.load(PresenceSourceProvider.class).stream().map(p -> p.get().id())).contains("graph");
    }

    @Test
    void buildsFromAValidSectionWithoutNetwork() {
        assertThat(new GraphSourceProvider().create(new ProviderConfig("teams", valid())).id()).isEqualTo("graph");
    }

    @Test
    void namesMissingTenant() {
        Map<String, Object> cfg = valid();
        cfg.remove("tenantId");
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.tenantId");
    }

    @Test
    void rejectsUnknownAuthModeNamingTheKey() {
        Map<String, Object> cfg = valid();
        cfg.put("auth", Map.of("mode", "magic"));
        ConfigException e = fails(cfg);
        assertThat(e.keyPath()).isEqualTo("teams.auth.mode");
        assertThat(e.getMessage()).contains("magic");
    }

    @Test
    void deviceCodeNeedsAWritableTokenCacheFile() {
        Map<String, Object> cfg = valid();
        cfg.put("auth", Map.of("mode", "device-code", "tokenCache", "/no/such/dir/tokens.json"));
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.auth.tokenCache");
    }

    @Test
    void deviceCodeDefaultsTheTokenCacheToTheDocumentedFile() {
        Map<String, Object> cfg = valid();
        cfg.put("auth", Map.of("mode", "device-code"));
        try (var source = new GraphSourceProvider().create(new ProviderConfig("teams", cfg))) {
            assertThat(source.toString()).contains("device-code");
        }
    }

    @Test
    void reportsEveryProblemOfTheSectionAtOnce() {
        Map<String, Object> cfg = valid();
        cfg.remove("clientId");
        cfg.put("chunkSize", "651");
        cfg.put("pollIntervall", "5s");
        cfg.put("presenceRequestsPer30s", "0");
        cfg.put("graphBaseUrl", "http://graph.example.com/v1.0");
        ConfigException e = fails(cfg);
        assertThat(e.problems()).extracting(p -> p.keyPath()).containsExactlyInAnyOrder("teams.clientId",
                "teams.chunkSize", "teams.pollIntervall", "teams.presenceRequestsPer30s", "teams.graphBaseUrl");
        assertThat(e.getMessage()).contains("did you mean \"pollInterval\"?").contains("must use https");
    }

    @Test
    void documentedTuningKeysAreAcceptedAndThePollIntervalReachesTheSource() {
        Map<String, Object> cfg = valid();
        cfg.put("pollInterval", "10s");
        cfg.put("chunkSize", "100");
        cfg.put("presenceRequestsPer30s", "600");
        try (var source = new GraphSourceProvider().create(new ProviderConfig("teams", cfg))) {
            assertThat(source.pollInterval()).contains(java.time.Duration.ofSeconds(10));
        }
    }

    @Test
    void userRefreshIntervalIsNoLongerAGraphKey() {
        Map<String, Object> cfg = valid();
        cfg.put("userRefreshInterval", "15m");
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.userRefreshInterval");
    }

    @Test
    void passwordModeNeedsAPasswordAndNeverEchoesIt() {
        Map<String, Object> cfg = valid();
        cfg.put("auth", Map.of("mode", "password", "username", "a@b.c"));
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.auth.password");
    }

    @Test
    void chunkSizeAbove650IsRejected() {
        Map<String, Object> cfg = valid();
        cfg.put("chunkSize", 651);
        ConfigException e = fails(cfg);
        assertThat(e.keyPath()).isEqualTo("teams.chunkSize");
        assertThat(e.getMessage()).contains("651");
    }

    @Test
    void plainHttpGraphUrlIsRejected() {
        Map<String, Object> cfg = valid();
        cfg.put("graphBaseUrl", "http://graph.example/v1.0");
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.graphBaseUrl");
    }

    @Test
    void wrongCertificatePasswordNamesTheFileNotThePassword() throws Exception {
        Path p12 = dir.resolve("app.p12");
        try (var emu = dev.teamsconnect.testkit.graph.GraphEmulator.builder().start()) {
            emu.registerCertificateClient("app-id", p12, "right-password".toCharArray());
        }
        Map<String, Object> cfg = valid();
        cfg.put("auth", Map.of("mode", "client-credentials", "certificate", p12.toString(), "certificatePassword", "wrong-password"));
        ConfigException e = fails(cfg);
        assertThat(e.keyPath()).isEqualTo("teams.auth.certificate");
        assertThat(e.getMessage()).contains(p12.toString()).doesNotContain("wrong-password");
    }

    @Test
    void trustedCertificateFileMustHoldACertificate() throws Exception {
        Path pem = Files.writeString(dir.resolve("bad.pem"), "not a certificate");
        Map<String, Object> cfg = valid();
        cfg.put("tls", Map.of("certificate", pem.toString()));
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.tls.certificate");
    }
}
