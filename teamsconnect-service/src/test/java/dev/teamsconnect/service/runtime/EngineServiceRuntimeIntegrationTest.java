package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.service.RunContext;
import dev.teamsconnect.service.StopSignal;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import dev.teamsconnect.starface.StarfaceSinkProvider;
import dev.teamsconnect.testkit.InMemoryPresenceSource;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real runtime (wiring, engine, STARFACE sink over HTTPS against the emulator) with the test kit's in-memory
 * presence source in place of Graph, driven through the command line in-process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineServiceRuntimeIntegrationTest {

    private static final String PBX_PASSWORD = "api-pw-0815";

    @TempDir
    Path dir;

    private StarfaceEmulator pbx;
    private final InMemoryPresenceSource teams = InMemoryPresenceSource.create(Clock.systemUTC());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path pem;

    @BeforeEach
    void start() {
        pbx = StarfaceEmulator.builder()
                .user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .user("1001", "pw", "ann@example.com", "Ann", "Lee", false)
                .user("1002", "pw", "bob@example.com", "Bob", "Marx", true)     // DND on before any call
                .user("1003", "pw", "carl@example.com", "Carl", "Ito", false)
                .user("1004", "pw", "dora@example.com", "Dora", "Pohl", false)  // no Teams account
                .https()
                .start();
        pem = pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem"));
        teams.addUser("t-ann", "ann@example.com", "Ann Lee")
                .addUser("t-bob", "bob@example.com", "Bob Marx")
                .addUser("t-carl", "carl@example.com", "Carl Ito")
                .addUser("t-eve", "eve@example.com", "Eve Noor");               // no PBX user
        teams.setPresence("t-ann", Availability.AVAILABLE, Activity.AVAILABLE)
                .setPresence("t-bob", Availability.AVAILABLE, Activity.AVAILABLE)
                .setPresence("t-carl", Availability.AWAY, Activity.AWAY)
                .setPresence("t-eve", Availability.BUSY, Activity.IN_A_CALL);
    }

    @AfterEach
    void stop() {
        pbx.close();
        assertThat(out + "\n" + err).doesNotContain(PBX_PASSWORD);
    }

    private Path config(String extra) throws IOException {
        Path file = dir.resolve("teamsconnect.yaml");
        Files.writeString(file, """
                source:
                  type: memory
                starface:
                  baseUrl: %s
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                  tls:
                    certificate: %s
                state:
                  file: %s
                server:
                  port: 0
                """.formatted(pbx.baseUrl(), pem, dir.resolve("state.json")) + extra);
        return file;
    }

    private EngineServiceRuntime runtime() {
        return new EngineServiceRuntime(() -> PluginLookup.of(reopenable(teams), new StarfaceSinkProvider()), null);
    }

    private int main(String... args) {
        return TeamsConnectMain.execute(args, Map.of("STARFACE_PASSWORD", PBX_PASSWORD), runtime(),
                new ManualClock(Instant.parse("2026-11-27T09:00:00Z")), new PrintWriter(out, true),
                new PrintWriter(err, true));
    }

    @Test
    void runOnceTurnsDndOnOnlyForUsersInACallAndTheNextRunRestoresEachOwnSetting() throws IOException {
        Path config = config("");
        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL);
        teams.setPresence("t-bob", Availability.BUSY, Activity.IN_A_CALL);

        assertThat(main("run", "--config", config.toString(), "--once", "--lang", "en")).as(err.toString()).isZero();

        assertThat(pbx.dndByLogin()).containsEntry("1001", true).containsEntry("1002", true)
                .containsEntry("1003", false).containsEntry("1004", false);
        assertThat(out.toString()).contains("One cycle done").contains("3 mapped");
        assertThat(new dev.teamsconnect.core.store.JsonFileStateStore(dir.resolve("state.json")).load())
                .containsKey(String.valueOf(pbx.userId("1001")));

        teams.setPresence("t-ann", Availability.AVAILABLE, Activity.AVAILABLE);
        teams.setPresence("t-bob", Availability.AVAILABLE, Activity.AVAILABLE);
        assertThat(main("run", "--config", config.toString(), "--once")).as(err.toString()).isZero();

        // Ann had DND off before the call, Bob had it on: each gets their own setting back
        assertThat(pbx.dndByLogin()).containsEntry("1001", false).containsEntry("1002", true)
                .containsEntry("1003", false).containsEntry("1004", false);
        assertThat(pbx.dndChanges()).extracting(StarfaceEmulator.DndChange::login).containsExactly("1001", "1001");
    }

    @Test
    void dryRunWritesNothingToThePbxNorTheStateFile() throws IOException {
        Path config = config("");
        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL);

        assertThat(main("run", "--config", config.toString(), "--once", "--dry-run", "--lang", "en")).as(err.toString()).isZero();

        assertThat(pbx.dndChanges()).isEmpty();
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isZero();
        assertThat(dir.resolve("state.json")).doesNotExist();
        assertThat(out.toString()).contains("Dry run, nothing written").contains("1 writes");
    }

    @Test
    void checkPrintsTheMappingReportAndExitsZeroWhenBothSidesWork() throws IOException {
        assertThat(main("check", "--config", config("").toString())).as(err.toString()).isZero();

        String report = out.toString();
        assertThat(report).contains("OK: signed in, 4 users listed").contains("OK: signed in, 5 users listed")
                .contains("User mapping: 3 problem(s):").contains("Eve Noor <eve@example.com>")
                .contains("Dora Pohl (1004)").contains("3 users matched; check --all lists them.")
                .contains("Both sides work");
        // the matched users are counted, not listed, unless asked for
        assertThat(report).doesNotContain("Ann Lee <ann@example.com>");
        assertThat(main("check", "--config", config("").toString(), "--all")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Matched (3)").contains("Ann Lee <ann@example.com>");
        assertThat(pbx.dndChanges()).isEmpty();
    }

    @Test
    void checkNamesTheRejectedPbxLoginAndItsFixAndExitsOne() throws IOException {
        Path config = config("");
        int code = TeamsConnectMain.execute(new String[] {"check", "--config", config.toString()},
                Map.of("STARFACE_PASSWORD", "wrong-password"), runtime(), Clock.systemUTC(), new PrintWriter(out, true),
                new PrintWriter(err, true));

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("FAILED").contains("check starface.loginId and starface.password")
                .contains("Not ready").doesNotContain("wrong-password");
    }

    @Test
    void checkNamesTheMissingCertificateAsTheFixForATlsFailure() throws IOException {
        Path file = dir.resolve("no-tls.yaml");
        Files.writeString(file, Files.readString(config("")).replace("  tls:\n    certificate: " + pem + "\n", ""));

        assertThat(main("check", "--config", file.toString())).isEqualTo(1);

        assertThat(out.toString()).contains("FAILED").contains("set starface.tls.certificate");
    }

    @Test
    void aRejectedSignInStopsTheRunWithExitOneAndNamesTheFix() throws IOException {
        Path config = config("");
        int code = TeamsConnectMain.execute(new String[] {"run", "--config", config.toString(), "--once"},
                Map.of("STARFACE_PASSWORD", "wrong-password"), runtime(), Clock.systemUTC(), new PrintWriter(out, true),
                new PrintWriter(err, true));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("rejected the login of '0001'")
                .contains("check starface.loginId and starface.password").doesNotContain("wrong-password");
        assertThat(pbx.dndChanges()).isEmpty();
    }

    @Test
    void anUnknownPluginIdIsAConfigErrorWithItsKeyPath() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, Files.readString(config("")).replace("type: memory", "type: nosuch"));

        assertThat(main("run", "--config", file.toString(), "--once")).isEqualTo(2);

        assertThat(err.toString()).contains("source.type").contains("nosuch");
    }

    @Test
    void stopEndsTheLoopAndReleasesTheHoldsAndFeedsTheStatusBoard() throws Exception {
        ServiceConfig config = new ConfigLoader(Map.of("STARFACE_PASSWORD", PBX_PASSWORD)).load(config(""));
        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL);
        StatusBoard board = new StatusBoard(config.source(), config.sink());
        ServiceMetrics metrics = new ServiceMetrics();
        StopSignal stop = new StopSignal();
        Thread loop = new Thread(() -> {
            try {
                runtime().run(new RunContext(config, false, false, metrics, board, stop, Clock.systemUTC(),
                        new PrintWriter(out, true)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        loop.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        // the board and the metrics hear about the write right after the PBX has it (the metric counts the sink's
        // answer, which comes after the PBX applied the write): wait for all three
        String written = "teamsconnect_pbx_writes_total{outcome=\"success\"} 1.0";
        while (!(pbx.dnd("1001") && board.holds() == 1 && metrics.scrape().contains(written))
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(pbx.dnd("1001")).isTrue();
        assertThat(board.health().sink().state()).isEqualTo(SignInState.SIGNED_IN);
        assertThat(board.health().source().state()).isEqualTo(SignInState.SIGNED_IN);
        assertThat(board.holds()).isEqualTo(1);
        assertThat(metrics.scrape()).contains(written);

        stop.requestStop();
        loop.join(10_000);

        assertThat(loop.isAlive()).isFalse();
        assertThat(pbx.dnd("1001")).isFalse();
        assertThat(new dev.teamsconnect.core.store.JsonFileStateStore(dir.resolve("state.json")).load())
                .doesNotContainKey(String.valueOf(pbx.userId("1001")));
    }

    @Test
    void releaseGivesEveryHeldUserTheirOwnDndBackWithoutReadingPresenceAndEmptiesTheState() throws IOException {
        Path config = config("");
        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL);
        teams.setPresence("t-carl", Availability.BUSY, Activity.IN_A_CALL);
        assertThat(main("run", "--config", config.toString(), "--once")).as(err.toString()).isZero();
        assertThat(pbx.dndByLogin()).containsEntry("1001", true).containsEntry("1003", true);
        int presenceReads = teams.readCount();

        assertThat(main("release", "--config", config.toString(), "--lang", "en")).as(err.toString()).isZero();

        // Ann and Carl had DND off before their calls; Bob's own DND (on) was never touched
        assertThat(pbx.dndByLogin()).containsEntry("1001", false).containsEntry("1002", true)
                .containsEntry("1003", false).containsEntry("1004", false);
        assertThat(out.toString()).contains("Released 2 of 2 hold(s)");
        assertThat(new dev.teamsconnect.core.store.JsonFileStateStore(dir.resolve("state.json")).load()).isEmpty();
        assertThat(teams.readCount()).as("release reads no presence").isEqualTo(presenceReads);
        assertThat(main("release", "--config", config.toString(), "--lang", "en")).isZero();
        assertThat(out.toString()).contains("Nothing to do");
    }

    @Test
    void releaseAndRunOnceSpeakGermanWithLangDe() throws IOException {
        Path config = config("");

        assertThat(main("release", "--config", config.toString(), "--lang", "de")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Keine gehaltenen Benutzer in der Zustandsdatei: TeamsConnect hat niemandes"
                + " DND geändert. Nichts zu tun.").doesNotContain("Nothing to do");

        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL);
        assertThat(main("run", "--config", config.toString(), "--once", "--lang", "de")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Ein Zyklus erledigt: Zyklus 1: 3 zugeordnet").contains("1 gehalten")
                .doesNotContain("One cycle done");
        assertThat(pbx.dnd("1001")).isTrue();

        assertThat(main("release", "--config", config.toString(), "--lang", "de")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("1 von 1 gehaltenen Benutzern freigegeben, mit 1 Schreibzugriff(en)");
        assertThat(pbx.dnd("1001")).isFalse();
    }

    @Test
    void releaseRefusesWhileAnotherProcessHoldsTheState() throws IOException {
        Path config = config("");
        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL);
        assertThat(main("run", "--config", config.toString(), "--once")).as(err.toString()).isZero();
        dev.teamsconnect.core.store.JsonFileStateStore running =
                new dev.teamsconnect.core.store.JsonFileStateStore(dir.resolve("state.json"));
        running.load();
        running.claim(java.util.Optional.empty());
        try {
            assertThat(main("release", "--config", config.toString())).isEqualTo(1);
            assertThat(err.toString()).contains("in use by another TeamsConnect process");
            assertThat(pbx.dnd("1001")).as("nothing released").isTrue();
        } finally {
            running.close();
        }
        assertThat(main("release", "--config", config.toString())).as(err.toString()).isZero();
        assertThat(pbx.dnd("1001")).isFalse();
    }

    /** The shared in-memory source, handed out so that closing it (end of one command) does not end the test's. */
    private static PresenceSourceProvider reopenable(InMemoryPresenceSource shared) {
        return new PresenceSourceProvider() {
            @Override
            public String id() {
                return InMemoryPresenceSource.ID;
            }

            @Override
            public PresenceSource create(ProviderConfig config) {
                return new PresenceSource() {
                    @Override
                    public String id() {
                        return shared.id();
                    }

                    @Override
                    public void open() {
                        shared.open();
                    }

                    @Override
                    public List<TeamsUser> listUsers() {
                        return shared.listUsers();
                    }

                    @Override
                    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
                        return shared.readPresence(userIds);
                    }
                };
            }
        };
    }
}
