package dev.teamsconnect.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final Map<String, String> ENV = Map.of(
            "TEAMS_CLIENT_SECRET", "client-secret-4711",
            "STARFACE_PASSWORD", "pbx-password-0815");

    private static final String MINIMAL = """
            teams:
              tenantId: contoso.onmicrosoft.com
              clientId: app-1
              auth:
                clientSecret: ${TEAMS_CLIENT_SECRET}
            starface:
              baseUrl: https://pbx.example.com
              loginId: "0001"
              password: ${STARFACE_PASSWORD}
            """;

    private final ConfigLoader loader = new ConfigLoader(ENV);

    @Test
    void fillsInDocumentedDefaults() {
        ServiceConfig config = loader.parse(MINIMAL, "minimal.yaml");

        assertThat(config.source()).isEqualTo("graph");
        assertThat(config.sink()).isEqualTo("starface");
        // the Graph plugin's own default, as the engine gets it
        assertThat(new EngineWiring(config, PluginLookup.discover()).pollInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.users().scope()).isEqualTo(UserScope.ALL);
        assertThat(config.users().refreshInterval()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.users().overrides()).isEmpty();
        assertThat(config.mapping().language()).isEqualTo(Language.DE);
        assertThat(config.mapping().dnd()).containsExactlyInAnyOrder(
                PresenceCategory.IN_A_CALL, PresenceCategory.BUSY, PresenceCategory.DO_NOT_DISTURB);
        assertThat(config.mapping().chatStatus()).isTrue();
        assertThat(config.mapping().graceAfterCall()).isZero();
        assertThat(config.mapping().debounce()).isZero();
        assertThat(config.mapping().manualDnd()).isEqualTo(ManualDndMode.RESPECT);
        assertThat(config.mapping().releaseOnShutdown()).isTrue();
        assertThat(config.mapping().failOpenAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.state().file()).isEqualTo(Path.of("teamsconnect-state.json"));
        assertThat(config.server().bind()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().enabled()).isTrue();
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void substitutesEnvironmentVariables() {
        ServiceConfig config = new ConfigLoader(Map.of("TEAMS_CLIENT_SECRET", "abc", "STARFACE_PASSWORD", "p",
                "PBX_HOST", "pbx.example.com", "PBX_PORT", "8443"))
                .parse(MINIMAL.replace("https://pbx.example.com", "https://${PBX_HOST}:${PBX_PORT}"), "t");

        assertThat(config.sinkConfig().text("baseUrl")).contains("https://pbx.example.com:8443");
        assertThat(config.sourceConfig().child("auth").text("clientSecret")).contains("abc");
        assertThat(config.sinkConfig().text("password")).contains("p");
    }

    @Test
    void keepsDollarBraceWhenEscaped() {
        ServiceConfig config = loader.parse(MINIMAL.replace("password: ${STARFACE_PASSWORD}", "password: \"a$${NOT_A_VAR}b$c\""), "t");

        assertThat(config.sinkConfig().text("password")).contains("a${NOT_A_VAR}b$c");
    }

    @Test
    void treatsSubstitutedValuesAsPlainText() {
        // a variable's content must never add structure to the config, even if it looks like YAML
        String tricky = "x\nusers:\n  scope: group\n: [";
        ServiceConfig config = new ConfigLoader(Map.of("TEAMS_CLIENT_SECRET", "s", "STARFACE_PASSWORD", tricky))
                .parse(MINIMAL, "t");

        assertThat(config.sinkConfig().text("password")).contains(tricky.strip());
        assertThat(config.users().scope()).isEqualTo(UserScope.ALL);
    }

    @Test
    void namesTheUnsetVariableAndTheKey() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> new ConfigLoader(Map.of()).parse(MINIMAL, "t.yaml"));

        assertThat(e.problems()).extracting(ConfigProblem::describe).containsExactly(
                "teams.auth.clientSecret: environment variable TEAMS_CLIENT_SECRET is not set (line 5)",
                "starface.password: environment variable STARFACE_PASSWORD is not set (line 9)");
    }

    @Test
    void reportsAllProblemsTogether() {
        String yaml = MINIMAL + "users:\n  refreshInterval: 15 minutes\n"
                + "server:\n  port: 99999\n  bnd: 0.0.0.0\nmapping:\n  dnd: [CALL]\n";

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(yaml, "t.yaml"));

        assertThat(e.problems()).extracting(ConfigProblem::keyPath)
                .containsExactly("users.refreshInterval", "server.port", "server.bnd", "mapping.dnd[0]");
        assertThat(e.getMessage()).startsWith("t.yaml: 4 problems");
        assertThat(e.keyPath()).isEqualTo(e.problems().get(0).keyPath());
    }

    @Test
    void reportsYamlSyntaxErrorsWithLineButWithoutTheSourceLine() {
        String yaml = MINIMAL.replace("password: ${STARFACE_PASSWORD}", "password: \"unterminated-secret-value\n  x: [");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(yaml, "t.yaml"));

        assertThat(e.getMessage()).contains("is not valid YAML").doesNotContain("unterminated-secret-value");
        assertThat(e.problems().get(0).line()).isPositive();
    }

    @Test
    void rejectsEmptyAndNonMapFiles() {
        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> loader.parse("", "t")).getMessage())
                .contains("the file is empty");
        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> loader.parse("- a\n- b\n", "t")).getMessage())
                .contains("must be a map of sections");
        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(MINIMAL + "---\n" + MINIMAL, "t"))
                .getMessage()).contains("one YAML document");
    }

    @Test
    void reportsAMissingFileByName(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> loader.load(missing));

        assertThat(e.getMessage()).contains(missing.toString()).contains("config file does not exist");
    }

    @Test
    void keepsLeadingZerosOfUnquotedNumbers() {
        ServiceConfig config = loader.parse(MINIMAL.replace("loginId: \"0001\"", "loginId: 0001"), "t");

        assertThat(config.sinkConfig().text("loginId")).contains("0001");
    }

    @Test
    void parsesTheShippedExampleFile() {
        Path example = Path.of("..", "teamsconnect.example.yaml");
        assertThat(example).exists();

        ServiceConfig config = loader.load(example);

        assertThat(config.sourceConfig().child("auth").text("clientSecret")).contains("client-secret-4711");
        assertThat(config.sinkConfig().text("loginId")).contains("0001");
        assertThat(config.mapping().failOpenAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.warnings()).isEmpty();
        // and both plugins accept their sections of it
        assertThat(new EngineWiring(config, PluginLookup.discover()).validate()).isEmpty();
    }

    @Test
    void showsNoSecretInToString() {
        ServiceConfig config = loader.parse(MINIMAL, "t");

        assertThat(config.toString()).contains("teams").doesNotContain("client-secret-4711").doesNotContain("pbx-password-0815");
    }

    @Test
    void handsTheProviderSectionsWithLinesAndHiddenSubstitutionsToThePlugins() {
        ServiceConfig config = loader.parse(MINIMAL, "t");

        ProviderConfig teams = config.sourceConfig();
        assertThat(teams.prefix()).isEqualTo("teams");
        assertThat(teams.string("tenantId")).isEqualTo("contoso.onmicrosoft.com");
        // no plugin defaults are filled in by the service: the plugin owns them
        assertThat(teams.has("pollInterval")).isFalse();
        assertThat(teams.section("auth").string("clientSecret")).isEqualTo("client-secret-4711");
        assertThat(teams.section("auth").isHidden("clientSecret")).isTrue();
        ProviderConfig starface = config.sinkConfig();
        assertThat(starface.prefix()).isEqualTo("starface");
        assertThat(starface.string("loginId")).isEqualTo("0001");
        assertThat(starface.toString()).doesNotContain("pbx-password-0815");
        starface.problem("loginId", "is wrong");
        assertThat(starface.problems()).extracting(ConfigProblem::describe).containsExactly("starface.loginId: is wrong (line 8)");
    }

    @Test
    void passesTheSectionOfAnotherSinkThrough() {
        String yaml = "sink:\n  type: webhook\nwebhook:\n  url: https://hooks.example.com/x\n  anything: goes\n"
                + MINIMAL.substring(0, MINIMAL.indexOf("starface:"));

        ServiceConfig config = loader.parse(yaml, "t");

        assertThat(config.sink()).isEqualTo("webhook");
        assertThat(config.sinkConfig().prefix()).isEqualTo("webhook");
        assertThat(config.sinkConfig().keys()).containsExactly("url", "anything");
    }

    @Test
    void warnsAboutKeysTheChosenModeIgnores() {
        ServiceConfig config = loader.parse(MINIMAL.replace("    clientSecret:", "    username: svc@example.com\n    clientSecret:"), "t");

        assertThat(new EngineWiring(config, PluginLookup.discover()).validate())
                .containsExactly("teams.auth.username: ignored, because auth.mode is client-credentials");
    }

    @Test
    void acceptsEachAuthModeWithItsKeys(@TempDir Path dir) throws Exception {
        Path p12 = Files.write(dir.resolve("app.p12"), new byte[] {1, 2, 3});
        String certificate = MINIMAL.replace("clientSecret: ${TEAMS_CLIENT_SECRET}", "certificate: " + p12);
        String password = MINIMAL.replace("clientSecret: ${TEAMS_CLIENT_SECRET}",
                "mode: password\n    username: svc@example.com\n    password: ${TEAMS_CLIENT_SECRET}");
        String deviceCode = MINIMAL.replace("clientSecret: ${TEAMS_CLIENT_SECRET}", "mode: device-code");

        assertThat(new EngineWiring(loader.parse(password, "t"), PluginLookup.discover()).validate()).isEmpty();
        assertThat(new EngineWiring(loader.parse(deviceCode, "t"), PluginLookup.discover()).validate()).isEmpty();
        // the plugin reads the certificate file: three bytes are no PKCS#12 file, and the message says which key
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> new EngineWiring(loader.parse(certificate, "t"), PluginLookup.discover()).validate());
        assertThat(e.problems()).extracting(ConfigProblem::keyPath).containsExactly("teams.auth.certificate");
        assertThat(e.problems().get(0).line()).isEqualTo(5);
    }

    @Test
    void readsEveryMappingKey() {
        String yaml = MINIMAL + """
                mapping:
                  language: EN
                  dnd: [in-a-call, AWAY]
                  chatStatus: false
                  graceAfterCall: 1m30s
                  debounce: 500ms
                  manualDnd: teams-leads
                  releaseOnShutdown: no
                  failOpenAfter: 0s
                users:
                  scope: group
                  group: Sales
                  refreshInterval: 30m
                  overrides:
                    Anna.Schmidt@Example.com: "1001"
                server:
                  bind: ::1
                  port: 0
                """;

        ServiceConfig config = loader.parse(yaml, "t");

        MappingConfig m = config.mapping();
        assertThat(m.language()).isEqualTo(Language.EN);
        assertThat(m.dnd()).isEqualTo(Set.of(PresenceCategory.IN_A_CALL, PresenceCategory.AWAY));
        assertThat(m.chatStatus()).isFalse();
        assertThat(m.graceAfterCall()).isEqualTo(Duration.ofSeconds(90));
        assertThat(m.debounce()).isEqualTo(Duration.ofMillis(500));
        assertThat(m.manualDnd()).isEqualTo(ManualDndMode.TEAMS_LEADS);
        assertThat(m.releaseOnShutdown()).isFalse();
        assertThat(m.failOpenAfter()).isZero();
        assertThat(config.users().group()).contains("Sales");
        assertThat(config.users().refreshInterval()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.users().overrides()).containsExactly(Map.entry("anna.schmidt@example.com", "1001"));
        assertThat(config.server().enabled()).isFalse();
    }

    @Test
    void warnsAboutPlainTextSecretsInAFileOthersCanRead(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("c.yaml"), MINIMAL.replace("${STARFACE_PASSWORD}", "written-here"));
        org.junit.jupiter.api.Assumptions.assumeTrue(file.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        ServiceConfig shared = loader.load(file);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ServiceConfig private_ = loader.load(file);

        assertThat(shared.warnings()).containsExactly("starface.password: is written in plain text in a file that other users"
                + " can read (rw-r--r--); use ${NAME} from the environment, or chmod 600 the file");
        assertThat(private_.warnings()).isEmpty();
    }

    @Test
    void aTabInTheIndentationSaysTabWithItsLine() {
        String yaml = "teams:\n  tenantId: t\n\tclientId: c\n";

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(yaml, "t.yaml"));

        assertThat(e.getMessage()).contains("line 3, column 1: a tab character").contains("spaces only");
        assertThat(e.problems()).extracting(dev.teamsconnect.core.error.ConfigProblem::line).containsExactly(3);
    }

    @Test
    void aBadIndentationSaysIndentationWithItsLine() {
        String yaml = "teams:\n  tenantId: t\n  clientId: c\n    authorityHost: https://login.microsoftonline.com\n";

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(yaml, "t.yaml"));

        assertThat(e.getMessage()).contains("line 4: the indentation does not fit");
        assertThat(e.problems()).extracting(dev.teamsconnect.core.error.ConfigProblem::line).containsExactly(4);
    }

    @Test
    void aKeyIndentedLessThanItsSiblingsSaysIndentation() {
        String yaml = "teams:\n    tenantId: t\n  clientId: c\n";

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(yaml, "t.yaml"));

        assertThat(e.getMessage()).contains("line 3: the indentation does not fit");
    }
}
