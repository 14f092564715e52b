package dev.teamsconnect.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teamsconnect.service.UnwiredServiceRuntime;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** server.auth: only hashes, required beyond loopback, and the hash-secret command that makes them. */
class ServerAuthConfigTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String HASH = SecretHash.of(PASSWORD).encoded();
    private static final Map<String, String> ENV = Map.of("TEAMS_CLIENT_SECRET", "client-secret-4711",
            "STARFACE_PASSWORD", "pbx-password-0815", "PAGE_PASSWORD", PASSWORD, "SHORT", "short");
    private static final String BASE = """
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

    private String problems(String server) {
        return catchThrowableOfType(InvalidConfigException.class, () -> loader.parse(BASE + server, "t.yaml")).getMessage();
    }

    @Test
    void aHashMatchesItsSecretOnlyAndShowsNothingOfIt() {
        SecretHash h = SecretHash.parse(HASH).orElseThrow();
        assertThat(h.matches(PASSWORD)).isTrue();
        assertThat(h.matches(PASSWORD + " ")).isFalse();
        assertThat(h.toString()).doesNotContain(HASH.split(":")[3]);
        assertThat(SecretHash.of(PASSWORD).encoded()).as("salted").isNotEqualTo(HASH);
        assertThat(SecretHash.parse(PASSWORD)).isEmpty();
        assertThat(SecretHash.parse("pbkdf2-sha256:10:AAAAAAAAAAA=:AAAA")).isEmpty();
    }

    @Test
    void bindingBeyondLoopbackWithoutCredentialsIsAConfigError() {
        assertThat(problems("server:\n  bind: 0.0.0.0\n")).contains("server.auth").contains("is required because server.bind")
                .contains("teamsconnect hash-secret");
        // port 0: nothing is served, nothing to protect
        assertThat(loader.parse(BASE + "server:\n  bind: 0.0.0.0\n  port: 0\n", "t.yaml").server().auth().required()).isFalse();
    }

    @Test
    void basicAuthAndATokenAreReadAsHashes() {
        ServiceConfig c = loader.parse(BASE + "server:\n  bind: 0.0.0.0\n  auth:\n    username: admin\n    passwordHash: \""
                + HASH + "\"\n    tokenHash: \"" + HASH + "\"\n", "t.yaml");
        assertThat(c.server().auth().required()).isTrue();
        assertThat(c.server().auth().username()).hasValue("admin");
        assertThat(c.server().auth().passwordHash().orElseThrow().matches(PASSWORD)).isTrue();
        assertThat(c.toString()).doesNotContain(HASH);
    }

    @Test
    void aPlainPasswordOrAHalfOfBasicAuthIsRefusedNamingTheKey() {
        String plain = problems("server:\n  auth:\n    username: admin\n    passwordHash: " + PASSWORD + "\n");
        assertThat(plain).contains("server.auth.passwordHash").contains("must be a hash as printed by teamsconnect hash-secret")
                .doesNotContain(PASSWORD);
        assertThat(problems("server:\n  auth:\n    username: admin\n")).contains("server.auth.passwordHash");
        assertThat(problems("server:\n  auth:\n    passwordHash: \"" + HASH + "\"\n")).contains("server.auth.username");
        assertThat(problems("server:\n  auth:\n    user: admin\n")).contains("server.auth.user");
    }

    @Test
    void hashSecretPrintsAHashThatMatches() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TeamsConnectMain.execute(new String[] {"hash-secret", "--from-env", "PAGE_PASSWORD"}, ENV,
                new UnwiredServiceRuntime(), Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as(err.toString()).isZero();
        assertThat(SecretHash.parse(out.toString().strip()).orElseThrow().matches(PASSWORD)).isTrue();
        assertThat(out.toString()).doesNotContain(PASSWORD);

        int shortCode = TeamsConnectMain.execute(new String[] {"hash-secret", "--from-env", "SHORT"}, ENV,
                new UnwiredServiceRuntime(), Clock.systemUTC(), new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(shortCode).isEqualTo(TeamsConnectMain.EXIT_CONFIG);
        assertThat(err.toString()).contains("at least 12 characters");
    }
}
