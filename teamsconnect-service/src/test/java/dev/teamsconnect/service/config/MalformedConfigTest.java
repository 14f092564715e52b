package dev.teamsconnect.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each case breaks one thing in an otherwise valid config and checks that validating it (the service's sections and
 * then each plugin's, as {@code check --config-only} and {@code run} do) fails with a message naming the key path and
 * what is wrong, and that no secret value appears in the message.
 */
public class MalformedConfigTest {

    public static final String CLIENT_SECRET = "client-secret-from-env-4711";
    public static final String PBX_PASSWORD = "pbx-password-from-env-0815";
    public static final String LITERAL_SECRET = "literal-secret-in-file-1234";
    public static final Map<String, String> ENV = Map.of("TEAMS_CLIENT_SECRET", CLIENT_SECRET, "STARFACE_PASSWORD", PBX_PASSWORD);

    @TempDir
    public static Path dir;
    static Path emptyFile;
    static Path certificate;
    static Path notACertificate;

    static final String VALID = """
            teams:
              tenantId: contoso.onmicrosoft.com
              clientId: 11111111-1111-1111-1111-111111111111
              auth:
                mode: client-credentials
                clientSecret: ${TEAMS_CLIENT_SECRET}
              pollInterval: 5s
            starface:
              baseUrl: https://pbx.example.com
              loginId: "0001"
              password: ${STARFACE_PASSWORD}
            users:
              scope: all
            mapping:
              language: de
              dnd: [IN_A_CALL, BUSY, DO_NOT_DISTURB]
              chatStatus: true
              graceAfterCall: 0s
              manualDnd: respect
            server:
              bind: 127.0.0.1
              port: 8080
            """;

    @BeforeAll
    public static void files() throws IOException {
        emptyFile = Files.createFile(dir.resolve("empty.pem"));
        certificate = Files.writeString(dir.resolve("pbx.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        notACertificate = Files.writeString(dir.resolve("not-a-cert.pem"), "this is the PBX admin's note, not a certificate\n");
    }

    static String replace(String from, String to) {
        if (!VALID.contains(from)) {
            throw new IllegalArgumentException("base config has no " + from);
        }
        return VALID.replace(from, to);
    }

    static Arguments bad(String name, String yaml, String keyPath, String fragment) {
        return Arguments.of(name, yaml, keyPath, fragment);
    }

    /** The cases: name, YAML, expected key path, expected message fragment. Also run through the CLI. */
    public static Stream<Arguments> cases() {
        return Stream.of(
                bad("duration in words", replace("pollInterval: 5s", "pollInterval: 5 seconds"), "teams.pollInterval",
                        "must be a duration like 500ms, 5s, 2m, but was \"5 seconds\""),
                bad("zero poll interval", replace("pollInterval: 5s", "pollInterval: 0s"), "teams.pollInterval", "must be longer than 0"),
                bad("negative duration", replace("pollInterval: 5s", "pollInterval: -5s"), "teams.pollInterval", "\"-5s\""),
                bad("duration without unit", replace("graceAfterCall: 0s", "graceAfterCall: 10"), "mapping.graceAfterCall",
                        "must be a duration"),
                bad("misspelt key", replace("pollInterval: 5s", "pollIntervall: 5s"), "teams.pollIntervall",
                        "did you mean \"pollInterval\""),
                bad("misspelt section", replace("mapping:", "mappings:"), "mappings", "did you mean \"mapping\""),
                bad("key at the wrong level", VALID + "graceAfterCall: 5s\n", "graceAfterCall", "belongs under mapping"),
                bad("plugin key in the wrong plugin section", replace("pollInterval: 5s", "pollInterval: 5s\n  parallelism: 4"),
                        "teams.parallelism", "is not a known key"),
                bad("wrong case of a key", replace("tenantId:", "tenantID:"), "teams.tenantID", "did you mean \"tenantId\""),
                bad("unknown auth mode", replace("mode: client-credentials", "mode: secret"), "teams.auth.mode",
                        "must be one of client-credentials, device-code, password, but was \"secret\""),
                bad("client secret missing", replace("    clientSecret: ${TEAMS_CLIENT_SECRET}\n", ""), "teams.auth.clientSecret",
                        "is required for auth.mode client-credentials"),
                bad("secret and certificate", replace("    clientSecret: ${TEAMS_CLIENT_SECRET}\n",
                        "    clientSecret: ${TEAMS_CLIENT_SECRET}\n    certificate: " + certificate + "\n"),
                        "teams.auth.certificate", "either auth.clientSecret or auth.certificate"),
                bad("password mode without username", replace("mode: client-credentials", "mode: password\n    password: x"),
                        "teams.auth.username", "is required for auth.mode password"),
                bad("password mode without password", replace("mode: client-credentials", "mode: password\n    username: svc@example.com"),
                        "teams.auth.password", "is required for auth.mode password"),
                bad("username not a UPN", replace("mode: client-credentials", "mode: password\n    username: svc\n    password: x"),
                        "teams.auth.username", "must be a user principal name"),
                bad("certificate file missing", replace("    clientSecret: ${TEAMS_CLIENT_SECRET}\n",
                        "    certificate: " + dir.resolve("nope.p12") + "\n"), "teams.auth.certificate", "does not exist"),
                bad("certificate is a directory", replace("    clientSecret: ${TEAMS_CLIENT_SECRET}\n",
                        "    certificate: " + dir + "\n"), "teams.auth.certificate", "is not a regular file"),
                bad("certificate file empty", replace("    clientSecret: ${TEAMS_CLIENT_SECRET}\n",
                        "    certificate: " + emptyFile + "\n"), "teams.auth.certificate", "is empty"),
                bad("pbx certificate missing", replace("  password: ${STARFACE_PASSWORD}\n",
                        "  password: ${STARFACE_PASSWORD}\n  tls:\n    certificate: /nonexistent/pbx.pem\n"),
                        "starface.tls.certificate", "\"/nonexistent/pbx.pem\" does not exist"),
                bad("pbx certificate is not a certificate", replace("  password: ${STARFACE_PASSWORD}\n",
                        "  password: ${STARFACE_PASSWORD}\n  tls:\n    certificate: " + notACertificate + "\n"),
                        "starface.tls.certificate", "is not a readable PEM certificate"),
                bad("pbx certificate is a damaged PEM", replace("  password: ${STARFACE_PASSWORD}\n",
                        "  password: ${STARFACE_PASSWORD}\n  tls:\n    certificate: " + certificate + "\n"),
                        "starface.tls.certificate", "is not a readable PEM certificate"),
                bad("bad pin", replace("  password: ${STARFACE_PASSWORD}\n",
                        "  password: ${STARFACE_PASSWORD}\n  tls:\n    pin: md5/abc\n"), "starface.tls.pin", "must be a SHA-256 fingerprint"),
                bad("url without scheme", replace("baseUrl: https://pbx.example.com", "baseUrl: pbx"), "starface.baseUrl",
                        "must be an http or https URL like https://host.example.com, but was \"pbx\""),
                bad("ftp url", replace("baseUrl: https://pbx.example.com", "baseUrl: ftp://pbx.example.com"), "starface.baseUrl",
                        "must be an http or https URL"),
                bad("url with spaces", replace("baseUrl: https://pbx.example.com", "baseUrl: https://pbx example.com"),
                        "starface.baseUrl", "must be an http or https URL"),
                bad("url with credentials", replace("baseUrl: https://pbx.example.com", "baseUrl: https://admin:" + LITERAL_SECRET
                        + "@pbx.example.com"), "starface.baseUrl", "must not contain a user name or password"),
                bad("plain http to graph", VALID.replace("  pollInterval: 5s", "  pollInterval: 5s\n  graphBaseUrl: http://graph.example.com/v1.0"),
                        "teams.graphBaseUrl", "must use https"),
                bad("pbx url missing", replace("  baseUrl: https://pbx.example.com\n", ""), "starface.baseUrl", "is required"),
                bad("login id missing", replace("  loginId: \"0001\"\n", ""), "starface.loginId", "is required"),
                bad("pbx password missing", replace("  password: ${STARFACE_PASSWORD}\n", ""), "starface.password", "is required"),
                bad("pbx password empty", replace("password: ${STARFACE_PASSWORD}", "password: \"\""), "starface.password", "is required"),
                bad("tenant missing", replace("  tenantId: contoso.onmicrosoft.com\n", ""), "teams.tenantId", "is required"),
                bad("tenant with spaces", replace("tenantId: contoso.onmicrosoft.com", "tenantId: contoso tenant"), "teams.tenantId",
                        "must be a tenant GUID or domain"),
                bad("client id missing", replace("  clientId: 11111111-1111-1111-1111-111111111111\n", ""), "teams.clientId", "is required"),
                bad("section is a list", replace("users:\n  scope: all", "users:\n  - all"), "users", "must be a map of keys"),
                bad("section is a value", replace("users:\n  scope: all", "users: all"), "users", "but was the value \"all\""),
                bad("value is a list", replace("tenantId: contoso.onmicrosoft.com", "tenantId: [a, b]"), "teams.tenantId",
                        "must be a single value, but was a list"),
                bad("dnd is a map", replace("dnd: [IN_A_CALL, BUSY, DO_NOT_DISTURB]", "dnd: {IN_A_CALL: true}"), "mapping.dnd",
                        "must be a list"),
                bad("unknown category", replace("dnd: [IN_A_CALL, BUSY, DO_NOT_DISTURB]", "dnd: [IN_A_CALL, IN_CALL]"), "mapping.dnd[1]",
                        "but was \"IN_CALL\"; did you mean IN_A_CALL?"),
                bad("UNKNOWN is not selectable", replace("dnd: [IN_A_CALL, BUSY, DO_NOT_DISTURB]", "dnd: [UNKNOWN]"), "mapping.dnd[0]",
                        "must be one of IN_A_CALL, BUSY, DO_NOT_DISTURB, AWAY, OFFLINE, AVAILABLE"),
                bad("boolean in words", replace("chatStatus: true", "chatStatus: maybe"), "mapping.chatStatus",
                        "must be true or false, but was \"maybe\""),
                bad("manual dnd typo", replace("manualDnd: respect", "manualDnd: teams-lead"), "mapping.manualDnd",
                        "did you mean \"teams-leads\"?"),
                bad("unsupported language", replace("language: de", "language: fr"), "mapping.language", "must be one of de, en, but was \"fr\""),
                bad("fail-open shorter than poll", replace("manualDnd: respect", "manualDnd: respect\n  failOpenAfter: 2s"), "mapping.failOpenAfter", "must be longer than the poll interval (5000ms)"),
                bad("port out of range", replace("port: 8080", "port: 70000"), "server.port", "must be between 0 and 65535, but was 70000"),
                bad("negative port", replace("port: 8080", "port: -1"), "server.port", "must be between 0 and 65535"),
                bad("port not a number", replace("port: 8080", "port: http"), "server.port", "must be a whole number"),
                bad("bind not an address", replace("bind: 127.0.0.1", "bind: \"not an address\""), "server.bind",
                        "must be an IP address like 127.0.0.1 or a host name"),
                bad("bind bad IPv4", replace("bind: 127.0.0.1", "bind: 300.1.1.1"), "server.bind", "must be an IP address"),
                bad("group scope without group", replace("scope: all", "scope: group"), "users.group", "is required when users.scope is group"),
                bad("unknown scope", replace("scope: all", "scope: everyone"), "users.scope", "must be one of all, group"),
                bad("overrides is a list", replace("scope: all", "scope: all\n  overrides: [a@example.com]"), "users.overrides", "must be a map"),
                bad("override key not a mail", replace("scope: all", "scope: all\n  overrides:\n    anna: \"1001\""),
                        "users.overrides.anna", "must be a Teams mail or UPN"),
                bad("two overrides to one login", replace("scope: all", "scope: all\n  overrides:\n    anna@example.com: \"1001\"\n"
                        + "    bob@example.com: \"1001\""), "users.overrides[\"bob@example.com\"]", "already the target of \"anna@example.com\""),
                bad("state file is a directory", VALID + "state:\n  file: " + dir + "\n", "state.file", "is a directory"),
                bad("state file in missing directory", VALID + "state:\n  file: " + dir.resolve("missing/state.json") + "\n", "state.file",
                        "does not exist"),
                bad("unset environment variable", replace("${TEAMS_CLIENT_SECRET}", "${TEAMS_SECRET_TYPO}"), "teams.auth.clientSecret",
                        "environment variable TEAMS_SECRET_TYPO is not set"),
                bad("unclosed variable", replace("${STARFACE_PASSWORD}", "\"${STARFACE_PASSWORD\""), "starface.password",
                        "without a closing \"}\""),
                bad("invalid variable name", replace("${STARFACE_PASSWORD}", "\"${STARFACE-PASSWORD}\""), "starface.password",
                        "is not a valid environment variable reference"),
                bad("secret given as a list", replace("clientSecret: ${TEAMS_CLIENT_SECRET}", "clientSecret: [" + LITERAL_SECRET + "]"),
                        "teams.auth.clientSecret", "must be a single value, but was a list"),
                bad("duplicate key", replace("  loginId: \"0001\"\n", "  loginId: \"0001\"\n  loginId: \"0002\"\n"), "starface.loginId",
                        "appears twice"),
                bad("invalid plugin id", "source:\n  type: Graph!\n" + VALID, "source.type", "must be a plugin id in lower case"),
                bad("same section for source and sink", "source:\n  type: starface\n" + VALID, "sink.type", "must differ from source.type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWithKeyPathAndReason(String name, String yaml, String keyPath, String fragment) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                // what check --config-only and run do: the service's sections, then each plugin's own
                () -> new dev.teamsconnect.service.runtime.EngineWiring(new ConfigLoader(ENV).parse(yaml, "test.yaml"),
                        dev.teamsconnect.service.runtime.PluginLookup.discover()).validate());

        assertThat(e).as("config should be rejected").isNotNull();
        assertThat(e.problems()).as(e.getMessage())
                .anySatisfy(p -> {
                    assertThat(p.keyPath()).isEqualTo(keyPath);
                    assertThat(p.message()).contains(fragment);
                });
        assertThat(e.getMessage()).contains(keyPath + ": ").contains(fragment)
                .doesNotContain(CLIENT_SECRET).doesNotContain(PBX_PASSWORD).doesNotContain(LITERAL_SECRET);
    }
}
