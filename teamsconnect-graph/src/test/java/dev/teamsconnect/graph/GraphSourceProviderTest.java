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
    void deviceCodeNeedsATokenCacheFile() {
        Map<String, Object> cfg = valid();
        cfg.put("auth", Map.of("mode", "device-code"));
        assertThat(fails(cfg).keyPath()).isEqualTo("teams.auth.tokenCache");
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
