package dev.teamsconnect.examples;

import static dev.teamsconnect.core.model.PresenceCategory.DO_NOT_DISTURB;
import static dev.teamsconnect.core.model.PresenceCategory.IN_A_CALL;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.store.JsonFileStateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Embeds the sync engine in your own program: no service, no config file, every part chosen in code. Its test
 * runs it with the CSV {@link dev.teamsconnect.examples.file.FilePresenceSource} and an in-memory PBX from the test
 * kit; in your program the sink is your PBX (e.g. {@code StarfacePbxSink}). Status outputs (the webhook, MQTT) are
 * fed from the engine by {@code dev.teamsconnect.core.output.OutputDispatcher} (docs/outputs.md).
 * The lines between the {@code tag::embedding} markers are quoted in the README; a test keeps the two equal.
 */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    /**
     * Builds the engine from the given parts and runs it until {@code stop} opens; closing the engine releases the
     * holds (the users' own DND comes back) and closes source, sink and store.
     */
    public static void run(PresenceSource source, PbxSink sink, Path stateFile, Clock clock, CountDownLatch stop)
            throws InterruptedException {
        // tag::embedding[]
        try (SyncEngine engine = SyncEngine.builder()
                .source(source)                                  // any PresenceSource: Graph, a file, your own
                .sink(sink)                                      // any PbxSink: STARFACE, your own
                .store(new JsonFileStateStore(stateFile))        // remembers what to restore, across restarts
                .policy(ConfigurableStatusPolicy.builder().dndCategories(IN_A_CALL, DO_NOT_DISTURB).build())
                .config(EngineConfig.builder().pollInterval(Duration.ofSeconds(5)).build())
                .clock(clock)                                    // tests pass a ManualClock
                .build()) {
            engine.start();                                      // or call engine.syncOnce() from your scheduler
            stop.await();
        }
        // end::embedding[]
    }
}
