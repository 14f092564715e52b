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
        assertConfigError(m, "starface.requestTimeout", "longer than 0");
        m = valid();
        m.put("passwrd", "x");
        assertConfigError(m, "starface.passwrd", "is not a known key; did you mean \"password\"?");
        m = valid();
        m.put("tls", Map.of("pin", "abc"));
        assertConfigError(m, "starface.tls.pin", "SHA-256 fingerprint");
        m = valid();
        m.put("tls", Map.of("certificate", dir.resolve("missing.pem").toString()));
        assertConfigError(m, "starface.tls.certificate", "does not exist");
        m = valid();
        m.put("tls", Map.of("certifcate", "x"));
        assertConfigError(m, "starface.tls.certifcate", "is not a known key; did you mean \"certificate\"?");
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

    @Test
    void acceptsThePinAsSha256Base64AsWellAsHex() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.forLocalhost();
        byte[] digest = java.util.HexFormat.of().parseHex(cert.sha256Fingerprint().replace(":", "").toLowerCase());
        String base64Pin = "sha256/" + java.util.Base64.getEncoder().encodeToString(digest);
        assertThat(StarfaceTls.parsePin("k", base64Pin)).isEqualTo(StarfaceTls.parsePin("k", cert.sha256Fingerprint()));
        Map<String, Object> m = valid();
        m.put("tls", Map.of("pin", base64Pin));
        try (PbxSink sink = create(m)) {
            assertThat(sink.id()).isEqualTo("starface");
        }
        m.put("tls", Map.of("pin", "sha256/AAAA"));
        assertConfigError(m, "starface.tls.pin", "sha256/<base64 of 32 bytes>");
    }

    @Test
    void reportsEveryProblemOfTheSectionAtOnce() {
        Map<String, Object> m = valid();
        m.remove("loginId");
        m.put("parallelism", "65");
        m.put("maxRetries", "11");
        m.put("connectTimeout", "soon");
        m.put("recheckInterval", "-1s");
        m.put("tls", Map.of("pin", "abc"));
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> create(m));
        assertThat(e.problems()).extracting(p -> p.keyPath()).containsExactlyInAnyOrder("starface.loginId",
                "starface.parallelism", "starface.maxRetries", "starface.connectTimeout", "starface.recheckInterval",
                "starface.tls.pin");
    }

    @Test
    void defaultsToSixteenRequestsInFlightAndAcceptsEveryDocumentedTuningKey() {
        try (PbxSink sink = create(valid())) {
            assertThat(sink.toString()).contains("parallelism=16");
        }
        Map<String, Object> m = valid();
        m.put("parallelism", "64");
        m.put("connectTimeout", "3s");
        m.put("requestTimeout", "20s");
        m.put("maxRetries", "0");
        m.put("recheckInterval", "0s");
        try (PbxSink sink = create(m)) {
            assertThat(sink.recheckInterval()).isEqualTo(java.time.Duration.ZERO);
        }
    }

    @Test
    void readsTheLoginAndTheOAuthClientWithTheirDefaults() {
        try (PbxSink sink = create(valid())) {
            assertThat(sink.toString()).contains("login=0001 (auto)");
        }
        Map<String, Object> m = valid();
        m.put("login", "OAuth");
        m.put("oauth", Map.of("clientId", "my-client", "clientSecret", "cl13nt-s3cr3t"));
        try (PbxSink sink = create(m)) {
            assertThat(sink.toString()).contains("(oauth)").doesNotContain("cl13nt-s3cr3t");
        }
        m.put("login", "nonce");
        m.put("oauth", Map.of());
        try (PbxSink sink = create(m)) {
            assertThat(sink.toString()).contains("(nonce)");
        }
    }

    @Test
    void namesTheKeyOfEachBadLoginSetting() {
        Map<String, Object> m = valid();
        m.put("login", "oath");
        assertConfigError(m, "starface.login", "must be one of auto, nonce, oauth, but was \"oath\"; did you mean \"oauth\"?");
        m = valid();
        m.put("login", "oauth");
        assertConfigError(m, "starface.oauth.clientSecret", "is required when starface.login is oauth");
        m = valid();
        m.put("oauth", Map.of("clientId", "rest client", "clientSecret", "x"));
        assertConfigError(m, "starface.oauth.clientId", "must not contain spaces");
        m = valid();
        m.put("oauth", Map.of("clientSecrt", "s3cr3t-value"));
        assertConfigError(m, "starface.oauth.clientSecrt", "did you mean \"clientSecret\"?");
        m = valid();
        m.put("oauth", "s3cr3t-value");
        assertConfigError(m, "starface.oauth", "must be a section with clientId and clientSecret");
    }

    @Test
    void neverShowsTheClientSecretInAMessage() {
        Map<String, Object> m = valid();
        m.put("oauth", Map.of("clientSecret", Map.of("s3cr3t-value", "x")));
        assertConfigError(m, "starface.oauth.clientSecret", "must be a single value");
        ProviderConfig c = new ProviderConfig("starface", Map.of("baseUrl", "https://pbx.example.com", "loginId", "0001",
                "password", "p", "login", "nonce", "oauth", Map.of("clientSecret", "s3cr3t-value")));
        try (PbxSink sink = new StarfaceSinkProvider().create(c)) {
            assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("starface.oauth").contains("not used"))
                    .allSatisfy(w -> assertThat(w).doesNotContain("s3cr3t-value"));
        }
    }

    @Test
    void neverShowsASubstitutedValue() {
        Map<String, Object> m = valid();
        m.put("loginId", "s3cr3t-value x");
        m.put("baseUrl", "s3cr3t-value");
        ProviderConfig c = ProviderConfig.of("starface", m, Map.of(), java.util.Set.of("starface.loginId", "starface.baseUrl"));
        assertThatThrownBy(() -> new StarfaceSinkProvider().create(c)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("starface.loginId").hasMessageContaining("starface.baseUrl")
                .hasMessageNotContaining("s3cr3t-value");
    }
}
