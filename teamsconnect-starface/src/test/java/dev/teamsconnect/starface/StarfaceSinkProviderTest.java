package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StarfaceSinkProviderTest {

    @TempDir
    Path dir;

    private static Map<String, Object> valid() {
        Map<String, Object> m = new HashMap<>();
        m.put("baseUrl", "https://pbx.example.com");
        m.put("loginId", "0001");
        m.put("password", "s3cr3t-value");
        return m;
    }

    private static PbxSink create(Map<String, Object> values) {
        return new StarfaceSinkProvider().create(new ProviderConfig("starface", values));
    }

    private static void assertConfigError(Map<String, Object> values, String keyPath, String text) {
        assertThatThrownBy(() -> create(values)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).keyPath()).isEqualTo(keyPath))
                .hasMessageContaining(text)
                .hasMessageNotContaining("s3cr3t-value");
    }

    @Test
    void isFoundByTheServiceLoaderUnderIdStarface() {
        assertThat(ServiceLoader.load(PbxSinkProvider.class).stream().map(p -> p.get().id()))
                .contains("starface");
    }

    @Test
    void createsASinkFromAValidConfigWithoutNetworkIo() {
        try (PbxSink sink = create(valid())) {
            assertThat(sink.id()).isEqualTo("starface");
            assertThat(sink.toString()).contains("https://pbx.example.com").doesNotContain("s3cr3t-value");
        }
    }

    @Test
    void namesTheKeyOfEachBadSetting() {
        Map<String, Object> m = valid();
        m.remove("baseUrl");
        assertConfigError(m, "starface.baseUrl", "required");
        m = valid();
        m.put("baseUrl", "ftp://pbx");
        assertConfigError(m, "starface.baseUrl", "http or https");
        m = valid();
        m.put("baseUrl", "https://admin:pw@pbx.example.com");
        assertConfigError(m, "starface.baseUrl", "must not contain a user name or password");
        m = valid();
        m.remove("password");
        assertConfigError(m, "starface.password", "required");
        m = valid();
        m.remove("loginId");
        assertConfigError(m, "starface.loginId", "required");
        m = valid();
        m.put("parallelism", 0);
        assertConfigError(m, "starface.parallelism", "between 1 and 64");
        m = valid();
        m.put("maxRetries", "many");
        assertConfigError(m, "starface.maxRetries", "whole number");
        m = valid();
        m.put("requestTimeout", "0s");
        assertConfigError(m, "starface.requestTimeout", "> 0");
        m = valid();
        m.put("passwrd", "x");
        assertConfigError(m, "starface.passwrd", "unknown key");
        m = valid();
        m.put("tls", Map.of("pin", "abc"));
        assertConfigError(m, "starface.tls.pin", "SHA-256 fingerprint");
        m = valid();
        m.put("tls", Map.of("certificate", dir.resolve("missing.pem").toString()));
        assertConfigError(m, "starface.tls.certificate", "does not exist");
        m = valid();
        m.put("tls", Map.of("certifcate", "x"));
        assertConfigError(m, "starface.tls.certifcate", "unknown key");
    }

    @Test
    void rejectsAFileWithoutCertificates() throws Exception {
        Path notPem = Files.writeString(dir.resolve("empty.pem"), "hello");
        Map<String, Object> m = valid();
        m.put("tls", Map.of("certificate", notPem.toString()));
        assertConfigError(m, "starface.tls.certificate", notPem.toString());
    }

    @Test
    void acceptsCertificateAndPinAndATrailingRestPath() {
        SelfSignedCertificate cert = SelfSignedCertificate.forLocalhost();
        Path pem = cert.writePem(dir.resolve("pbx.pem"));
        Map<String, Object> m = valid();
        m.put("baseUrl", "https://pbx.example.com/rest/");
        m.put("tls", Map.of("certificate", pem.toString(), "pin", cert.sha256Fingerprint().toUpperCase()));
        m.put("parallelism", 8);
        m.put("connectTimeout", "2s");
        try (PbxSink sink = create(m)) {
            assertThat(sink.toString()).contains("https://pbx.example.com/,").contains("parallelism=8");
        }
    }

    @Test
    void refusesTlsSettingsForPlainHttp() {
        Map<String, Object> m = valid();
        m.put("baseUrl", "http://pbx.example.com");
        m.put("tls", Map.of("pin", SelfSignedCertificate.forLocalhost().sha256Fingerprint()));
        assertConfigError(m, "starface.tls", "plain http");
    }
}
