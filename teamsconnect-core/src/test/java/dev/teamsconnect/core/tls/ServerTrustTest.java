package dev.teamsconnect.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.spi.ProviderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls section's rules; the handshakes themselves are tested where a real server runs (teamsconnect-mqtt). */
class ServerTrustTest {

    @TempDir
    Path dir;

    @Test
    void acceptsBothPinForms() {
        String hex = "3A:1F:5B:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:C4";
        assertThat(ServerTrust.decodePin(hex)).isPresent();
        assertThat(ServerTrust.decodePin(hex.replace(":", "").toLowerCase())).isPresent();
        assertThat(ServerTrust.decodePin("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")).isPresent();
        assertThat(ServerTrust.decodePin("sha256/AAAA")).isEmpty();
        assertThat(ServerTrust.decodePin("12:34")).isEmpty();
        assertThat(ServerTrust.decodePin(null)).isEmpty();
    }

    @Test
    void anEmptySectionIsTheJvmDefaults() {
        ProviderConfig tls = new ProviderConfig("x.tls", Map.of());
        ServerTrust t = ServerTrust.read(tls);
        assertThat(tls.problems()).isEmpty();
        assertThat(t.isCustomized()).isFalse();
        assertThat(t.trustManager().getAcceptedIssuers()).isNotEmpty();
        assertThat(t.trustManagerFactory().getTrustManagers()).hasSize(1)
                .allSatisfy(tm -> assertThat(tm).isInstanceOf(javax.net.ssl.X509ExtendedTrustManager.class));
    }

    @Test
    void reportsEachBadKeyWithItsPath() throws Exception {
        Path notPem = Files.writeString(dir.resolve("x.pem"), "not a certificate");
        ProviderConfig tls = new ProviderConfig("outputs[0].tls", Map.of("certificate", notPem.toString(), "pin", "zz",
                "verify", "false"));
        ServerTrust.read(tls);
        assertThat(tls.problems()).extracting(Object::toString)
                .anySatisfy(p -> assertThat(p).contains("outputs[0].tls.certificate").contains("PEM"))
                .anySatisfy(p -> assertThat(p).contains("outputs[0].tls.pin").contains("SHA-256"))
                .anySatisfy(p -> assertThat(p).contains("outputs[0].tls.verify").contains("not a known key"));
    }
}
