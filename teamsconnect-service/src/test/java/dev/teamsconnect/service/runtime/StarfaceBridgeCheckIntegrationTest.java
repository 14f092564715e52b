package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} with {@code starface.bridge} against the STARFACE emulator over real HTTP: a bridge that answers is
 * reported with its version, a missing one (no module, or another instance name) and a wrong secret fail the check
 * with the key to fix, and the secret appears nowhere in the output.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StarfaceBridgeCheckIntegrationTest {

    private static final String CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String CLIENT_SECRET = "right-client-secret-1234";
    private static final String PBX_PASSWORD = "right-pbx-password-5678";
    private static final String BRIDGE_SECRET = "bridge-secret-7f3a-91c2-e4d8";

    private static GraphEmulator graph;
    private static StarfaceEmulator withBridge;
    private static StarfaceEmulator withoutBridge;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        graph = GraphEmulator.builder().start();
        graph.registerSecretClient(CLIENT_ID, CLIENT_SECRET);
        graph.addUser("ann@example.com", "Ann Lee", true);
        withBridge = StarfaceEmulator.builder().user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .user("ann", "pw-ann", "ann@example.com", "Ann", "Lee", false)
                .bridge("TeamsConnectBridge", BRIDGE_SECRET).start();
        withoutBridge = StarfaceEmulator.builder().user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .user("ann", "pw-ann", "ann@example.com", "Ann", "Lee", false).start();
    }

    @AfterAll
    static void stop() {
        withBridge.close();
        withoutBridge.close();
        graph.close();
    }

    private int check(StarfaceEmulator pbx, String instance, String secret) throws Exception {
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
                  baseUrl: %s
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                  requestTimeout: 2s
                  maxRetries: 0
                  bridge:
                    instance: %s
                    secret: ${STARFACE_BRIDGE_SECRET}
                state:
                  file: %s
                """.formatted(graph.tenantId(), CLIENT_ID, graph.authorityHost(), graph.graphBaseUrl(),
                graph.writeCertificatePem(dir.resolve("graph.pem")), pbx.baseUrl(), instance, dir.resolve("state.json")));
        return TeamsConnectMain.execute(new String[] {"check", "--config", file.toString(), "--lang", "en"},
                Map.of("TEAMS_CLIENT_SECRET", CLIENT_SECRET, "STARFACE_PASSWORD", PBX_PASSWORD,
                        "STARFACE_BRIDGE_SECRET", secret),
                new EngineServiceRuntime(), Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aBridgeThatAnswersIsReportedWithItsVersion() throws Exception {
        int code = check(withBridge, "TeamsConnectBridge", BRIDGE_SECRET);
        String text = out + "\n" + err;
        assertThat(code).as(text).isZero();
        assertThat(text).contains("STARFACE bridge 'TeamsConnectBridge' answers: bridge ").contains("protocol 1")
                .contains("PBX ").doesNotContain(BRIDGE_SECRET);
    }

    @Test
    void aMissingBridgeFailsTheCheckAndSaysWhatToInstallAndWhichKeyToSet() throws Exception {
        int code = check(withoutBridge, "TeamsConnectBridge", BRIDGE_SECRET);
        String text = out + "\n" + err;
        assertThat(code).as(text).isEqualTo(1);
        assertThat(text).contains("no STARFACE bridge answers TeamsConnectBridge.version")
                .contains("starface.bridge.instance").contains("docs/starface-bridge.md").doesNotContain(BRIDGE_SECRET);
    }

    @Test
    void anotherInstanceNameIsAMissingBridgeToo() throws Exception {
        int code = check(withBridge, "OtherBridge", BRIDGE_SECRET);
        String text = out + "\n" + err;
        assertThat(code).as(text).isEqualTo(1);
        assertThat(text).contains("no STARFACE bridge answers OtherBridge.version").contains("starface.bridge.instance");
    }

    @Test
    void aWrongSecretFailsTheCheckNamingTheSecretKeyButNotTheValue() throws Exception {
        String wrong = "wrong-secret-0000-1111-2222";
        int code = check(withBridge, "TeamsConnectBridge", wrong);
        String text = out + "\n" + err;
        assertThat(code).as(text).isEqualTo(1);
        assertThat(text).contains("refused the secret").contains("starface.bridge.secret")
                .doesNotContain(wrong).doesNotContain(BRIDGE_SECRET);
    }
}
