package dev.teamsconnect.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmulatorServerTest {

    @Test
    void servesHttpsOnLoopbackWithTheCertificateAClientTrusts() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.forLocalhost();
        try (EmulatorServer server = EmulatorServer.start("test-emulator", 2, cert, ex -> {
            byte[] body = ("hello " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        })) {
            assertThat(server.baseUri().toString()).isEqualTo("https://127.0.0.1:" + server.port());
            HttpClient client = HttpClient.newBuilder().sslContext(cert.clientSslContext()).build();

            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/x")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello /x");
        }
    }

    @Test
    void servesPlainHttpWithoutACertificate() {
        try (EmulatorServer server = EmulatorServer.start("test-emulator", 1, null, ex -> ex.close())) {
            assertThat(server.baseUri().getScheme()).isEqualTo("http");
        }
    }
}
