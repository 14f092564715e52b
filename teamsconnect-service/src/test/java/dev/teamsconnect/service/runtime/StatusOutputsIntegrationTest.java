package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.output.OutputSettings;
import dev.teamsconnect.core.output.OutputStats;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStoreProvider;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.spi.StatusOutputProvider;
import dev.teamsconnect.service.RunContext;
import dev.teamsconnect.service.StopSignal;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.InvalidConfigException;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import dev.teamsconnect.starface.StarfaceSinkProvider;
import dev.teamsconnect.testkit.InMemoryPresenceSource;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Status outputs in the shipped runtime: the {@code outputs} list, each entry created by its provider, fed after
 * every cycle, shown in the metrics and on the board, listed by {@code check}, and never in the way of the PBX sync.
 * STARFACE over HTTPS against the emulator; outputs from a test provider ({@code recording}) that records what it
 * gets, fails or blocks as its entry says.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatusOutputsIntegrationTest {

    private static final String PBX_PASSWORD = "api-pw-0815";

    @TempDir
    Path dir;

    private StarfaceEmulator pbx;
    private final InMemoryPresenceSource teams = InMemoryPresenceSource.create(Clock.systemUTC());
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Map<String, Recording> outputs = new ConcurrentHashMap<>();
    private final CountDownLatch unblock = new CountDownLatch(1);
    private Path pem;

    /** What an output got; {@code behaviour}: {@code ok}, {@code fail} (retryable) or {@code block}. */
    final class Recording implements StatusOutput {
        final String behaviour;
        final Duration republish;
        final List<OutputStatus> published = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean closed;

        Recording(String behaviour, Duration republish) {
            this.behaviour = behaviour;
            this.republish = republish;
        }

        @Override
        public String id() {
            return "recording";
        }

        @Override
        public java.util.Optional<Duration> republishInterval() {
            return java.util.Optional.of(republish);
        }

        @Override
        public void publish(List<OutputStatus> statuses) {
            switch (behaviour) {
                case "fail" -> throw new RetryableException("receiver down");
                case "block" -> {
                    try {
                        unblock.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new RetryableException("interrupted");
                    }
                }
                default -> published.addAll(statuses);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final StatusOutputProvider recording = new StatusOutputProvider() {
        @Override
        public String id() {
            return "recording";
        }

        @Override
        public StatusOutput create(ProviderConfig config) {
            config.rejectUnknownKeys(List.of("name", "behaviour", OutputSettings.REPUBLISH_INTERVAL_KEY));
            String name = config.requiredText("name", "").orElse("?");
            String behaviour = config.text("behaviour").orElse("ok");
            Duration republish = OutputSettings.republishInterval(config);
            config.requireValid();
            Recording r = new Recording(behaviour, republish);
            outputs.put(name, r);
            return r;
        }
    };

    @BeforeEach
    void start() {
        pbx = StarfaceEmulator.builder()
                .user("0001", PBX_PASSWORD, "api@example.com", "Api", "Account", false)
                .user("1001", "pw", "ann@example.com", "Ann", "Lee", false)
                .user("1002", "pw", "bob@example.com", "Bob", "Marx", false)
                .user("1003", "pw", "carl@example.com", "Carl", "Ito", false)
                .https()
                .start();
        pem = pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem"));
        teams.addUser("t-ann", "ann@example.com", "Ann Lee")
                .addUser("t-bob", "bob@example.com", "Bob Marx")
                .addUser("t-carl", "carl@example.com", "Carl Ito");
        teams.setPresence("t-ann", Availability.BUSY, Activity.IN_A_CALL)
                .setPresence("t-bob", Availability.AVAILABLE, Activity.AVAILABLE)
                .setPresence("t-carl", Availability.AWAY, Activity.AWAY);
    }

    @AfterEach
    void stop() {
        unblock.countDown();
        pbx.close();
        assertThat(out + "\n" + err).doesNotContain(PBX_PASSWORD);
    }

    private Path config(String outputsYaml) throws IOException {
        Path file = dir.resolve("teamsconnect.yaml");
        Files.writeString(file, """
                source:
                  type: memory
                starface:
                  baseUrl: %s
                  loginId: "0001"
                  password: ${STARFACE_PASSWORD}
                  tls:
                    certificate: %s
                state:
                  file: %s
                server:
                  port: 0
                """.formatted(pbx.baseUrl(), pem, dir.resolve("state.json")) + outputsYaml);
        return file;
    }

    private PluginLookup plugins() {
        PluginLookup base = PluginLookup.of(provider(teams), new StarfaceSinkProvider());
        return new PluginLookup() {
            @Override
            public PresenceSourceProvider source(String id) {
                return base.source(id);
            }

            @Override
            public PbxSinkProvider sink(String id) {
                return base.sink(id);
            }

            @Override
            public StateStoreProvider store(String id) {
                return base.store(id);
            }

            @Override
            public StatusOutputProvider output(String id) {
                return id.equals("recording") ? recording : base.output(id);
            }
        };
    }

    private EngineServiceRuntime runtime() {
        return new EngineServiceRuntime(this::plugins, null);
    }

    private int main(String... args) {
        return TeamsConnectMain.execute(args, Map.of("STARFACE_PASSWORD", PBX_PASSWORD), runtime(),
                new ManualClock(Instant.parse("2026-11-27T09:00:00Z")), new PrintWriter(out, true),
                new PrintWriter(err, true));
    }

    private record Ran(StatusBoard board, ServiceMetrics metrics) {
    }

    private Ran runOnce(Path file) throws Exception {
        ServiceConfig config = new ConfigLoader(Map.of("STARFACE_PASSWORD", PBX_PASSWORD)).load(file);
        StatusBoard board = new StatusBoard(config.source(), config.sink());
        ServiceMetrics metrics = new ServiceMetrics();
        runtime().run(new RunContext(config, true, false, metrics, board, new StopSignal(),
                new ManualClock(Instant.parse("2026-11-27T09:00:00Z")), new PrintWriter(out, true)));
        return new Ran(board, metrics);
    }

    @Test
    void everyOutputGetsEveryMappedUsersStatusAndItsFiguresAreShown() throws Exception {
        Ran ran = runOnce(config("""
                outputs:
                  - type: recording
                    name: first
                  - type: recording
                    name: second
                    republishInterval: 1m
                """));

        assertThat(pbx.dndByLogin()).containsEntry("1001", true).containsEntry("1002", false);
        for (String name : List.of("first", "second")) {
            Recording r = outputs.get(name);
            assertThat(r.published).as(name).extracting(OutputStatus::label)
                    .anySatisfy(l -> assertThat(l).contains("Ann")).hasSize(3);
            OutputStatus ann = r.published.stream().filter(s -> s.label().contains("Ann")).findFirst().orElseThrow();
            assertThat(ann.availability()).isEqualTo("Busy");
            assertThat(ann.activity()).isEqualTo("InACall");
            assertThat(ann.wantedDnd()).isTrue();
            assertThat(ann.pbxDnd()).isTrue();
            assertThat(ann.holdKind()).isEqualTo(Hold.Kind.HELD);
            assertThat(r.closed).as(name + " closed after the run").isTrue();
        }
        assertThat(outputs.get("second").republish).isEqualTo(Duration.ofMinutes(1));
        List<OutputStats> stats = ran.board().outputs();
        assertThat(stats).extracting(OutputStats::name).containsExactly("recording", "recording-2");
        assertThat(stats).allSatisfy(s -> {
            assertThat(s.delivered()).isEqualTo(3);
            assertThat(s.failed()).isZero();
            assertThat(s.queued()).isZero();
        });
        String scrape = ran.metrics().scrape();
        assertThat(scrape).contains("teamsconnect_output_delivered_total{output=\"recording\"} 3.0")
                .contains("teamsconnect_output_delivered_total{output=\"recording-2\"} 3.0")
                .contains("teamsconnect_output_failing{output=\"recording\"} 0.0");
    }

    @Test
    void onStopTheOutputsGetTheReleasedStateAfterTheHoldsAreGivenBack() throws Exception {
        ServiceConfig config = new ConfigLoader(Map.of("STARFACE_PASSWORD", PBX_PASSWORD)).load(config("""
                outputs:
                  - type: recording
                    name: lamp
                """));
        StatusBoard board = new StatusBoard(config.source(), config.sink());
        StopSignal stop = new StopSignal();
        Thread loop = new Thread(() -> {
            try {
                runtime().run(new RunContext(config, false, false, new ServiceMetrics(), board, stop, Clock.systemUTC(),
                        new PrintWriter(out, true)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        loop.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && (outputs.get("lamp") == null || outputs.get("lamp").published.stream()
                .noneMatch(s -> s.label().contains("Ann") && s.holdKind() == Hold.Kind.HELD))) {
            Thread.sleep(20);
        }
        assertThat(pbx.dnd("1001")).isTrue();
        stop.requestStop();
        loop.join(20_000);
        assertThat(loop.isAlive()).isFalse();
        assertThat(pbx.dnd("1001")).as("released").isFalse();
        Recording lamp = outputs.get("lamp");
        OutputStatus last = lamp.published.stream().filter(s -> s.label().contains("Ann")).reduce((a, b) -> b)
                .orElseThrow();
        assertThat(last.holdKind()).as("the last status after the release: " + last).isNull();
        assertThat(last.pbxDnd()).isFalse();
        assertThat(lamp.closed).isTrue();
    }

    @Test
    void aFailingAndABlockedOutputNeitherFailNorHoldUpThePbxSync() throws Exception {
        Ran ran = runOnce(config("""
                outputs:
                  - type: recording
                    name: down
                    behaviour: fail
                  - type: recording
                    name: stuck
                    behaviour: block
                  - type: recording
                    name: fine
                """));

        // the cycle did its PBX work and the run ended (within the outputs' close deadline)
        assertThat(pbx.dndByLogin()).containsEntry("1001", true);
        assertThat(outputs.get("fine").published).hasSize(3);
        List<OutputStats> stats = ran.board().outputs();
        assertThat(stats.get(0).failing()).isTrue();
        assertThat(stats.get(0).failed()).isGreaterThanOrEqualTo(1);
        assertThat(stats.get(0).lastError()).isEqualTo("receiver down");
        assertThat(stats.get(0).queued()).isEqualTo(3);
        assertThat(stats.get(1).delivered()).isZero();
        assertThat(ran.metrics().scrape()).contains("teamsconnect_output_failing{output=\"recording\"} 1.0")
                .contains("teamsconnect_output_failures_total{output=\"recording\"}");
    }

    @Test
    void checkListsTheOutputsAndSendsThemNothing() throws Exception {
        Path file = config("""
                outputs:
                  - type: recording
                    name: only
                """);
        assertThat(main("check", "--config", file.toString(), "--lang", "en")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Status outputs (1)").contains("outputs[0]: recording");
        assertThat(outputs.get("only").published).isEmpty();
        assertThat(outputs.get("only").closed).isTrue();

        assertThat(main("check", "--config", file.toString(), "--config-only")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("outputs: recording (outputs[0])");
    }

    @Test
    void theServiceChecksTheListShapeAndTypeAndTheProviderEverythingElse() throws Exception {
        ConfigLoader loader = new ConfigLoader(Map.of("STARFACE_PASSWORD", PBX_PASSWORD));
        assertThatThrownBy(() -> loader.load(config("outputs:\n  type: webhook\n")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("outputs: must be a list of maps");
        assertThatThrownBy(() -> loader.load(config("outputs:\n  - url: https://h/x\n")))
                .hasMessageContaining("outputs[0].type: is required");
        assertThatThrownBy(() -> loader.load(config("outputs:\n  - type: recording\n    name: a\n  - type: Web Hook\n")))
                .hasMessageContaining("outputs[1].type: must be an output id in lower case");
        assertThatThrownBy(() -> loader.load(config("outputs:\n  - type: recording\n  - just text\n")))
                .hasMessageContaining("outputs[1]: must be a map of keys");

        // the provider's own problems, with the entry's key path and line; an unknown type names the entry
        ServiceConfig c = loader.load(config("outputs:\n  - type: recording\n    nmae: x\n  - type: nope\n"));
        assertThatThrownBy(() -> new EngineWiring(c, plugins()).validate())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("outputs[0].nmae: is not a known key")
                .hasMessageContaining("did you mean \"name\"")
                .hasMessageContaining("outputs[0].name: is required")
                .hasMessageContaining("outputs[1].type: no status output with the id \"nope\"");
        ServiceConfig fine = loader.load(config("outputs:\n  - type: recording\n    name: a\n    republishInterval: 5s\n"));
        assertThatThrownBy(() -> new EngineWiring(fine, plugins()).validate())
                .hasMessageContaining("outputs[0].republishInterval: must be at least 10s");
        assertThat(main("run", "--config", config("outputs:\n  - type: nope\n").toString(), "--once")).isEqualTo(2);
    }

    private static PresenceSourceProvider provider(InMemoryPresenceSource shared) {
        return new PresenceSourceProvider() {
            @Override
            public String id() {
                return InMemoryPresenceSource.ID;
            }

            @Override
            public PresenceSource create(ProviderConfig config) {
                return new PresenceSource() {
                    @Override
                    public String id() {
                        return shared.id();
                    }

                    @Override
                    public void open() {
                        shared.open();
                    }

                    @Override
                    public List<TeamsUser> listUsers() {
                        return shared.listUsers();
                    }

                    @Override
                    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
                        return shared.readPresence(userIds);
                    }
                };
            }
        };
    }
}
