package dev.teamsconnect.service.process;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The Graph and STARFACE emulators with N matching users, for measuring the real jar by hand (the heap figures in
 * docs/operations.md). Writes {@code teamsconnect.yaml} (and the emulators' certificates) into DIR, then keeps
 * presence moving: 2% of the users are in a call at start, and every 5 seconds 100 of the same 4% go in or out
 * of a call.
 *
 * <pre>{@code
 * mvn -B -ntp -o -q -pl teamsconnect-service -am package -DskipTests
 * mvn -B -ntp -o -q -pl teamsconnect-service -am test-compile
 * java -Xmx1500m -cp teamsconnect-service/target/test-classes:teamsconnect-emulators/target/teamsconnect-emulators-0.1.0-SNAPSHOT.jar:teamsconnect-service/target/teamsconnect.jar \
 *      dev.teamsconnect.service.process.EmulatorLandscape 50000 /tmp/landscape 18931
 * TEAMS_CLIENT_SECRET=landscape-client-secret STARFACE_PASSWORD=landscape-api-password \
 *      java -Xmx320m -XX:+ExitOnOutOfMemoryError -jar teamsconnect-service/target/teamsconnect.jar run --config /tmp/landscape/teamsconnect.yaml
 * jcmd $(pgrep -f 'teamsconnect.jar run') GC.run; jcmd $(pgrep -f 'teamsconnect.jar run') GC.heap_info
 * }</pre>
 *
 * Arguments: users, directory, port of the endpoints, optionally the poll interval (default {@code 10s}).
 */
public final class EmulatorLandscape {

    static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";

    private EmulatorLandscape() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        int port = Integer.parseInt(args[2]);
        String pollInterval = args.length > 3 ? args[3] : "10s";
        GraphEmulator graph = GraphEmulator.builder().start();
        graph.registerSecretClient(CLIENT_ID, "landscape-client-secret");
        List<EmulatedUser> users = graph.seedUsers(n);
        StarfaceEmulator.Builder pbxUsers = StarfaceEmulator.builder()
                .user("0001", "landscape-api-password", "api@example.com", "Api", "Account", false);
        for (int i = 1; i <= n; i++) {
            pbxUsers.user(String.format(Locale.ROOT, "%06d", 100_000 + i), "pw",
                    String.format(Locale.ROOT, "user%05d@contoso.test", i), "User", String.format(Locale.ROOT, "%05d", i), false);
        }
        StarfaceEmulator pbx = pbxUsers.https().threads(4).start();
        for (int i = 0; i < n; i += 50) {
            graph.setPresence(users.get(i).id(), Availability.BUSY, Activity.IN_A_CALL);
        }
        dev.teamsconnect.testkit.ServiceConfigFile.write(dir.resolve("teamsconnect.yaml"), graph, CLIENT_ID, pbx, "0001",
                dir.resolve("state.json"), port, pollInterval);
        System.out.println("Ready: " + n + " users; config " + dir.resolve("teamsconnect.yaml"));
        for (int tick = 0; ; tick++) {
            Thread.sleep(5_000);
            boolean busy = (tick / 20) % 2 == 0;
            for (int i = tick % 20; i < n; i += 500) {
                graph.setPresence(users.get(i).id(), busy ? Availability.BUSY : Availability.AVAILABLE,
                        busy ? Activity.IN_A_CALL : Activity.AVAILABLE);
            }
        }
    }
}
