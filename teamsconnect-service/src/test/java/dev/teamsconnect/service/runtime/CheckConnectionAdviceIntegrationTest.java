package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.service.runtime.FailureAdvice.Problem;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} with the real plugins against real sockets: each way of pointing at the wrong place gets the fix
 * for that case (not a generic "check the network", not the certificate advice for a plain port).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CheckConnectionAdviceIntegrationTest {

    private static final String CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String CLIENT_SECRET = "right-client-secret-1234";
    private static final String PBX_PASSWORD = "right-pbx-password-5678";

    private static GraphEmulator graph;
    private static StarfaceEmulator tlsPbx;
    private static StarfaceEmulator plainPbx;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        graph = GraphEmulator.builder().start();
        graph.registerSecretClient(CLIENT_ID, CLIENT_SECRET);
        graph.addUser("ann@example.com", "Ann Lee", true);
        tlsPbx = StarfaceEmulator.builder().user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .https().start();
        plainPbx = StarfaceEmulator.builder().user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .start();
    }

    @AfterAll
    static void stop() {
        tlsPbx.close();
        plainPbx.close();
        graph.close();
    }

    /** Runs check with the given starface section lines (baseUrl and tls) and teams.clientId; returns stdout. */
    private String check(String clientId, String starface) throws Exception {
        Path file = dir.resolve("teamsconnect.yaml");
        Files.writeString(file, """
                teams:
                  tenantId: %s
                  clientId: "%s"
                  auth:
                    clientSecret: ${TEAMS_CLIENT_SECRET}
                  authorityHost: %s
                  graphBaseUrl: %s
                  tls:
                    certificate: %s
                starface:
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                  requestTimeout: 2s
                  connectTimeout: 1s
                  maxRetries: 0
                %s
                state:
                  file: %s
                """.formatted(graph.tenantId(), clientId, graph.authorityHost(), graph.graphBaseUrl(),
                graph.writeCertificatePem(dir.resolve("graph.pem")), starface.indent(2).stripTrailing(),
                dir.resolve("state.json")));
        int code = TeamsConnectMain.execute(new String[] {"check", "--config", file.toString(), "--lang", "en"},
                Map.of("TEAMS_CLIENT_SECRET", CLIENT_SECRET, "STARFACE_PASSWORD", PBX_PASSWORD),
                new EngineServiceRuntime(), Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(out + "\n" + err).isEqualTo(1);
        return out.toString();
    }

    private static String fixLine(String text, String section) {
        List<String> fixes = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (l.strip().startsWith("fix:") && l.contains(section + ".")) {
                fixes.add(l.strip());
            }
        }
        assertThat(fixes).as(text).hasSize(1);
        return fixes.get(0);
    }

    private static String withScheme(URI base, String scheme) {
        return scheme + "://" + base.getHost() + ":" + base.getPort() + "/";
    }

    @Test
    void httpsToAPlainPortSaysThePortSpeaksPlainHttpNotToExportACertificate() throws Exception {
        // a web server in front of the PBX (as on the appliance) answers the TLS ClientHello at once with a plain
        // "400 Bad Request"; the JDK's HttpServer under the emulator instead waits for a line end (see the timeout
        // case below, whose fix names this possibility)
        try (ServerSocket plain = new ServerSocket(0)) {
            Thread server = new Thread(() -> {
                try {
                    while (true) {
                        try (Socket s = plain.accept()) {
                            s.getInputStream().read(new byte[512]);
                            s.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            server.setDaemon(true);
            server.start();
            String fix = fixLine(check(CLIENT_ID, "baseUrl: https://127.0.0.1:" + plain.getLocalPort() + "/"), "starface");

            assertThat(fix).contains("speaks plain HTTP").contains(Problem.TLS_TO_PLAIN_PORT.docs())
                    .doesNotContain("certificate");
        }
    }

    @Test
    void httpsToThePlainEmulatorPortIsATimeoutWhoseFixNamesAPlainPort() throws Exception {
        String fix = fixLine(check(CLIENT_ID, "baseUrl: " + withScheme(plainPbx.baseUrl(), "https")), "starface");

        assertThat(fix).contains("did not answer in time").contains("plain HTTP port").contains(Problem.TIMEOUT.docs());
    }

    @Test
    void httpToATlsPortSaysToWriteHttps() throws Exception {
        String fix = fixLine(check(CLIENT_ID, "baseUrl: " + withScheme(tlsPbx.baseUrl(), "http")), "starface");

        assertThat(fix).contains("write https://").contains(Problem.PLAIN_TO_TLS_PORT.docs());
    }

    @Test
    void anUnusedPortSaysNothingAcceptsConnections() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String fix = fixLine(check(CLIENT_ID, "baseUrl: http://127.0.0.1:" + port + "/"), "starface");

        assertThat(fix).contains("nothing accepts connections").contains(Problem.CONNECTION_REFUSED.docs());
    }

    @Test
    void aHostNameThatCannotResolveSaysSo() throws Exception {
        String fix = fixLine(check(CLIENT_ID, "baseUrl: https://nohost.invalid/"), "starface");

        assertThat(fix).contains("cannot be resolved").contains(Problem.UNKNOWN_HOST.docs());
    }

    @Test
    void aPortThatAcceptsButNeverAnswersIsATimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // held open, never answered
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String fix = fixLine(check(CLIENT_ID, "baseUrl: http://127.0.0.1:" + silent.getLocalPort() + "/"), "starface");

            assertThat(fix).contains("did not answer in time").contains(Problem.TIMEOUT.docs());
        }
    }

    @Test
    void aCertificateThatDoesNotMatchThePinNamesThePin() throws Exception {
        String fix = fixLine(check(CLIENT_ID, """
                baseUrl: %s
                tls:
                  certificate: %s
                  pin: "%s"
                """.formatted(tlsPbx.baseUrl(), tlsPbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem")),
                "ab".repeat(32))), "starface");

        assertThat(fix).contains("starface.tls.pin").contains(Problem.PIN_MISMATCH.docs());
    }

    @Test
    void anUntrustedCertificateSaysToSetTheCertificate() throws Exception {
        String fix = fixLine(check(CLIENT_ID, "baseUrl: " + tlsPbx.baseUrl()), "starface");

        assertThat(fix).contains("starface.tls.certificate").contains(Problem.UNTRUSTED_CERTIFICATE.docs());
    }

    @Test
    void aWrongClientIdNamesTheClientIdNotTheSecret() throws Exception {
        String text = check("ffffffff-0000-0000-0000-000000000000", """
                baseUrl: %s
                tls:
                  certificate: %s
                """.formatted(tlsPbx.baseUrl(), tlsPbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem"))));
        String fix = fixLine(text, "teams");

        assertThat(text).contains("AADSTS700016").doesNotContain("auth.clientSecret");
        assertThat(fix).contains("teams.clientId").doesNotContain("clientSecret").contains(Problem.WRONG_CLIENT_ID.docs());
    }
}
