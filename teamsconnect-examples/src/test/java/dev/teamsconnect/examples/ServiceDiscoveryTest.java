package dev.teamsconnect.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.examples.file.FilePresenceSource;
import dev.teamsconnect.examples.webhook.WebhookReceiverAccess;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.service.runtime.EngineServiceRuntime;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
        assertThat(providers.sinkIds()).contains("starface");
        assertThat(providers.source("file").create(new dev.teamsconnect.core.spi.ProviderConfig("file",
                Map.of("path", dir.resolve("p.csv").toString())))).isInstanceOf(FilePresenceSource.class);
    }

    @Test
    void examplesOutputIsDiscoveredAsAStatusOutput() {
        Providers providers = Providers.load(getClass().getClassLoader());
        assertThat(providers.outputIds()).contains("webhook");
        assertThat(providers.sinkIds()).doesNotContain("webhook");
    }

    @Test
    void runOnceWithFileSourceStarfaceSinkAndWebhookOutputDeliversEveryUsersStatus() throws Exception {
        Path csv = dir.resolve("presence.csv");
        Files.write(csv, List.of("id,mail,name,availability,activity",
                "t-alice,alice@example.com,Alice Example,Busy,InACall",
                "t-bob,bob@example.com,Bob Example,Available,Available"), StandardCharsets.UTF_8);
        try (StarfaceEmulator pbx = StarfaceEmulator.builder()
                .user("0001", "api-pw-0815", "api@example.com", "Api", "Account", false)
                .user("1001", "pw", "alice@example.com", "Alice", "Example", false)
                .user("1002", "pw", "bob@example.com", "Bob", "Example", false)
                .https().start();
             WebhookReceiverAccess receiver = WebhookReceiverAccess.start(SECRET)) {
            Path pem = pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem"));
            Path config = dir.resolve("teamsconnect.yaml");
            Files.writeString(config, String.join("\n",
                    "source:",
                    "  type: file",
                    "file:",
                    "  path: " + csv,
                    "starface:",
                    "  baseUrl: " + pbx.baseUrl(),
                    "  loginId: \"0001\"",
                    "  password: ${STARFACE_PASSWORD}",
                    "  tls:",
                    "    certificate: " + pem,
                    "outputs:",
                    "  - type: webhook",
                    "    url: " + receiver.url(),
                    "    secret: ${WEBHOOK_SECRET}",
                    "state:",
                    "  file: " + dir.resolve("state.json"),
                    "server:",
                    "  port: 0",
                    ""), StandardCharsets.UTF_8);
            Map<String, String> env = Map.of("WEBHOOK_SECRET", SECRET, "STARFACE_PASSWORD", "api-pw-0815");

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = TeamsConnectMain.execute(new String[] {"check", "--config", config.toString(), "--config-only"},
                    env, new dev.teamsconnect.service.UnwiredServiceRuntime(), Clock.systemUTC(), new PrintWriter(out),
                    new PrintWriter(err));
            assertThat(code).as("check --config-only; stderr: %s", err).isZero();
            assertThat(out.toString()).contains("outputs: webhook (outputs[0])");

            // the shipped runtime, one cycle: the PBX gets DND for Alice, the webhook every user's status
            code = TeamsConnectMain.execute(new String[] {"run", "--config", config.toString(), "--once"}, env,
                    new EngineServiceRuntime(() -> PluginLookup.discover(getClass().getClassLoader()), null),
                    Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err));
            assertThat(code).as("run --once; stderr: %s", err).isZero();
            assertThat(pbx.dndByLogin()).containsEntry("1001", true).containsEntry("1002", false);
            assertThat(receiver.awaitEvents(2)).isTrue();
            assertThat(receiver.rejected()).isZero();
            Map<String, JsonNode> byLabel = new java.util.HashMap<>();
            receiver.events().forEach(e -> byLabel.put(e.get("user").get("label").asText(), e));
            JsonNode alice = byLabel.entrySet().stream().filter(e -> e.getKey().contains("Alice")).findFirst()
                    .orElseThrow().getValue();
            assertThat(alice.get("event").asText()).isEqualTo("presence.status");
            assertThat(alice.get("category").asText()).isEqualTo("IN_A_CALL");
            assertThat(alice.get("presence").get("activity").asText()).isEqualTo("InACall");
            assertThat(alice.get("dnd").get("wanted").asBoolean()).isTrue();
            assertThat(alice.get("dnd").get("pbx").asBoolean()).isTrue();
            assertThat(alice.get("hold").asText()).isEqualTo("held");
        }
    }

    @Test
    void aConfigThatStillUsesTheWebhookAsSinkGetsTheNewForm() throws Exception {
        Path config = dir.resolve("old.yaml");
        Files.writeString(config, String.join("\n",
                "sink:",
                "  type: webhook",
                "webhook:",
                "  url: https://hooks.example.com/teams",
                "  secret: ${WEBHOOK_SECRET}",
                "state:",
                "  file: " + dir.resolve("state.json"),
                ""), StandardCharsets.UTF_8);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TeamsConnectMain.execute(new String[] {"check", "--config", config.toString(), "--config-only"},
                Map.of("WEBHOOK_SECRET", SECRET), new EngineServiceRuntime(
                        () -> PluginLookup.discover(getClass().getClassLoader()), null),
                Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("sink.type: \"webhook\" is a status output, not a PBX sink")
                .contains("outputs:").contains("- type: webhook").doesNotContain(SECRET);
    }
}
