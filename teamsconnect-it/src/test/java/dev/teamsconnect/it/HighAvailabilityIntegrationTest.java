package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two shipped service processes ({@code java -jar teamsconnect.jar run}) on one PostgreSQL (embedded, started once for
 * the class) with {@code ha.mode: active-passive}, against the Graph and STARFACE emulators in this JVM. The STARFACE
 * emulator records which login session made every phoneconfig write: a standby signs in nowhere, and two writers never
 * take turns. See docs/high-availability.md and docs/reliability.md for the figures.
 */
class HighAvailabilityIntegrationTest {

    private static final int USERS = 8;
    /** Users 1..2 switched DND on by hand before anything started; they also take calls. */
    private static final int MANUAL = 2;
    static final Duration TAKEOVER_AFTER = Duration.ofSeconds(5);
    private static final String DB_PASSWORD = "db-Passw0rd-ha-4711";
    private static final Duration WAIT = Duration.ofSeconds(40);

    private static EmbeddedPostgres pg;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @BeforeAll
    static void startDatabase() throws IOException {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws IOException {
        if (pg != null) {
            pg.close();
        }
    }

    /** A fresh database in the class's PostgreSQL; its JDBC URL. */
    private static String database() throws Exception {
        String name = "ha" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/" + name;
    }

    static void sql(String url, String statement) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "postgres");
        try (Connection c = new org.postgresql.Driver().connect(url, p); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    // ---- scenario 1: one leads, the other never writes

    @Test
    void twoProcessesOnOneDatabaseOneLeadsTheOtherNeverSignsInNorWrites() throws Exception {
        try (Landscape l = landscape()) {
            String url = database();
            try (Instance a = Instance.start(l, config(l, "a", url))) {
                a.awaitLeaderReady();
                int loginsBefore = l.pbx.loginCount();
                int writesBefore = l.pbx.phoneConfigWrites().size();
                try (Instance standby = Instance.start(l, config(l, "b", url))) {
                    standby.await(() -> standby.health().contains("\"status\" : \"ready-standby\""), "b ready-standby");
                    assertThat(standby.health()).contains("\"role\" : \"standby\"").contains("\"roleSince\"");
                    for (int u = 3; u <= 5; u++) {
                        l.inCall(u);
                    }
                    a.await(() -> l.dnd(3) && l.dnd(4) && l.dnd(5), "calls mirrored");
                    for (int u = 3; u <= 5; u++) {
                        l.available(u);
                    }
                    a.await(() -> settled(l), "calls over");
                    assertThat(l.pbx.loginCount()).as("a standby signs in to the PBX not even once").isEqualTo(loginsBefore);
                    List<StarfaceEmulator.PhoneConfigWrite> writes = l.pbx.phoneConfigWrites();
                    assertThat(writes.size()).isGreaterThan(writesBefore);
                    assertThat(writers(writes)).hasSize(1);
                    assertThat(a.metrics()).contains("teamsconnect_ha_leader 1.0");
                    assertThat(standby.metrics()).contains("teamsconnect_ha_leader 0.0");
                    assertThat(a.output() + standby.output()).doesNotContain(DB_PASSWORD);
                }
            }
        }
    }

    // ---- scenario 2: SIGKILL of the leader while users are held

    @Test
    void afterASigkillOfTheLeaderTheStandbyTakesOverWithinTakeoverAfterAndEveryoneGetsTheirOwnDndBack() throws Exception {
        try (Landscape l = landscape()) {
            String url = database();
            Instance a = Instance.start(l, config(l, "a", url));
            Instance b = null;
            try {
                a.awaitLeaderReady();
                b = Instance.start(l, config(l, "b", url));
                Instance standby = b;
                b.await(() -> standby.health().contains("ready-standby"), "b ready-standby");
                for (int u = 1; u <= 5; u++) {
                    l.inCall(u);
                }
                a.await(() -> l.dnd(3) && l.dnd(4) && l.dnd(5), "users 3..5 held");
                long killed = System.nanoTime();
                a.kill();
                b.await(() -> leads(standby), "b leads and has synced");
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                assertThat(takeover).as("from the SIGKILL to the new leader's first cycle").isLessThanOrEqualTo(TAKEOVER_AFTER);
                assertThat(b.output()).contains("Taking the lead").contains("is gone");
                assertThat(l.dnd(3) && l.dnd(4) && l.dnd(5)).as("the holds stay while the calls go on").isTrue();
                for (int u = 1; u <= 5; u++) {
                    l.available(u);
                }
                b.await(() -> settled(l), "every user has their own DND back");
                assertThat(b.metrics()).contains("teamsconnect_ha_takeovers_total 1.0");
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    // ---- scenario 3: the leader's database connection is cut

    @Test
    void aLeaderWhoseLockConnectionIsCutStopsBeforeTheStandbyWritesAndExitsWithOne() throws Exception {
        try (Landscape l = landscape()) {
            String url = database();
            try (Instance a = Instance.start(l, config(l, "a", url))) {
                a.awaitLeaderReady();
                try (Instance b = Instance.start(l, config(l, "b", url))) {
                    b.await(() -> b.health().contains("ready-standby"), "b ready-standby");
                    l.inCall(3);
                    a.await(() -> l.dnd(3), "user 3 held");
                    // calls keep coming while the lock is cut, so the old leader has something to write
                    Random random = new Random(3);
                    sql(url, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                            + " AND classid = 31756 AND objid = 1 AND granted");
                    long cut = System.nanoTime();
                    while (b.health().contains("ready-standby") || a.process.isAlive()) {
                        int u = 4 + random.nextInt(USERS - 3);
                        if (random.nextBoolean()) {
                            l.inCall(u);
                        } else {
                            l.available(u);
                        }
                        Thread.sleep(20);
                        if (System.nanoTime() - cut > WAIT.toNanos()) {
                            throw new AssertionError("no takeover:\n" + a.output() + "\n----\n" + b.output());
                        }
                    }
                    assertThat(a.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    assertThat(a.process.exitValue()).as("a leader that lost the lead exits with 1").isEqualTo(1);
                    assertThat(a.output()).contains("Lost the lead");
                    for (int u = 3; u <= USERS; u++) {
                        l.available(u);
                    }
                    b.await(() -> settled(l) && b.health().contains("\"ready\" : true"), "b leads, all settled");
                    List<StarfaceEmulator.PhoneConfigWrite> writes = l.pbx.phoneConfigWrites();
                    assertThat(writers(writes)).as("two writers, one after the other").hasSize(2);
                    assertNeverTwoWriters(writes);
                }
            }
        }
    }

    // ---- scenario 4: the database restarts

    @Test
    void afterADatabaseRestartBothInstancesRecoverWithoutALostHold() throws Exception {
        Path data = Files.createDirectories(dir.resolve("pg-restart"));
        int port = freePort();
        EmbeddedPostgres own = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setPort(port).start();
        try (Landscape l = landscape()) {
            String url = "jdbc:postgresql://localhost:" + port + "/postgres";
            Path ca = config(l, "a", url);
            Path cb = config(l, "b", url);
            Instance a = Instance.start(l, ca);
            Instance b = null;
            try {
                a.awaitLeaderReady();
                b = Instance.start(l, cb);
                Instance standby = b;
                b.await(() -> standby.health().contains("ready-standby"), "b ready-standby");
                for (int u = 1; u <= 5; u++) {
                    l.inCall(u);
                }
                a.await(() -> l.dnd(3) && l.dnd(4) && l.dnd(5), "users 3..5 held");
                own.close();
                // the leader loses its lock session and exits; the standby cannot reach the database
                assertThat(a.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the leader exits").isTrue();
                assertThat(a.process.exitValue()).isEqualTo(1);
                b.await(() -> standby.health().contains("\"status\" : \"DOWN\""), "the standby reports the database");
                own = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
                a = Instance.start(l, ca); // as its supervisor would
                Instance first = a;
                long until = System.nanoTime() + WAIT.toNanos();
                while (!(leads(first) || leads(standby))) {
                    assertThat(System.nanoTime()).as("a leader after the restart\n" + a.output() + "\n----\n"
                            + b.output()).isLessThan(until);
                    Thread.sleep(50);
                }
                assertThat(l.dnd(3) && l.dnd(4) && l.dnd(5)).as("the holds stay while the calls go on").isTrue();
                for (int u = 1; u <= 5; u++) {
                    l.available(u);
                }
                Instance leader = leads(first) ? first : standby;
                leader.await(() -> settled(l), "every user has their own DND back: no hold was lost");
                assertNeverTwoWriters(l.pbx.phoneConfigWrites());
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
                own.close();
            }
        }
    }

    private static boolean leads(Instance i) {
        String h = i.health();
        return h.contains("\"role\" : \"leader\"") && h.contains("\"ready\" : true");
    }

    // ---- scenario 5: a SIGKILL storm alternating between the two instances

    @Test
    void aSigkillStormAlternatingBetweenTwoInstancesStrandsNobodyAndLosesNoHandMadeDnd() throws Exception {
        int kills = Integer.getInteger("it.ha.kills", 30);
        long seed = Long.getLong("it.ha.seed", System.nanoTime());
        String replay = "seed " + seed + " (replay: -Dit.ha.seed=" + seed + " -Dit.ha.kills=" + kills
                + " -Dtest=HighAvailabilityIntegrationTest)";
        Random random = new Random(seed);
        List<Long> takeoverMillis = new ArrayList<>();
        List<Long> firstCycleMillis = new ArrayList<>();
        long started = System.nanoTime();
        try (Landscape l = landscape()) {
            String url = database();
            Path[] configs = {config(l, "a", url), config(l, "b", url)};
            Instance[] instances = {Instance.start(l, configs[0]), null};
            try {
                instances[0].awaitLeaderReady();
                instances[1] = Instance.start(l, configs[1]);
                int leader = 0;
                for (int k = 1; k <= kills; k++) {
                    String where = replay + ", kill " + k + " of " + kills;
                    Instance standby = instances[1 - leader];
                    standby.await(() -> standby.health().contains("ready-standby"), "standby ready (" + where + ")");
                    // chaos: calls start and end, then SIGKILL of the leader
                    long end = System.nanoTime() + Duration.ofMillis(300 + random.nextInt(1200)).toNanos();
                    while (System.nanoTime() < end) {
                        int u = 1 + random.nextInt(USERS);
                        if (random.nextBoolean()) {
                            l.inCall(u);
                        } else {
                            l.available(u);
                        }
                        Thread.sleep(random.nextInt(60));
                    }
                    long killed = System.nanoTime();
                    instances[leader].kill();
                    instances[leader] = Instance.start(l, configs[leader]); // as its supervisor would
                    standby.await(() -> standby.health().contains("\"role\" : \"leader\""), "takeover (" + where + ")");
                    assertThat(standby.metrics()).contains("teamsconnect_ha_leader 1.0");
                    takeoverMillis.add(Duration.ofNanos(System.nanoTime() - killed).toMillis());
                    standby.await(() -> leads(standby), "first cycle of the new leader (" + where + ")");
                    firstCycleMillis.add(Duration.ofNanos(System.nanoTime() - killed).toMillis());
                    for (int u = 1; u <= USERS; u++) {
                        l.available(u);
                    }
                    standby.await(() -> settled(l), "0 stranded, 0 hand-made DND lost (" + where + ")");
                    leader = 1 - leader;
                }
                assertNeverTwoWriters(l.pbx.phoneConfigWrites());
            } finally {
                for (Instance i : instances) {
                    if (i != null) {
                        i.close();
                    }
                }
            }
        }
        List<Long> sorted = new ArrayList<>(takeoverMillis);
        java.util.Collections.sort(sorted);
        List<Long> cycles = new ArrayList<>(firstCycleMillis);
        java.util.Collections.sort(cycles);
        System.out.printf("high availability: %d SIGKILLs alternating between two instances in %d s (%s);"
                        + " kill to takeover p50 %d ms, max %d ms; kill to the new leader's first cycle p50 %d ms, max %d ms"
                        + " (takeoverAfter %d s)%n", kills, Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                replay, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), cycles.get(cycles.size() / 2),
                cycles.get(cycles.size() - 1), TAKEOVER_AFTER.toSeconds());
        assertThat(cycles.get(cycles.size() - 1)).as("every new leader synced within takeoverAfter of the kill ("
                + replay + ")").isLessThanOrEqualTo(TAKEOVER_AFTER.toMillis());
    }

    // ---- scenario 6: two processes on one state file

    @Test
    void aSecondProcessOnTheSameStateFileRefusesToStartNamingTheFileAndTheFirst() throws Exception {
        try (Landscape l = landscape()) {
            Path stateDir = Files.createDirectories(dir.resolve("file-state"));
            Path stateFile = stateDir.resolve("teamsconnect-state.json");
            Path ca = Files.createDirectories(dir.resolve("file-a")).resolve("teamsconnect.yaml");
            Path cb = Files.createDirectories(dir.resolve("file-b")).resolve("teamsconnect.yaml");
            l.writeServiceConfig(ca, stateFile, freePort(), "200ms");
            l.writeServiceConfig(cb, stateFile, freePort(), "200ms");
            try (Instance a = Instance.start(l, ca)) {
                a.await(() -> a.health().contains("\"ready\" : true"), "a ready");
                try (Instance b = Instance.start(l, cb)) {
                    assertThat(b.process.waitFor(30, TimeUnit.SECONDS)).as("the second process ends").isTrue();
                    assertThat(b.process.exitValue()).isEqualTo(1);
                    assertThat(b.output()).contains(stateFile.toString()).contains("in use by another TeamsConnect process")
                            .contains("pid " + a.process.pid());
                    assertThat(a.process.isAlive()).isTrue();
                }
            }
        }
    }

    // ---- helpers

    /** The login sessions that wrote, in order of their first write. */
    static Set<String> writers(List<StarfaceEmulator.PhoneConfigWrite> writes) {
        Set<String> out = new LinkedHashSet<>();
        writes.forEach(w -> out.add(w.session()));
        return out;
    }

    /** Each session's writes form one block: once another session wrote, an earlier one never writes again. */
    static void assertNeverTwoWriters(List<StarfaceEmulator.PhoneConfigWrite> writes) {
        Set<String> done = new LinkedHashSet<>();
        String current = null;
        for (StarfaceEmulator.PhoneConfigWrite w : writes) {
            if (!w.session().equals(current)) {
                assertThat(done).as("session " + w.session() + " wrote again at " + w.at() + " after another session had"
                        + " written (" + done + ")").doesNotContain(w.session());
                if (current != null) {
                    done.add(current);
                }
                current = w.session();
            }
        }
    }

    static Landscape landscape() {
        Landscape l = Landscape.start(USERS);
        l.graph.presenceRateLimit(1_000_000, Duration.ofSeconds(30));
        for (int i = 1; i <= MANUAL; i++) {
            l.pressDnd(i, true);
        }
        for (int u = 1; u <= USERS; u++) {
            l.available(u);
        }
        return l;
    }

    /** Every user has their own choice: users 1..MANUAL their hand-made DND, the others none. */
    static boolean settled(Landscape l) {
        for (int u = 1; u <= USERS; u++) {
            if (l.dnd(u) != (u <= MANUAL)) {
                return false;
            }
        }
        return true;
    }

    /** A config for one instance: the landscape's, with the state in the database and ha.mode active-passive. */
    Path config(Landscape l, String name, String url) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name + "-" + url.substring(url.lastIndexOf('/') + 1)));
        Path file = d.resolve("teamsconnect.yaml");
        l.writeServiceConfig(file, d.resolve("unused-state.json"), freePort(), "200ms");
        String yaml = Files.readString(file);
        int at = yaml.indexOf("state:\n");
        int end = yaml.indexOf("server:\n");
        yaml = yaml.substring(0, at) + """
                state:
                  type: postgres
                  url: %s
                  user: postgres
                  password: ${TEAMSCONNECT_DB_PASSWORD}
                ha:
                  mode: active-passive
                  takeoverAfter: %ds
                """.formatted(url, TAKEOVER_AFTER.toSeconds()) + yaml.substring(end);
        Files.writeString(file, yaml);
        return file;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One service process and its output. */
    static final class Instance implements AutoCloseable {
        final Process process;
        final int port;
        private final Deque<String> lines = new ArrayDeque<>();

        private Instance(Process process, int port) {
            this.process = process;
            this.port = port;
            Thread reader = new Thread(this::read, "ha-instance-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Instance start(Landscape l, Path config) throws IOException {
            String yaml = Files.readString(config);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("port: (\\d+)").matcher(yaml.substring(yaml.indexOf("server:")));
            m.find();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> cmd = List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC",
                    "-XX:-UsePerfData", "-Xmx256m", "-jar", Landscape.serviceJar().toString(), "run", "--config",
                    config.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            Landscape.serviceEnvironment(pb.environment());
            pb.environment().put("TEAMSCONNECT_DB_PASSWORD", DB_PASSWORD);
            return new Instance(pb.start(), Integer.parseInt(m.group(1)));
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (lines) {
                        lines.addLast(line);
                        if (lines.size() > 400) {
                            lines.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // the process died; its output ends here
            }
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        String get(String path) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                return r.body();
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }

        String health() {
            return get("/health");
        }

        String metrics() {
            return get("/metrics");
        }

        void awaitLeaderReady() throws InterruptedException {
            await(() -> {
                String h = health();
                return h.contains("\"role\" : \"leader\"") && h.contains("\"ready\" : true");
            }, "leader and ready");
        }

        void await(BooleanSupplier condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within " + WAIT + ": " + what + "; alive " + process.isAlive()
                            + "\n" + output());
                }
                Thread.sleep(20);
            }
        }

        /** SIGKILL, then wait for the process to be gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    kill();
                }
            }
        }
    }
}
