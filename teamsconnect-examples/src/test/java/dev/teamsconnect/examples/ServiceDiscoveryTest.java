package dev.teamsconnect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.examples.file.FilePresenceSource;
import dev.teamsconnect.examples.webhook.WebhookPbxSink;
import dev.teamsconnect.examples.webhook.WebhookReceiverAccess;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.testkit.ManualClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example plugins, found by ServiceLoader and chosen by id in a service config file. */
class ServiceDiscoveryTest {

    private static final String SECRET = "discovery-test-secret-123456";

    @TempDir
    Path dir;

    @Test
    void examplesAreDiscoveredNextToTheBuiltInPlugins() {
        Providers providers = Providers.load(getClass().getClassLoader());
        assertThat(providers.broken()).isEmpty();
        assertThat(providers.sourceIds()).contains("file", "graph");
        assertThat(providers.sinkIds()).contains("webhook", "starface");
        assertThat(providers.source("file").create(new dev.teamsconnect.core.spi.ProviderConfig("file",
                Map.of("path", dir.resolve("p.csv").toString())))).isInstanceOf(FilePresenceSource.class);
    }

    @Test
    void configWithFileSourceAndWebhookSinkRunsOneCycleThroughBoth() throws Exception {
        Path csv = dir.resolve("presence.csv");
        Files.write(csv, List.of("id,mail,name,availability,activity",
                "t-alice,alice@example.com,Alice Example,Busy,InACall",
                "t-bob,bob@example.com,Bob Example,Available,Available"), StandardCharsets.UTF_8);
        try (WebhookReceiverAccess receiver = WebhookReceiverAccess.start(SECRET)) {
            Path config = dir.resolve("teamsconnect.yaml");
            Files.writeString(config, String.join("\n",
                    "source:",
                    "  type: file",
                    "file:",
                    "  path: " + csv,
                    "sink:",
                    "  type: webhook",
                    "webhook:",
                    "  url: " + receiver.url(),
                    "  secret: ${WEBHOOK_SECRET}",
                    "  users:",
                    "    - {id: \"101\", email: alice@example.com, name: Alice Example}",
                    "    - {id: \"102\", email: bob@example.com, name: Bob Example}",
                    "state:",
                    "  file: " + dir.resolve("state.json"),
                    ""), StandardCharsets.UTF_8);
            Map<String, String> env = Map.of("WEBHOOK_SECRET", SECRET);

            // The service's own command line accepts the file: the plugin ids and sections are valid.
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = TeamsConnectMain.execute(new String[] {"check", "--config", config.toString(), "--config-only"},
                    env, new dev.teamsconnect.service.UnwiredServiceRuntime(), Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err));
            assertThat(code).as("check --config-only; stderr: %s", err).isZero();

            ManualClock clock = new ManualClock(Instant.parse("2026-01-05T09:00:00Z"));
            ServiceWiring.Wired wired = ServiceWiring.fromConfigFile(config, env, getClass().getClassLoader(), clock);
            assertThat(wired.config().source()).isEqualTo("file");
            assertThat(wired.config().sink()).isEqualTo("webhook");
            try (var engine = wired.engine()) {
                CycleReport report = engine.syncOnce();
                assertThat(report.errors()).isEmpty();
                assertThat(report.matched()).isEqualTo(2);
                assertThat(report.writes()).isEqualTo(1);
                assertThat(receiver.awaitEvents(1)).isTrue();
            }
            List<JsonNode> events = receiver.events();
            assertThat(events).hasSize(1);
            assertThat(events.get(0).get("user").get("id").asText()).isEqualTo("101");
            assertThat(events.get(0).get("dnd").asBoolean()).isTrue();
            assertThat(events.get(0).get("category").asText()).isEqualTo("IN_A_CALL");
            assertThat(events.get(0).get("presence").get("activity").asText()).isEqualTo("InACall");
            assertThat(receiver.rejected()).isZero();
            assertThat(WebhookPbxSink.ID).isEqualTo(wired.config().sink());
        }
    }
}
