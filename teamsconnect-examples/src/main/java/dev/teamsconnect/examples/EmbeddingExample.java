package dev.teamsconnect.examples;

import static dev.teamsconnect.core.model.PresenceCategory.DO_NOT_DISTURB;
import static dev.teamsconnect.core.model.PresenceCategory.IN_A_CALL;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.examples.file.FilePresenceSource;
import dev.teamsconnect.examples.webhook.WebhookPbxSink;
import dev.teamsconnect.examples.webhook.WebhookSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Embeds the sync engine in your own program: no service, no config file, every part chosen in code.
 *
 * <pre>
 * TEAMSCONNECT_WEBHOOK_SECRET=... java -cp teamsconnect-examples.jar:teamsconnect-core.jar:slf4j-api.jar \
 *     dev.teamsconnect.examples.EmbeddingExample presence.csv https://hooks.example.com/teams state.json
 * </pre>
 *
 * reads presence from a CSV file ({@link FilePresenceSource}) and sends DND changes to a webhook
 * ({@link WebhookPbxSink}) for the same users, until the process is stopped (Ctrl-C releases every hold first).
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
                .sink(sink)                                      // any PbxSink: STARFACE, a webhook, your own
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

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: EmbeddingExample PRESENCE_CSV WEBHOOK_URL STATE_FILE"
                    + " (secret in the environment variable TEAMSCONNECT_WEBHOOK_SECRET)");
            System.exit(2);
        }
        String secret = System.getenv("TEAMSCONNECT_WEBHOOK_SECRET");
        if (secret == null || secret.length() < WebhookSettings.MIN_SECRET_LENGTH) {
            System.err.println("set TEAMSCONNECT_WEBHOOK_SECRET to at least " + WebhookSettings.MIN_SECRET_LENGTH
                    + " characters");
            System.exit(2);
        }
        Clock clock = Clock.systemUTC();
        FilePresenceSource source = new FilePresenceSource(Path.of(args[0]), clock);
        source.open();
        // The webhook reports on the same people as the file; the engine matches them by e-mail.
        List<WebhookSettings.WebhookUser> users = source.listUsers().stream()
                .filter(u -> u.mail() != null)
                .map(u -> new WebhookSettings.WebhookUser(new PbxUser(u.id(), null, u.mail(), u.displayName()),
                        PbxState.dnd(false)))
                .toList();
        WebhookSettings settings = new WebhookSettings(URI.create(args[1]), new WebhookSettings.Secret(secret),
                Duration.ofSeconds(5), 5, Duration.ofMillis(500), Duration.ofSeconds(30), 1000, users);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "embedding-example-shutdown"));
        try {
            run(source, new WebhookPbxSink(settings), Path.of(args[2]), clock, stop);
        } finally {
            stopped.countDown();
        }
    }
}
