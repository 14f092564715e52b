package dev.teamsconnect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.examples.file.FilePresenceSource;
import dev.teamsconnect.testkit.InMemoryPbxSink;
import dev.teamsconnect.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingExampleTest {

    @TempDir
    Path dir;

    @Test
    void embeddedEngineSetsDndDuringACallAndRestoresItWhenStopped() throws Exception {
        Path csv = dir.resolve("presence.csv");
        Files.write(csv, List.of("id,mail,name,availability,activity",
                "t-alice,alice@example.com,Alice,Busy,InACall",
                "t-bob,bob@example.com,Bob,Available,Available"), StandardCharsets.UTF_8);
        ManualClock clock = new ManualClock(Instant.parse("2026-01-05T09:00:00Z"));
        InMemoryPbxSink pbx = InMemoryPbxSink.create(clock);
        pbx.addUser("1", "alice", "alice@example.com", "Alice", false);
        pbx.addUser("2", "bob", "bob@example.com", "Bob", false);
        Path state = dir.resolve("state.json");

        CountDownLatch stop = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread app = new Thread(() -> {
            try {
                EmbeddingExample.run(new FilePresenceSource(csv, clock), pbx, state, clock, stop);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "embedding-app");
        app.start();
        try {
            assertThat(waitFor(() -> pbx.dnd("1"))).as("Alice's phone goes to DND during her Teams call").isTrue();
            assertThat(Files.readString(state)).as("the hold is in the state file").contains("\"1\"");
            assertThat(pbx.dnd("2")).isFalse();
        } finally {
            stop.countDown();
            app.join(TimeUnit.SECONDS.toMillis(20));
        }
        assertThat(failure.get()).isNull();
        assertThat(app.isAlive()).isFalse();
        assertThat(pbx.dnd("1")).as("closing the engine gave Alice her own DND back").isFalse();
    }

    /** Waits for a condition the engine's own thread brings about (not a timing assertion: the limit is generous). */
    private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void readmeQuotesTheEmbeddingRegionVerbatim() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> source = Files.readAllLines(root.resolve(
                "teamsconnect-examples/src/main/java/dev/teamsconnect/examples/EmbeddingExample.java"));
        List<String> region = new ArrayList<>();
        boolean in = false;
        for (String line : source) {
            if (line.contains("end::embedding[]")) {
                in = false;
            } else if (in) {
                region.add(line);
            } else if (line.contains("tag::embedding[]")) {
                in = true;
            }
        }
        assertThat(region).as("the tagged region in EmbeddingExample.java").hasSizeGreaterThan(5);
        int indent = region.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        String quoted = String.join("\n", region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
        String readme = Files.readString(root.resolve("README.md")).replace("\r\n", "\n");
        assertThat(readme).as("README.md must quote the embedding region of EmbeddingExample.java unchanged")
                .contains("```java\n" + quoted + "\n```");
    }
}
