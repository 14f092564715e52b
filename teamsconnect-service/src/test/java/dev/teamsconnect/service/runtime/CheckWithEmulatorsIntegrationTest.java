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
 * {@code check} in-process with the plugins found by discovery (the real Graph source and STARFACE sink) against
 * both emulators over HTTPS: each sign-in problem is printed with its fix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckWithEmulatorsIntegrationTest {

    private static final String CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String CLIENT_SECRET = "right-client-secret-1234";
    private static final String PBX_PASSWORD = "right-pbx-password-5678";
    private static final String PUBLIC_CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    private static final String SVC_PASSWORD = "svc-password-9012";

    private static GraphEmulator graph;
    private static StarfaceEmulator pbx;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        graph = GraphEmulator.builder().start();
        graph.registerSecretClient(CLIENT_ID, CLIENT_SECRET);
        graph.addUser("ann@example.com", "Ann Lee", true);
        graph.registerPublicClient(PUBLIC_CLIENT_ID);
        graph.addUser("svc@example.com", "Service Account", true, SVC_PASSWORD);
        graph.addUser("gone@example.com", "Gone Away", false);
        pbx = StarfaceEmulator.builder()
                .user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .user("1001", "pw", "ann@example.com", "Ann", "Lee", false)
                .user("1002", "pw", "gone@example.com", "Gone", "Away", false)
                .https()
                .start();
    }

    @AfterAll
    static void stop() {
        pbx.close();
        graph.close();
    }

    private int check(String clientSecret, String pbxPassword, boolean trustGraph) throws Exception {
        return check(clientSecret, pbxPassword, trustGraph, "");
    }

    private int check(String clientSecret, String pbxPassword, boolean trustGraph, String teamsLines) throws Exception {
        return check(clientSecret, pbxPassword, trustGraph, teamsLines, "");
    }

    private int check(String clientSecret, String pbxPassword, boolean trustGraph, String teamsLines, String rootLines)
            throws Exception {
        Path file = dir.resolve("teamsconnect.yaml");
        Files.writeString(file, """
                teams:
                  tenantId: %s
                  clientId: "%s"
                  auth:
                    clientSecret: ${TEAMS_CLIENT_SECRET}
                  authorityHost: %s
                  graphBaseUrl: %s
                %s%s
                starface:
                  baseUrl: %s
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                  tls:
                    certificate: %s
                state:
                  file: %s
                %s""".formatted(graph.tenantId(), CLIENT_ID, graph.authorityHost(), graph.graphBaseUrl(),
                trustGraph ? "  tls:\n    certificate: " + graph.writeCertificatePem(dir.resolve("graph.pem")) : "", teamsLines,
                pbx.baseUrl(), pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem")), dir.resolve("state.json"),
                rootLines));
        int code = TeamsConnectMain.execute(new String[] {"check", "--config", file.toString()},
                Map.of("TEAMS_CLIENT_SECRET", clientSecret, "STARFACE_PASSWORD", pbxPassword),
                new EngineServiceRuntime(), Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(out + "\n" + err).doesNotContain(clientSecret).doesNotContain(pbxPassword);
        return code;
    }

    @Test
    void bothSidesWorkingPrintsTheMappingAndExitsZero() throws Exception {
        assertThat(check(CLIENT_SECRET, PBX_PASSWORD, true)).as(out + "\n" + err).isZero();

        assertThat(out.toString()).contains("User mapping: 3 problem(s):")
                .containsPattern("unmatched PBX +Api Account \\(0001\\) +no Teams user has the e-mail api@example.com")
                // the disabled Teams account is named as such, through the real Graph listing
                .containsPattern("disabled Teams +Gone Away <gone@example.com> +Gone Away \\(1002\\) +the Teams account"
                        + " with this e-mail is disabled")
                .contains("1 user matched, 1 disabled Teams account (not synced); check --all lists them.");
    }

    @Test
    void aWrongClientSecretNamesTheSecretKeyToCheck() throws Exception {
        assertThat(check("wrong-client-secret-0000", PBX_PASSWORD, true)).isEqualTo(1);

        assertThat(out.toString()).contains("FAILED").contains("invalid_client")
                .contains("fix: check teams.auth.clientSecret")
                // the other side is still checked and reported
                .contains("OK: signed in, 3 users listed").contains("Not ready");
    }

    @Test
    void anUntrustedGraphCertificateNamesTheTlsKeyAndNeverFallsBackToTrustingAll() throws Exception {
        assertThat(check(CLIENT_SECRET, PBX_PASSWORD, false)).isEqualTo(1);

        assertThat(out.toString()).contains("FAILED").contains("teams.tls.certificate");
    }

    @Test
    void aRejectedPbxLoginNamesLoginIdAndPassword() throws Exception {
        assertThat(check(CLIENT_SECRET, "wrong-pbx-password-0000", true)).isEqualTo(1);

        assertThat(out.toString()).contains("OK: signed in, 3 users listed")
                .contains("fix: check starface.loginId and starface.password");
    }

    @Test
    void aMissingPermissionIsListedWithTheAdminConsentUrlAndFailsTheCheck() throws Exception {
        graph.grantPermissions(CLIENT_ID, "User.Read.All");
        try {
            assertThat(check(CLIENT_SECRET, PBX_PASSWORD, true)).as(out + "\n" + err).isEqualTo(1);
        } finally {
            graph.grantPermissions(CLIENT_ID, GraphEmulator.DEFAULT_PERMISSIONS.toArray(String[]::new));
        }
        // 3 Teams users: the disabled account is listed too (flagged), so that check can name it
        assertThat(out.toString()).contains("OK: signed in, 3 users listed")
                .contains("PROBLEM: missing application permission(s) of Microsoft Graph: Presence.Read.All")
                .contains("granted (token claim roles): User.Read.All")
                .contains("    " + graph.authorityHost() + "/" + graph.tenantId() + "/adminconsent?client_id=" + CLIENT_ID)
                .contains("fix the PROBLEM(s) above");
    }

    @Test
    void withPbxToTeamsOnAMissingWritePermissionFailsTheCheckWithTheFixAndWithoutItIsNotAsked() throws Exception {
        graph.grantPermissions(CLIENT_ID, GraphEmulator.READ_PERMISSIONS.toArray(String[]::new));
        try {
            assertThat(check(CLIENT_SECRET, PBX_PASSWORD, true, "", "pbxToTeams:\n  dnd: in-a-call\n"))
                    .as(out + "\n" + err).isEqualTo(1);
            assertThat(out.toString()).contains("PROBLEM").contains("Presence.ReadWrite.All")
                    .contains("fix the PROBLEM(s) above");
            out.getBuffer().setLength(0);
            assertThat(check(CLIENT_SECRET, PBX_PASSWORD, true)).as("pbxToTeams off: writing is not checked")
                    .isZero();
            assertThat(out.toString()).doesNotContain("PROBLEM");
        } finally {
            graph.grantPermissions(CLIENT_ID, GraphEmulator.DEFAULT_PERMISSIONS.toArray(String[]::new));
        }
    }

    @Test
    void theChinaCloudIsReportedAsWithoutPresence() throws Exception {
        assertThat(check(CLIENT_SECRET, PBX_PASSWORD, true, "\n  cloud: china")).as(out + "\n" + err).isEqualTo(1);

        assertThat(out.toString()).contains("PROBLEM: teams.cloud is china: Microsoft Graph operated by 21Vianet has no presence API");
    }

    @Test
    void grantedPermissionsAreShownAsANote() throws Exception {
        assertThat(check(CLIENT_SECRET, PBX_PASSWORD, true)).isZero();

        assertThat(out.toString()).contains("note: application permissions granted (token claim roles): Presence.Read.All, Presence.ReadWrite.All, User.Read.All");
    }

    @Test
    void checkWritesNoTokenCacheAndNoStateFileWhileRunWould() throws Exception {
        Path tokens = dir.resolve("tokens.json");
        Path file = dir.resolve("password-mode.yaml");
        Files.writeString(file, """
                teams:
                  tenantId: %s
                  clientId: "%s"
                  auth:
                    mode: password
                    username: svc@example.com
                    password: ${TEAMS_PASSWORD}
                    tokenCache: %s
                  authorityHost: %s
                  graphBaseUrl: %s
                  tls:
                    certificate: %s
                starface:
                  baseUrl: %s
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                  tls:
                    certificate: %s
                state:
                  file: %s
                """.formatted(graph.tenantId(), PUBLIC_CLIENT_ID, tokens, graph.authorityHost(), graph.graphBaseUrl(),
                graph.writeCertificatePem(dir.resolve("graph.pem")), pbx.baseUrl(),
                pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem")), dir.resolve("state.json")));
        Map<String, String> env = Map.of("TEAMS_PASSWORD", SVC_PASSWORD, "STARFACE_PASSWORD", PBX_PASSWORD);
        java.util.Set<Path> before;
        try (var l = Files.list(dir)) {
            before = l.collect(java.util.stream.Collectors.toSet());
        }

        int code = TeamsConnectMain.execute(new String[] {"check", "--config", file.toString()}, env,
                new EngineServiceRuntime(), Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as(out + "\n" + err).isZero();
        assertThat(out.toString()).contains("Nothing was written");
        try (var l = Files.list(dir)) {
            assertThat(l.collect(java.util.stream.Collectors.toSet())).as("files after check").isEqualTo(before);
        }
        // the control: the same section as run gets it (writesNothing false) saves the signed-in token
        EngineWiring wiring = new EngineWiring(new dev.teamsconnect.service.config.ConfigLoader(env).load(file),
                PluginLookup.discover());
        try (var source = wiring.source()) {
            source.open();
            source.listUsers();
        }
        assertThat(tokens).exists();
    }
}
