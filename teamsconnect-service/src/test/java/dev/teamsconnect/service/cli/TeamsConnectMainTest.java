package dev.teamsconnect.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.service.RunContext;
import dev.teamsconnect.service.ServiceRuntime;
import dev.teamsconnect.service.StopSignal;
import dev.teamsconnect.service.UnwiredServiceRuntime;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Runs {@code main}'s logic in-process with captured output and a fake engine runtime. */
class TeamsConnectMainTest {

    private static final String CLIENT_SECRET = "client-secret-4711";
    private static final String PBX_PASSWORD = "pbx-password-0815";
    private static final Map<String, String> ENV = Map.of("TEAMS_CLIENT_SECRET", CLIENT_SECRET, "STARFACE_PASSWORD", PBX_PASSWORD);

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T08:00:00Z"));
    private final FakeRuntime runtime = new FakeRuntime();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private ch.qos.logback.classic.Level rootLevel;

    @BeforeEach
    void captureLogsAtTrace() {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(ch.qos.logback.classic.Level.TRACE);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void noSecretAnywhere() {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(logs);
        root.setLevel(rootLevel);
        String everything = out + "\n" + err + "\n" + logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(everything).doesNotContain(CLIENT_SECRET).doesNotContain(PBX_PASSWORD);
    }

    private int main(String... args) {
        return TeamsConnectMain.execute(args, ENV, runtime, clock, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private Path config(String extra) throws IOException {
        String yaml = """
                teams:
                  tenantId: contoso.onmicrosoft.com
                  clientId: app-1
                  auth:
                    clientSecret: ${TEAMS_CLIENT_SECRET}
                starface:
                  baseUrl: https://pbx.example.com
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                """ + extra;
        return Files.writeString(dir.resolve("teamsconnect.yaml"), yaml);
    }

    @Test
    void logsTheEffectiveConfigAtDebugWithoutSecrets() throws IOException {
        assertThat(main("run", "--config", config("server:\n  port: 0\n").toString(), "--once")).isZero();

        assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .startsWith("Effective config: ServiceConfig[").contains("sections={")
                .doesNotContain("${"));
        // the secrets themselves are checked for in every test's output and logs, see noSecretAnywhere
    }

    @Test
    void printsHelpWithTheCommands() {
        assertThat(main("--help")).isZero();
        assertThat(out.toString()).contains("run").contains("check").contains("demo").contains("Exit codes");
    }

    @Test
    void printsTheVersionFromTheBuild() {
        assertThat(main("--version")).isZero();
        assertThat(out.toString()).startsWith("teamsconnect ").doesNotContain("unknown").doesNotContain("${");
    }

    @Test
    void exitsWith2WithoutACommandOrWithAnUnknownOption() {
        assertThat(main()).isEqualTo(2);
        assertThat(err.toString()).contains("missing command");
        assertThat(main("run", "--config", "x.yaml", "--fast")).isEqualTo(2);
        assertThat(err.toString()).contains("--fast");
    }

    @Test
    void exitsWith2WhenTheConfigFileIsMissing() {
        Path missing = dir.resolve("missing.yaml");

        assertThat(main("check", "--config", missing.toString())).isEqualTo(2);

        assertThat(err.toString()).contains(missing.toString()).contains("config file does not exist");
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    void exitsWith2AndNamesTheKeyPathForABadConfig() throws IOException {
        Path file = config("mapping:\n  graceAfterCall: 5 seconds\nserver:\n  prot: 8080\n");

        int code = main("run", "--config", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("mapping.graceAfterCall: must be a duration like 500ms, 5s, 2m, but was \"5 seconds\"")
                .contains("server.prot: is not a known key; did you mean \"port\"?")
                .doesNotContain("Exception");
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    void exitsWith2ForAnUnsetVariableNamingIt() throws IOException {
        Path file = config("");

        int code = TeamsConnectMain.execute(new String[] {"run", "--config", file.toString()}, Map.of("TEAMS_CLIENT_SECRET", "x"),
                runtime, clock, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("starface.password: environment variable STARFACE_PASSWORD is not set");
    }

    @Test
    void checksOnlyTheConfigWhenAsked() throws IOException {
        assertThat(main("check", "--config", config("").toString(), "--config-only")).isZero();

        assertThat(out.toString()).contains(": OK").contains("source: graph (section teams, checked by its plugin)")
                .contains("sink:   starface (section starface, checked by its plugin)");
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    void theConfigSummarySaysGroupOnceAndDurationsForPeople() throws IOException {
        assertThat(main("check", "--config", config("users:\n  scope: group\n  group: Sales\n").toString(),
                "--config-only")).as(err.toString()).isZero();

        assertThat(out.toString()).contains("users:  group 'Sales', 0 override(s), listed again every 15 min")
                .doesNotContain("group of group").doesNotContain("PT");
    }

    @Test
    void anUnknownReportFormatOrLanguageIsACommandLineError() throws IOException {
        assertThat(main("check", "--config", config("").toString(), "--format", "xml")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);
        assertThat(main("check", "--config", config("").toString(), "--lang", "fr")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);
        assertThat(err.toString()).contains("--format").contains("--lang");
    }

    @Test
    void demoRunAndReleaseRefuseAnUnknownLanguageAsACommandLineError() throws IOException {
        String config = config("").toString();
        assertThat(main("demo", "--lang", "fr")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);
        assertThat(main("run", "--config", config, "--once", "--lang", "fr")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);
        assertThat(main("release", "--config", config, "--lang", "fr")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);
        assertThat(err.toString()).contains("--lang").contains("fr");
        assertThat(runtime.calls).as("nothing ran").isEmpty();
    }

    @Test
    void configOnlyFindsWhatThePluginsRejectBeforeAnyRun() throws IOException {
        String yaml = Files.readString(config("")).replace("https://pbx.example.com", "http://pbx.example.com")
                .replace("  password: ${STARFACE_PASSWORD}\n", "  password: ${STARFACE_PASSWORD}\n  parallelism: 65\n  tls:\n"
                        + "    pin: sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
                .replace("  clientId: app-1\n", "  clientId: app-1\n  chunkSize: 0\n");
        Path file = Files.writeString(dir.resolve("teamsconnect.yaml"), yaml);

        assertThat(main("check", "--config", file.toString(), "--config-only")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);

        assertThat(err.toString()).contains("3 problems")
                .contains("teams.chunkSize: must be between 1 and 650, but was 0 (line 4)")
                .contains("starface.parallelism: must be between 1 and 64, but was 65 (line 11)")
                .contains("starface.tls: is set, but starface.baseUrl is plain http://");
        assertThat(out.toString()).isEmpty();
        assertThat(runtime.calls).isEmpty();
    }

    @Test
    void configOnlyReportsTheServicesAndThePluginsProblemsTogetherInFileOrder() throws IOException {
        Path file = config("  maxRetries: 11\nserver:\n  port: 70000\n");
        Files.writeString(file, Files.readString(file).replace("  clientId: app-1\n", "  clientId: app-1\n  pollIntervall: 5s\n"));

        assertThat(main("check", "--config", file.toString(), "--config-only")).isEqualTo(TeamsConnectMain.EXIT_CONFIG);

        assertThat(err.toString()).contains("3 problems");
        assertThat(err.toString().lines().filter(l -> l.startsWith("  ")).toList()).containsExactly(
                "  teams.pollIntervall: is not a known key; did you mean \"pollInterval\"? (line 4)",
                "  starface.maxRetries: must be between 0 and 10, but was 11 (line 11)",
                "  server.port: must be between 0 and 65535, but was 70000 (line 13)");
    }

    @Test
    void configOnlyAcceptsTheDocumentedTuningKeysAndBothPinForms() throws IOException {
        Path file = config("""
                  parallelism: 8
                  connectTimeout: 3s
                  requestTimeout: 20s
                  maxRetries: 5
                  recheckInterval: 0s
                  tls:
                    pin: sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
                users:
                  refreshInterval: 30m
                """);
        String yaml = Files.readString(file);
        assertThat(main("check", "--config", file.toString(), "--config-only")).as(err.toString()).isZero();
        Files.writeString(file, yaml.replace("sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                "\"E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55\""));
        assertThat(main("check", "--config", file.toString(), "--config-only")).as(err.toString()).isZero();
    }

    @Test
    void printsWarningsToStandardError() throws IOException {
        Path file = config("users:\n  group: Sales\n");

        assertThat(main("check", "--config", file.toString(), "--config-only")).isZero();

        assertThat(err.toString()).contains("warning: ").contains("users.group: ignored, because users.scope is all");
    }

    @Test
    void checkExitCodeFollowsTheRuntimeResult() throws IOException {
        Path file = config("");
        runtime.checkResult = true;
        assertThat(main("check", "--config", file.toString())).isZero();
        assertThat(out.toString()).contains("mapping report");

        runtime.checkResult = false;
        assertThat(main("check", "--config", file.toString())).isEqualTo(1);
    }

    @Test
    void runOnceHandsOptionsToTheRuntimeWithoutServingEndpoints() throws IOException {
        Path file = config("server:\n  port: " + freePort() + "\n");

        assertThat(main("run", "--config", file.toString(), "--once", "--dry-run")).isZero();

        RunContext context = runtime.lastRun;
        assertThat(context.once()).isTrue();
        assertThat(context.dryRun()).isTrue();
        assertThat(context.clock()).isSameAs(clock);
        assertThat(runtime.healthDuringRun).isNull();
    }

    @Test
    void runServesTheEndpointsWhileRunningAndStopsThemAfter() throws Exception {
        int port = freePort();
        Path file = config("server:\n  port: " + port + "\n");
        runtime.probePort = port;

        assertThat(main("run", "--config", file.toString())).isZero();

        assertThat(runtime.healthDuringRun).isNotNull();
        assertThat(runtime.healthDuringRun.statusCode()).isEqualTo(200);
        assertThat(runtime.healthDuringRun.body()).contains("\"status\" : \"UP\"");
        assertThat(runtime.lastRun.once()).isFalse();
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("the endpoints should be closed after run returns");
        } catch (ConnectException expected) {
            // closed, as it should be
        }
    }

    @Test
    void aTakenPortIsReportedInGermanWithLangDe() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path file = config("server:\n  port: " + taken.getLocalPort() + "\n");

            assertThat(main("run", "--config", file.toString(), "--lang", "de")).isEqualTo(1);

            assertThat(err.toString()).contains("server.port: kann nicht auf 127.0.0.1:" + taken.getLocalPort()
                    + " horchen").contains("einen anderen Port wählen");
        }
    }

    @Test
    void exitsWith1WhenThePortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path file = config("server:\n  port: " + taken.getLocalPort() + "\n");

            assertThat(main("run", "--config", file.toString(), "--lang", "en")).isEqualTo(1);

            assertThat(err.toString()).contains("server.port: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(runtime.calls).isEmpty();
        }
    }

    @Test
    void exitsWith2WhenAPluginRejectsItsSection() throws IOException {
        runtime.failure = new ConfigException("starface.loginId", "the PBX has no user with this login ID");

        assertThat(main("run", "--config", config("server:\n  port: 0\n").toString())).isEqualTo(2);

        assertThat(err.toString()).contains("starface.loginId: the PBX has no user with this login ID");
    }

    @Test
    void exitsWith1OnARuntimeFailureWithoutAStackTrace() throws IOException {
        runtime.failure = new IllegalStateException("PBX unreachable: connection refused");

        assertThat(main("run", "--config", config("server:\n  port: 0\n").toString())).isEqualTo(1);

        assertThat(err.toString()).contains("teamsconnect: PBX unreachable: connection refused").doesNotContain("\tat ");
    }

    @Test
    void saysClearlyWhenTheEngineIsNotInThisBuild() throws IOException {
        int code = TeamsConnectMain.execute(new String[] {"run", "--config", config("server:\n  port: 0\n").toString()}, ENV,
                new UnwiredServiceRuntime(), clock, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("does not contain the sync engine");
    }

    @Test
    void demoNeedsNoConfig() {
        assertThat(main("demo")).isZero();
        assertThat(runtime.calls).containsExactly("demo");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Records calls; optionally fails or probes /health while "running". */
    static final class FakeRuntime implements ServiceRuntime {
        final List<String> calls = new ArrayList<>();
        RuntimeException failure;
        boolean checkResult = true;
        RunContext lastRun;
        int probePort;
        HttpResponse<String> healthDuringRun;

        @Override
        public void run(RunContext context) throws Exception {
            calls.add("run");
            lastRun = context;
            if (failure != null) {
                throw failure;
            }
            StatusBoard status = context.status();
            status.signIn(StatusBoard.Side.SOURCE, SignInState.SIGNED_IN, null, context.clock().instant());
            status.signIn(StatusBoard.Side.SINK, SignInState.SIGNED_IN, null, context.clock().instant());
            status.cycleFinished(context.clock().instant(), true);
            if (probePort != 0) {
                healthDuringRun = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + probePort + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
        }

        @Override
        public boolean check(ServiceConfig config, PrintWriter out) {
            calls.add("check");
            out.println("mapping report: 0 matched");
            return checkResult;
        }

        @Override
        public boolean release(ServiceConfig config, PrintWriter out) {
            calls.add("release");
            return checkResult;
        }

        @Override
        public void demo(PrintWriter out, StopSignal stop) {
            calls.add("demo");
        }
    }
}
