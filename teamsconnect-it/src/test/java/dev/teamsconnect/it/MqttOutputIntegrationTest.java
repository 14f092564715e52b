package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.output.OutputStats;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.service.status.StatusBoard;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mqtt status output in the shipped wiring ({@code outputs: - type: mqtt} in the config file, {@link ConfigLoader},
 * {@link EngineWiring}, the output host's delivery thread) next to the real Graph source and STARFACE sink over HTTPS,
 * with a real broker (embedded Moquette): while the broker is down, the Teams-to-PBX sync goes on as without the
 * output (every change mirrored, one write per change, no failed cycle), and when it is back the broker holds every
 * user's latest state again. The engine's clock is driven: the outage lasts five minutes of the engine's time (30
 * cycles, five changes); the output's reconnects run on the wall clock, as they do in the service. The output's own
 * reconnect behaviour over a long real outage is {@code MqttStatusOutputBrokerContract} in teamsconnect-mqtt.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MqttOutputIntegrationTest {

    private static final int USERS = 6;
    private static final Duration POLL = Duration.ofSeconds(10);
    private static final String PREFIX = "tc-it";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Landscape l;
    private final int brokerPort = freePort();
    private Server broker;
    private final boolean[] inCall = new boolean[USERS + 1];
    private final List<CycleReport> reports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        l = Landscape.start(USERS);
        startBroker();
    }

    @AfterEach
    void stop() {
        stopBroker();
        l.close();
    }

    @Test
    void aBrokerDownForMinutesLeavesTheDndSyncAsItIsAndGetsEveryLatestStateWhenItIsBack() throws Exception {
        for (int u = 1; u <= USERS; u++) {
            call(u, u <= 2); // users 1 and 2 in a call, the others available
        }
        ServiceConfig config = new ConfigLoader(env()).load(configFile());
        EngineWiring wiring = new EngineWiring(config, PluginLookup.discover());
        StatusBoard board = new StatusBoard(config.source(), config.sink());
        try (OutputDispatcher outputs = wiring.outputDispatcher(l.clock);
             SyncEngine engine = wiring.engine(false, false, board, new ServiceMetrics(), l.clock, reports::add, outputs)) {
            outputs.start();
            cycleUntil(engine, () -> brokerShowsEveryUser(), "the broker shows every user's state");

            stopBroker();
            int writesBefore = l.pbx.phoneConfigWrites().size();
            // users 1 to 5 change, one per round, each round a minute of the engine's time; user 6 does not, so its
            // state must come back by a re-publish (the output's after its reconnect, or the host's) once the broker,
            // which lost it, is back
            for (int u = 1; u < USERS; u++) {
                call(u, !inCall[u]);
                cycles(engine, Duration.ofMinutes(1));
                for (int v = 1; v <= USERS; v++) {
                    assertThat(l.dnd(v)).as("user %d after round %d, broker down", v, u).isEqualTo(inCall[v]);
                }
            }
            assertThat(l.pbx.phoneConfigWrites().size() - writesBefore).as("one PBX write per change").isEqualTo(USERS - 1);
            assertThat(reports).as("every cycle worked").allSatisfy(r -> assertThat(r.success()).as(r.summary()).isTrue());
            OutputStats down = board.outputs().get(0);
            assertThat(down.type()).isEqualTo("mqtt");
            assertThat(down.failing()).as("the output shows that it cannot deliver").isTrue();
            assertThat(down.queued()).as("the latest status per user, no more").isBetween(1, USERS);

            startBroker(); // empty: Moquette here keeps nothing across a restart
            cycleUntil(engine, () -> brokerShowsEveryUser(), "after the restart the broker shows every latest state");
            OutputStats back = board.outputs().get(0);
            assertThat(back.failing()).isFalse();
            assertThat(back.queued()).isZero();
        }
    }

    private void call(int user, boolean on) {
        inCall[user] = on;
        if (on) {
            l.inCall(user);
        } else {
            l.available(user);
        }
    }

    private void cycles(SyncEngine engine, Duration d) {
        for (Duration t = Duration.ZERO; t.compareTo(d) < 0; t = t.plus(POLL)) {
            l.clock.advance(POLL);
            engine.syncOnce();
        }
    }

    /** Cycles (a poll of the engine's time each) until {@code done}, for at most 90 s of real time. */
    private void cycleUntil(SyncEngine engine, java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "; last seen: " + lastSeen).isLessThan(deadline);
            cycles(engine, POLL);
        }
    }

    private volatile Map<String, String> lastSeen = Map.of();

    /**
     * Whether a fresh subscriber gets, retained, every user's state with the PBX's DND as it is now. Each try is a new
     * client with a clean session; one that the broker closes while it sends the retained messages counts as "not
     * yet" (embedded Moquette does that now and then, see teamsconnect-mqtt's TestSubscriber).
     */
    private boolean brokerShowsEveryUser() {
        Map<String, String> topics = new HashMap<>();
        for (int u = 1; u <= USERS; u++) {
            topics.put(PREFIX + "/" + l.pbx.userId(Landscape.login(u)) + "/state", l.graphId(u));
        }
        Map<String, String> seen = new ConcurrentHashMap<>();
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier("it-subscriber-" + UUID.randomUUID())
                .serverHost("127.0.0.1").serverPort(brokerPort).buildAsync();
        try {
            c.connectWith().cleanSession(true).send().get(5, TimeUnit.SECONDS);
            for (String topic : topics.keySet()) {
                c.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE)
                        .callback(p -> seen.put(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                        .send().get(5, TimeUnit.SECONDS);
            }
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (seen.size() < topics.size() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        } finally {
            c.disconnect();
        }
        lastSeen = Map.copyOf(seen);
        if (seen.size() < topics.size()) {
            return false;
        }
        for (int u = 1; u <= USERS; u++) {
            String topic = PREFIX + "/" + l.pbx.userId(Landscape.login(u)) + "/state";
            JsonNode state = read(seen.get(topic));
            // wantedDnd is true in a call and null when the engine leaves the user's own setting (docs/outputs.md);
            // pbxDnd is null for a user whose DND the engine had no reason to read
            JsonNode pbxDnd = state.path("pbxDnd");
            if (!state.path("teamsUserId").asText().equals(topics.get(topic))
                    || state.path("wantedDnd").asBoolean(false) != inCall[u]
                    || (pbxDnd.isBoolean() ? pbxDnd.asBoolean() != l.dnd(u) : inCall[u])) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode read(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON on a state topic: " + payload, e);
        }
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        Landscape.serviceEnvironment(env);
        return env;
    }

    private Path configFile() throws IOException {
        Path file = l.writeServiceConfig(dir.resolve("teamsconnect.yaml"), dir.resolve("state.json"), 0, "10s");
        Files.writeString(file, """
                outputs:
                  - type: mqtt
                    url: tcp://127.0.0.1:%d
                    topicPrefix: %s
                    homeAssistant: true
                """.formatted(brokerPort, PREFIX), StandardOpenOption.APPEND);
        return file;
    }

    private synchronized void startBroker() {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(brokerPort));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("immediate_buffer_flush", "true");
        p.setProperty("telemetry_enabled", "false"); // Moquette would otherwise report to its collector on the internet
        Server s = new Server();
        try {
            s.startServer(new MemoryConfig(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = s;
    }

    private synchronized void stopBroker() {
        if (broker != null) {
            broker.stopServer();
            broker = null;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
