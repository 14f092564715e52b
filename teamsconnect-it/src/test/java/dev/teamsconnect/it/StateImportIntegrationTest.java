package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.postgres.PostgresSettings;
import dev.teamsconnect.postgres.PostgresStateStore;
import dev.teamsconnect.service.UnwiredServiceRuntime;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code teamsconnect state import --config FILE --from OLD.json} through the command line, into a real PostgreSQL. */
class StateImportIntegrationTest {

    private static EmbeddedPostgres pg;
    private static int databases;
    private static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws IOException {
        pg.close();
    }

    private static String database() throws Exception {
        String name = "imp" + (++databases);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name;
    }

    private record Run(int code, String out, String err) {
    }

    private Run importFrom(String url, Path from) throws IOException {
        Path config = dir.resolve("teamsconnect.yaml");
        Files.writeString(config, """
                teams:
                  tenantId: contoso.onmicrosoft.com
                  clientId: "11111111-1111-1111-1111-111111111111"
                  auth:
                    clientSecret: ${TEAMS_CLIENT_SECRET}
                starface:
                  baseUrl: https://pbx.example.com
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                state:
                  type: postgres
                  url: %s
                  user: postgres
                  password: ${TEAMSCONNECT_DB_PASSWORD}
                """.formatted(url));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TeamsConnectMain.execute(new String[] {"state", "import", "--config", config.toString(), "--from",
                from.toString()}, Map.of("TEAMS_CLIENT_SECRET", "s-4711", "STARFACE_PASSWORD", "p-0815",
                "TEAMSCONNECT_DB_PASSWORD", "db-0816"), new UnwiredServiceRuntime(), Clock.systemUTC(),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private Path stateFile(Optional<String> pbx, Hold... holds) {
        Path file = dir.resolve("old-state.json");
        try (JsonFileStateStore s = new JsonFileStateStore(file)) {
            s.load();
            s.claim(pbx);
            s.commit(List.of(holds), List.of());
        }
        return file;
    }

    @Test
    void theHoldsAndThePbxOfTheFileMoveIntoTheDatabase() throws Exception {
        String url = database();
        Hold a = new Hold("7", Hold.Kind.HELD, false, true, null, null, true, T0);
        Hold b = new Hold("9", Hold.Kind.MANUAL, true, true, "own", null, false, T0);
        Path file = stateFile(Optional.of("pbx-one"), a, b);
        Run run = importFrom(url, file);
        assertThat(run.code).as(run.err).isZero();
        assertThat(run.out).contains("Imported 2 hold(s)").contains("PBX pbx-one");
        assertThat(run.out + run.err).doesNotContain("db-0816");
        try (PostgresStateStore s = new PostgresStateStore(new PostgresSettings(url, "postgres", ""))) {
            assertThat(s.load()).containsExactlyInAnyOrderEntriesOf(Map.of("7", a, "9", b));
            assertThatThrownBy(() -> s.claim(Optional.of("pbx-two"))).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("\"pbx-one\"");
        }
        assertThat(file).exists(); // left as it is

        Run again = importFrom(url, file);
        assertThat(again.code).isEqualTo(1);
        assertThat(again.err).contains("has 2 hold(s) already");
    }

    @Test
    void aCorruptFileIsRefusedAndNothingIsImported() throws Exception {
        String url = database();
        Path file = Files.writeString(dir.resolve("broken.json"), "{\"format\":\"teamsconnect-state\",\"version\":2,");
        Run run = importFrom(url, file);
        assertThat(run.code).isEqualTo(1);
        assertThat(run.err).contains(file.toString()).contains("cannot be used");
    }

    @Test
    void aFileStateConfigIsToldToUseTheDatabase() throws Exception {
        Path file = stateFile(Optional.empty(), new Hold("7", Hold.Kind.HELD, false, true, null, null, true, T0));
        Path config = dir.resolve("file.yaml");
        Files.writeString(config, """
                teams:
                  tenantId: contoso.onmicrosoft.com
                  clientId: "11111111-1111-1111-1111-111111111111"
                  auth:
                    clientSecret: x
                starface:
                  baseUrl: https://pbx.example.com
                  loginId: "0001"
                  password: y
                """);
        StringWriter err = new StringWriter();
        int code = TeamsConnectMain.execute(new String[] {"state", "import", "--config", config.toString(), "--from",
                file.toString()}, Map.of(), new UnwiredServiceRuntime(), Clock.systemUTC(),
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("state.type: postgres");
    }
}
