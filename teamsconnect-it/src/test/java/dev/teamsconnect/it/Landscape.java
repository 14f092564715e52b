package dev.teamsconnect.it;

import dev.teamsconnect.core.decorate.RetryPolicy;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.graph.GraphPresenceSource;
import dev.teamsconnect.starface.StarfacePbxSink;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A Teams tenant ({@link GraphEmulator}) and a STARFACE appliance ({@link StarfaceEmulator}) over HTTPS with the same
 * users (matched by e-mail), and engines built from the real {@link GraphPresenceSource} and
 * {@link StarfacePbxSink} pointed at them. The engine's clock is a {@link ManualClock}; the plugins keep the system
 * clock because their protocol waits (Retry-After, token lifetimes) are real.
 *
 * <p>User {@code i} (1-based) is {@code user0000i@contoso.test} in Graph and login {@code 10i} on the PBX.
 */
final class Landscape implements AutoCloseable {

    static final String APP = "7d3a51c2-0c8b-4f0e-9a57-3b7d2c1e9f10";
    static final String APP_SECRET = "Qz8~graph-client-secret-41f9e";
    static final String PBX_LOGIN = "0001";
    static final String PBX_PASSWORD = "pbx-api-Passw0rd-77c1";

    final GraphEmulator graph;
    final StarfaceEmulator pbx;
    final List<EmulatedUser> users;
    final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T08:00:00Z"));
    private final List<SyncEngine> closeables = new ArrayList<>();

    private Landscape(int n, Consumer<StarfaceEmulator.Builder> pbxOptions) {
        graph = GraphEmulator.builder().start().registerSecretClient(APP, APP_SECRET);
        users = graph.seedUsers(n);
        StarfaceEmulator.Builder b = StarfaceEmulator.builder().https()
                .user(PBX_LOGIN, PBX_PASSWORD, "api@pbx.test", "Api", "Account", false);
        for (int i = 1; i <= n; i++) {
            b.user(login(i), "pw-" + i, users.get(i - 1).mail(), "User", "No" + i, false);
        }
        if (pbxOptions != null) {
            pbxOptions.accept(b);
        }
        pbx = b.start();
    }

    static Landscape start(int users) {
        return new Landscape(users, null);
    }

    static Landscape start(int users, Consumer<StarfaceEmulator.Builder> pbxOptions) {
        return new Landscape(users, pbxOptions);
    }

    static String login(int i) {
        return String.valueOf(100 + i);
    }

    String graphId(int i) {
        return users.get(i - 1).id();
    }

    void inCall(int i) {
        graph.setPresence(graphId(i), Availability.BUSY, Activity.IN_A_CALL);
    }

    void available(int i) {
        graph.setPresence(graphId(i), Availability.AVAILABLE, Activity.AVAILABLE);
    }

    boolean dnd(int i) {
        return pbx.dnd(login(i));
    }

    void pressDnd(int i, boolean on) {
        pbx.pressDndKey(login(i), on);
    }

    GraphPresenceSource.Builder source() {
        return GraphPresenceSource.builder()
                .tenantId(graph.tenantId())
                .authorityHost(graph.authorityHost())
                .graphBaseUrl(graph.graphBaseUrl())
                .trustCertificate(graph.certificate())
                .clientId(APP).clientSecret(APP_SECRET)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                .httpTimeout(Duration.ofSeconds(5));
    }

    StarfacePbxSink.Builder sink() {
        return StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId(PBX_LOGIN).password(PBX_PASSWORD)
                .trustCertificate(pbx.certificate().orElseThrow().certificate())
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .requestTimeout(Duration.ofSeconds(5));
    }

    static EngineConfig.Builder config() {
        return EngineConfig.builder().pollInterval(Duration.ofSeconds(10))
                .retry(new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(20), 2.0, 0.0));
    }

    SyncEngine engine(EngineConfig config) {
        return engine(config, new InMemoryStateStore(), source().build(), sink().build());
    }

    SyncEngine engine(EngineConfig config, StateStore store) {
        return engine(config, store, source().build(), sink().build());
    }

    SyncEngine engine(EngineConfig config, StateStore store, GraphPresenceSource source, StarfacePbxSink sink) {
        SyncEngine e = SyncEngine.builder().source(source).sink(sink).store(store).config(config)
                .clock(clock).random(new Random(7)).build();
        closeables.add(e);
        return e;
    }

    /** Runs {@code engine} for {@code d} of this landscape's clock: one cycle every {@code poll}, after advancing it. */
    void run(SyncEngine engine, Duration poll, Duration d) {
        for (Duration t = Duration.ZERO; t.compareTo(d) < 0; t = t.plus(poll)) {
            clock.advance(poll);
            engine.syncOnce();
        }
    }

    /**
     * A service config file ({@code java -jar teamsconnect.jar run --config FILE}) for this landscape: both sides
     * with their trust files written next to it, the secrets as {@code ${TEAMS_CLIENT_SECRET}} and
     * {@code ${STARFACE_PASSWORD}} (see {@link #serviceEnvironment}), every other key at its shipped default.
     */
    java.nio.file.Path writeServiceConfig(java.nio.file.Path file, java.nio.file.Path stateFile, int port,
                                          String pollInterval) throws java.io.IOException {
        return dev.teamsconnect.testkit.ServiceConfigFile.write(file, graph, APP, pbx, PBX_LOGIN, stateFile, port,
                pollInterval);
    }

    /** The environment a service process needs for {@link #writeServiceConfig}. */
    static void serviceEnvironment(java.util.Map<String, String> env) {
        env.put("TEAMS_CLIENT_SECRET", APP_SECRET);
        env.put("STARFACE_PASSWORD", PBX_PASSWORD);
    }

    /** The shipped service jar, built by the package phase of teamsconnect-service. */
    static java.nio.file.Path serviceJar() {
        java.nio.file.Path jar = java.nio.file.Path.of(System.getProperty("it.serviceJar",
                "../teamsconnect-service/target/teamsconnect.jar")).toAbsolutePath();
        if (!java.nio.file.Files.isRegularFile(jar)) {
            throw new IllegalStateException("the service jar " + jar + " is missing: build teamsconnect-service"
                    + " (package) first, e.g. mvn -pl teamsconnect-it -am verify");
        }
        return jar;
    }

    @Override
    public void close() {
        Collections.reverse(closeables);
        for (SyncEngine c : closeables) {
            c.close();
        }
        pbx.close();
        graph.close();
    }
}
