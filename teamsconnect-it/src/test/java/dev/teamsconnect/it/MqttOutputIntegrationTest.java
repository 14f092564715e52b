package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.output.OutputStats;
import dev.teamsconnect.mqtt.MoquetteBroker;
import dev.teamsconnect.mqtt.TestSubscriber;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.service.status.StatusBoard;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mqtt status output in the shipped wiring ({@code outputs: - type: mqtt} in the config file, {@link ConfigLoader},
 * {@link EngineWiring}, the output host's delivery thread) next to the real Graph source and STARFACE sink over HTTPS,
 * with a real broker (embedded Moquette, the mqtt module's test broker): while the broker is down, the Teams-to-PBX
 * sync goes on as without the output (every change mirrored, one write per change, no failed cycle), and when it is
 * back the broker holds every user's latest state again. The engine's clock is driven: the outage lasts five minutes
 * of the engine's time (30 cycles, five changes); the output's reconnects run on the wall clock, as they do in the
 * service. The output's own reconnect behaviour over a long real outage is {@code MqttStatusOutputBrokerContract} in
 * teamsconnect-mqtt.
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
    private final MoquetteBroker broker = new MoquetteBroker(SelfSignedCertificate.forLocalhost());
    private final boolean[] inCall = new boolean[USERS + 1];
    private final List<CycleReport> reports = new CopyOnWriteArrayList<>();
    /** What the last subscriber saw, for the message of a wait that runs out. */
    private Map<String, String> lastSeen = Map.of();

    @BeforeEach
    void start() {
        l = Landscape.start(USERS);
        broker.start();
    }

    @AfterEach
    void stop() {
        broker.stop();
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
            cycleUntil(engine, this::brokerShowsEveryUser, "the broker shows every user's state");

            broker.stop();
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

            broker.start(); // empty: Moquette here keeps nothing across a restart
            cycleUntil(engine, this::brokerShowsEveryUser, "after the restart the broker shows every latest state");
            // the host's queue empties at its next retry, which waits on the engine's clock
            cycleUntil(engine, () -> !board.outputs().get(0).failing() && board.outputs().get(0).queued() == 0,
                    "the output no longer failing, its queue empty");
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
        l.run(engine, POLL, d);
    }

    /** Cycles (a poll of the engine's time each) until {@code done}, for at most 90 s of real time. */
    private void cycleUntil(SyncEngine engine, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + "; last seen: " + lastSeen).isLessThan(deadline);
            cycles(engine, POLL);
        }
    }

    /**
     * Whether a fresh subscriber (a new client with a clean session, so what it gets is what the broker retained)
     * sees every user's state with the PBX's DND as it is now. A subscriber that cannot be set up (the broker still
     * away) counts as "not yet".
     */
    private boolean brokerShowsEveryUser() {
        Map<String, String> topics = new HashMap<>();
        for (int u = 1; u <= USERS; u++) {
            topics.put(stateTopic(u), l.graphId(u));
        }
        Map<String, String> seen = new HashMap<>();
        try (TestSubscriber sub = TestSubscriber.connect(broker, new ArrayList<>(topics.keySet()))) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (topics.keySet().stream().anyMatch(t -> sub.latest(t) == null) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            topics.keySet().forEach(t -> seen.put(t, sub.latest(t)));
        } catch (IllegalStateException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        lastSeen = seen;
        for (int u = 1; u <= USERS; u++) {
            String payload = seen.get(stateTopic(u));
            if (payload == null) {
                return false;
            }
            JsonNode state = read(payload);
            // wantedDnd is true in a call and null when the engine leaves the user's own setting (docs/outputs.md);
            // pbxDnd is null for a user whose DND the engine had no reason to read
            JsonNode pbxDnd = state.path("pbxDnd");
            if (!state.path("teamsUserId").asText().equals(topics.get(stateTopic(u)))
                    || state.path("wantedDnd").asBoolean(false) != inCall[u]
                    || (pbxDnd.isBoolean() ? pbxDnd.asBoolean() != l.dnd(u) : inCall[u])) {
                return false;
            }
        }
        return true;
    }

    private String stateTopic(int user) {
        return PREFIX + "/" + l.pbx.userId(Landscape.login(user)) + "/state";
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
                """.formatted(broker.port(), PREFIX), StandardOpenOption.APPEND);
        return file;
    }
}
