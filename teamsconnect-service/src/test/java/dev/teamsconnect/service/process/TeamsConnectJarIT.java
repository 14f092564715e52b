package dev.teamsconnect.service.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts {@code teamsconnect.jar} as a separate process ({@code java -jar}) against the Graph and STARFACE emulators
 * running in this JVM over HTTPS. The config file trusts the emulators' generated certificates through
 * {@code teams.tls.certificate} and {@code starface.tls.certificate}; secrets come from the environment.
 */
class TeamsConnectJarIT {

    private static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT_SECRET = "it-client-secret-4711";
    private static final String PBX_PASSWORD = "it-api-password-0815";
    private static final Map<String, String> ENV = Map.of("TEAMS_CLIENT_SECRET", CLIENT_SECRET,
            "STARFACE_PASSWORD", PBX_PASSWORD);
    private static final Duration QUICK = Duration.ofSeconds(30);

    private static GraphEmulator graph;
    private static StarfaceEmulator pbx;
    private static String ann;
    private static String bob;
    private static String carl;
    private static String eve;

    @TempDir
    Path dir;

    @BeforeAll
    static void startEmulators() {
        graph = GraphEmulator.builder().start();
        graph.registerSecretClient(CLIENT_ID, CLIENT_SECRET);
        ann = graph.addUser("ann@example.com", "Ann Lee", true).id();
        bob = graph.addUser("bob@example.com", "Bob Marx", true).id();
        carl = graph.addUser("carl@example.com", "Carl Ito", true).id();
        eve = graph.addUser("eve@example.com", "Eve Noor", true).id();          // no PBX user
        pbx = StarfaceEmulator.builder()
                .user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .user("1001", "pw", "ann@example.com", "Ann", "Lee", false)
                .user("1002", "pw", "bob@example.com", "Bob", "Marx", true)        // DND on before any call
                .user("1003", "pw", "carl@example.com", "Carl", "Ito", false)
                .user("1004", "pw", "dora@example.com", "Dora", "Pohl", false)     // no Teams account
                .https()
                .start();
    }

    @AfterAll
    static void stopEmulators() {
        pbx.close();
        graph.close();
    }

    @BeforeEach
    void everybodyAvailableWithTheirOwnDnd() {
        for (String id : List.of(ann, bob, carl, eve)) {
            graph.setPresence(id, Availability.AVAILABLE, Activity.AVAILABLE);
        }
        pbx.pressDndKey("1001", false);
        pbx.pressDndKey("1002", true);
        pbx.pressDndKey("1003", false);
        pbx.pressDndKey("1004", false);
    }

    private Path config(String pollInterval, int port) throws Exception {
        return dev.teamsconnect.testkit.ServiceConfigFile.write(dir.resolve("teamsconnect.yaml"), graph, CLIENT_ID, pbx,
                "0001", dir.resolve("state.json"), port, pollInterval);
    }

    private ServiceProcess.Result run(String... args) throws Exception {
        ServiceProcess.Result r = ServiceProcess.run(dir, ENV, QUICK, args);
        assertThat(r.stdout() + r.stderr()).doesNotContain(CLIENT_SECRET).doesNotContain(PBX_PASSWORD);
        return r;
    }

    private long apiWrites() {
        return pbx.dndChanges().stream().filter(c -> c.source() == StarfaceEmulator.DndSource.API).count();
    }

    @Test
    void checkPrintsTheMappingReportAndExitsZero() throws Exception {
        long before = apiWrites();

        ServiceProcess.Result r = run("check", "--config", config("5s", 0).toString(), "--all", "--lang", "en");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains("User mapping: 3 problem(s):").contains("3 users matched.")
                .containsPattern("Ann Lee <ann@example.com> +Ann Lee \\(1001\\) +mail")
                .contains("Eve Noor <eve@example.com>").contains("Dora Pohl (1004)").contains("Both sides work");
        // the shipped jar carries both languages and the CSV report
        ServiceProcess.Result de = run("check", "--config", config("5s", 0).toString(), "--lang", "de");
        assertThat(de.stdout()).as(de.toString()).contains("Benutzerzuordnung: 3 Problem(e):")
                .contains("3 Benutzer zugeordnet").contains("Beide Seiten funktionieren");
        ServiceProcess.Result csv = run("check", "--config", config("5s", 0).toString(), "--format", "csv");
        assertThat(csv.stdout()).as(csv.toString()).startsWith("outcome,teams_user,pbx_user,detail")
                .contains("matched,Ann Lee <ann@example.com>,Ann Lee (1001),mail").doesNotContain("OK: signed in");
        assertThat(apiWrites()).isEqualTo(before);
    }

    @Test
    void runOnceSetsDndOnlyForUsersInACallAndASecondRunRestoresEachPriorDnd() throws Exception {
        Path config = config("5s", 0);
        graph.setPresence(ann, Availability.BUSY, Activity.IN_A_CALL);
        graph.setPresence(bob, Availability.BUSY, Activity.IN_A_CALL);
        graph.setPresence(eve, Availability.BUSY, Activity.IN_A_CALL);

        ServiceProcess.Result first = run("run", "--config", config.toString(), "--once");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(pbx.dndByLogin()).containsEntry("1001", true).containsEntry("1002", true)
                .containsEntry("1003", false).containsEntry("1004", false).containsEntry("0001", false);
        assertThat(first.stderr()).contains("Ann Lee (1001): DND off -> DND on: Teams Busy/InACall -> DND on")
                .contains("cycle 1: 3 mapped");
        assertThat(Files.readString(dir.resolve("state.json"))).contains(String.valueOf(pbx.userId("1001")));

        graph.setPresence(ann, Availability.AVAILABLE, Activity.AVAILABLE);
        graph.setPresence(bob, Availability.AVAILABLE, Activity.AVAILABLE);
        ServiceProcess.Result second = run("run", "--config", config.toString(), "--once");

        assertThat(second.exitCode()).as(second.toString()).isZero();
        // Ann's own DND was off, Bob's was on (he set it before the call): each keeps their own
        assertThat(pbx.dndByLogin()).containsEntry("1001", false).containsEntry("1002", true)
                .containsEntry("1003", false).containsEntry("1004", false);
        assertThat(second.stderr()).contains("Ann Lee (1001): DND on -> DND off: restored prior DND off");
    }

    @Test
    void dryRunWritesNothing() throws Exception {
        graph.setPresence(ann, Availability.BUSY, Activity.IN_A_CALL);
        long before = apiWrites();

        ServiceProcess.Result r = run("run", "--config", config("5s", 0).toString(), "--once", "--dry-run");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(apiWrites()).isEqualTo(before);
        assertThat(pbx.dnd("1001")).isFalse();
        assertThat(dir.resolve("state.json")).doesNotExist();
        assertThat(r.stderr()).contains("DRY RUN: would set Ann Lee (1001) from DND off to DND on");
    }

    @Test
    void aBrokenConfigExitsTwoNamingTheKeyPath() throws Exception {
        Path config = config("5s", 0);
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(config).replace("pollInterval: 5s", "pollInterval: 5 seconds"));

        ServiceProcess.Result r = run("run", "--config", broken.toString(), "--once");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("teams.pollInterval").contains("5 seconds");

        Path unknownSink = dir.resolve("unknown-sink.yaml");
        Files.writeString(unknownSink, Files.readString(config).replace("starface:", "sink:\n  type: asterisk\nstarface:"));
        ServiceProcess.Result plugin = run("run", "--config", unknownSink.toString(), "--once");

        assertThat(plugin.exitCode()).as(plugin.toString()).isEqualTo(2);
        assertThat(plugin.stderr()).contains("sink.type").contains("asterisk");
    }

    @Test
    void sigtermReleasesTheHoldsAndExitsCleanly() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = config("1s", port);
        graph.setPresence(ann, Availability.BUSY, Activity.IN_A_CALL);

        try (ServiceProcess service = ServiceProcess.start(dir, ENV, "run", "--config", config.toString())) {
            long deadline = System.nanoTime() + QUICK.toNanos();
            while (!pbx.dnd("1001") && service.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pbx.dnd("1001")).as(service.stderr()).isTrue();
            // the hold is on /status from its commit on; the user's names once the cycle that wrote it has ended
            HttpResponse<String> health;
            do {
                health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/status")).build(), HttpResponse.BodyHandlers.ofString());
            } while (!health.body().contains("ann@example.com") && System.nanoTime() < deadline && sleep(50));
            assertThat(health.body()).contains("ann@example.com").containsPattern("\"held\" ?: ?true");

            service.terminate();
            int code = service.waitFor(Duration.ofSeconds(15));

            assertThat(code).as(service.stderr()).isIn(0, 143);
            assertThat(pbx.dnd("1001")).as(service.stderr()).isFalse();
            assertThat(pbx.dnd("1002")).isTrue();
            assertThat(service.stderr()).contains("restored prior DND off").contains("TeamsConnect stopped");
            assertThat(service.stderr() + service.stdout()).doesNotContain(CLIENT_SECRET).doesNotContain(PBX_PASSWORD);
        }
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }
}
