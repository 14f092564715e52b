package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped service ({@code java -jar teamsconnect.jar run}) against the emulators: a corrupt state file stops it
 * with the file untouched; a run at TRACE with calls, expired tokens and a PBX restart logs no secret, and its
 * endpoints (default bind address) show none.
 */
class ServiceProcessIntegrationTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path config(Landscape l, Path state, int port) throws Exception {
        return l.writeServiceConfig(dir.resolve("teamsconnect.yaml"), state, port, "100ms");
    }

    private Process start(Path config, Path output, String logLevel) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC", "-jar", Landscape.serviceJar().toString(),
                "run", "--config", config.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        Landscape.serviceEnvironment(pb.environment());
        if (logLevel != null) {
            pb.environment().put("TEAMSCONNECT_LOG_LEVEL", logLevel);
            pb.environment().put("TEAMSCONNECT_HTTP_LOG_LEVEL", logLevel);
        }
        return pb.start();
    }

    private static void await(Process p, Path output, java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not happen (alive: " + p.isAlive() + "):\n" + Files.readString(output));
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aCorruptStateFileStopsTheServiceAndIsLeftUntouched() throws Exception {
        Path state = dir.resolve("state.json");
        byte[] corrupt = "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[{\"pbxUserId\":\"2\",\"ki"
                .getBytes(StandardCharsets.UTF_8);
        Files.write(state, corrupt);
        Path output = dir.resolve("corrupt.out");
        try (Landscape l = Landscape.start(2)) {
            l.inCall(1);
            Process p = start(config(l, state, 0), output, null);
            assertThat(p.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the service stops by itself").isTrue();
            String out = Files.readString(output);
            assertThat(p.exitValue()).as(out).isNotZero();
            assertThat(out).contains(state.toAbsolutePath().toString()).contains("Way out");
            assertThat(l.pbx.dndChanges()).as("nothing written to the PBX").isEmpty();
        }
        assertThat(Files.readAllBytes(state)).isEqualTo(corrupt);
    }

    @Test
    void aTraceRunOfTheServiceLogsNoSecretAndItsEndpointsShowNone() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path state = dir.resolve("state.json");
        Path output = dir.resolve("trace.out");
        Set<String> secrets = new LinkedHashSet<>();
        List<String> bodies = new ArrayList<>();
        try (Landscape l = Landscape.start(3)) {
            Process p = start(config(l, state, port), output, "TRACE");
            try {
                l.inCall(1);
                await(p, output, () -> l.dnd(1), "DND for the user in a call");
                secrets.addAll(l.pbx.activeTokens());
                l.graph.expireAllTokens();
                l.pbx.restart();
                l.inCall(2);
                await(p, output, () -> l.dnd(2), "DND after expired tokens and a PBX restart");
                secrets.addAll(l.pbx.activeTokens());
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/status", "/health", "/metrics")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    bodies.add(path + " " + r.statusCode() + " " + r.body());
                }
                l.available(1);
                l.available(2);
                await(p, output, () -> !l.dnd(1) && !l.dnd(2), "DND restored");
                secrets.addAll(l.pbx.activeTokens());
            } finally {
                p.destroy(); // SIGTERM: a clean stop
                p.waitFor(30, TimeUnit.SECONDS);
                p.destroyForcibly();
            }
            secrets.addAll(l.graph.secrets());
            secrets.addAll(l.pbx.loginSecretsSeen());
        }
        secrets.addAll(List.of(Landscape.APP_SECRET, Landscape.PBX_PASSWORD));
        String log = Files.readString(output);
        assertThat(log.lines().filter(x -> x.contains(" TRACE ")).count()).as("the run really logged at TRACE").isPositive();
        assertThat(bodies.get(0)).as("/status lists the users").contains("user00001@contoso.test");
        for (String secret : secrets) {
            for (String text : bodies) {
                assertThat(text.contains(secret)).as("a secret of " + secret.length() + " chars in " + text.substring(0, 8))
                        .isFalse();
            }
            assertThat(log.contains(secret)).as("a secret of " + secret.length() + " chars, starting "
                    + secret.substring(0, 3) + ", in the service's log").isFalse();
        }
        assertThat(Files.readString(state)).doesNotContain(Landscape.PBX_PASSWORD);
    }

    /**
     * {@code pbxToTeams} through the shipped jar: a DND pressed at the phone becomes a presence session in Teams,
     * shown on /status and in the metrics; SIGTERM clears it, and the state file keeps no active session.
     */
    @Test
    void aDndAtThePhoneShowsInTeamsAndSigtermClearsTheSession() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path state = dir.resolve("state.json");
        Path output = dir.resolve("p2t.out");
        try (Landscape l = Landscape.start(2)) {
            Path config = config(l, state, port);
            Files.writeString(config, Files.readString(config) + """
                    pbxToTeams:
                      dnd: in-a-call
                      readInterval: 2s
                    """);
            Process p = start(config, output, null);
            String status;
            String metrics;
            try {
                await(p, output, () -> l.pbx.requestCount("GET /rest/users") > 0, "the first user listing");
                l.pressDnd(1, true);
                await(p, output, () -> !l.graph.presenceSessions(l.graphId(1)).isEmpty(), "a session for the DND");
                assertThat(l.graph.shownPresence(l.graphId(1))).containsExactly("Busy", "InACall");
                HttpClient http = HttpClient.newHttpClient();
                await(p, output, () -> get(http, port, "/status?user=user00001").contains("pbx-dnd"),
                        "the session on /status");
                // the session is active from the cycle that decided it; the writer's thread sends setPresence and
                // counts it, and /metrics shows that count from the snapshot of the next cycle
                await(p, output, () -> get(http, port, "/metrics").contains("teamsconnect_teams_sessions_total{outcome=\"set\"} 1.0"),
                        "the session counted on /metrics");
                status = get(http, port, "/status?user=user00001");
                metrics = get(http, port, "/metrics");
            } finally {
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            String log = Files.readString(output);
            assertThat(status.replaceAll("\\s", "")).contains("\"teamsSession\":{\"cause\":\"pbx-dnd\",\"presence\":\"Busy/InACall\"");
            assertThat(metrics).contains("teamsconnect_teams_sessions_active 1.0")
                    .contains("teamsconnect_teams_sessions_total{outcome=\"set\"} 1.0");
            assertThat(log).contains("Teams presence session set").contains("Teams presence session cleared (shutdown)");
            assertThat(l.graph.presenceSessions(l.graphId(1))).as("SIGTERM cleared it").isEmpty();
            assertThat(l.dnd(1)).as("the user's own DND is untouched").isTrue();
            assertThat(Files.readString(state)).doesNotContain("\"clearedAt\":null");
        }
    }

    private static String get(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
