package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink against an HTTPS emulator with a self-signed certificate. */
class StarfaceTlsIntegrationTest {

    @TempDir
    Path dir;

    private StarfaceEmulator pbx;
    private SelfSignedCertificate cert;

    @BeforeEach
    void start() {
        pbx = StarfaceEmulator.builder().user("0001", "secret-pw", "a@example.com", "Api", "User", false).https().start();
        cert = pbx.certificate().orElseThrow();
    }

    @AfterEach
    void stop() {
        pbx.close();
    }

    private PbxSink viaProvider(Map<String, Object> tls) {
        Map<String, Object> cfg = new java.util.HashMap<>(Map.of("baseUrl", pbx.baseUrl().toString(), "loginId", "0001",
                "password", "secret-pw", "maxRetries", 0));
        if (tls != null) {
            cfg.put("tls", tls);
        }
        return new StarfaceSinkProvider().create(new ProviderConfig("starface", cfg));
    }

    @Test
    void rejectsASelfSignedPbxWithoutItsCertificate() {
        try (PbxSink sink = viaProvider(null)) {
            assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("TLS handshake with STARFACE at " + pbx.baseUrl())
                    .hasMessageContaining("starface.tls.certificate");
        }
        assertThat(pbx.requestCounts()).isEmpty();
    }

    @Test
    void acceptsTheSelfSignedPbxWithItsPemFile() {
        Path pem = cert.writePem(dir.resolve("starface.pem"));
        try (PbxSink sink = viaProvider(Map.of("certificate", pem.toString()))) {
            sink.open();
            assertThat(sink.listUsers()).hasSize(1);
        }
        assertThat(pbx.loginCount()).isEqualTo(1);
    }

    @Test
    void acceptsAMatchingPinWithOrWithoutColons() {
        Path pem = cert.writePem(dir.resolve("starface.pem"));
        String hex = cert.sha256Fingerprint();
        String colons = hex.toUpperCase().replaceAll("(..)(?!$)", "$1:");
        for (String pin : List.of(hex, colons)) {
            try (PbxSink sink = viaProvider(Map.of("certificate", pem.toString(), "pin", pin))) {
                sink.open();
                assertThat(sink.listUsers()).hasSize(1);
            }
        }
    }

    @Test
    void refusesAPinMismatchEvenWithATrustedCertificate() {
        Path pem = cert.writePem(dir.resolve("starface.pem"));
        String otherPin = SelfSignedCertificate.forLocalhost().sha256Fingerprint();
        try (PbxSink sink = viaProvider(Map.of("certificate", pem.toString(), "pin", otherPin))) {
            assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class).hasMessageContaining("TLS");
        }
        assertThat(pbx.loginCount()).isZero();
    }

    @Test
    void aPinAloneDoesNotBypassCertificateTrust() {
        try (PbxSink sink = viaProvider(Map.of("pin", cert.sha256Fingerprint()))) {
            assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class).hasMessageContaining("TLS");
        }
        assertThat(pbx.loginCount()).isZero();
    }

    @Test
    void verifiesTheHostName() {
        SelfSignedCertificate elsewhere = SelfSignedCertificate.generate(List.of("pbx.example.invalid"));
        try (StarfaceEmulator other = StarfaceEmulator.builder().user("0001", "secret-pw", null, null, null, false)
                .https(elsewhere).start();
             StarfacePbxSink sink = StarfacePbxSink.builder().baseUrl(other.baseUrl()).loginId("0001").password("secret-pw")
                     .trustCertificate(elsewhere.certificate()).maxRetries(0).build()) {
            assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class).hasMessageContaining("TLS");
            assertThat(other.loginCount()).isZero();
        }
    }
}
