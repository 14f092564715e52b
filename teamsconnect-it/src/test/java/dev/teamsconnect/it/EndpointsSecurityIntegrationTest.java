package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.http.StatusHttpServer;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.SignInState;
import dev.teamsconnect.service.status.StatusBoard;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The HTTP endpoints of the service bind to loopback unless told otherwise, and /status, /health and /metrics show
 * no password, secret or token after a run of the real engine, Graph source and STARFACE sink.
 */
class EndpointsSecurityIntegrationTest {

    private static final String CONFIG = """
            teams:
              tenantId: contoso.onmicrosoft.com
              clientId: 11111111-1111-1111-1111-111111111111
              auth:
                mode: client-credentials
                clientSecret: ${TEAMS_CLIENT_SECRET}
            starface:
              baseUrl: https://pbx.example.com
              loginId: "0001"
              password: ${STARFACE_PASSWORD}
            """;

    @Test
    void theEndpointsBindToLoopbackByDefault() {
        ServiceConfig config = new ConfigLoader(Map.of("TEAMS_CLIENT_SECRET", Landscape.APP_SECRET,
                "STARFACE_PASSWORD", Landscape.PBX_PASSWORD)).parse(CONFIG, "teamsconnect.yaml");
        assertThat(config.server().bind()).isEqualTo("127.0.0.1");
        assertThat(config.toString()).doesNotContain(Landscape.APP_SECRET).doesNotContain(Landscape.PBX_PASSWORD);
    }

    @Test
    void statusHealthAndMetricsShowNoSecretAfterARun() throws Exception {
        ServiceConfig config = new ConfigLoader(Map.of("TEAMS_CLIENT_SECRET", Landscape.APP_SECRET,
                "STARFACE_PASSWORD", Landscape.PBX_PASSWORD)).parse(CONFIG, "teamsconnect.yaml");
        Set<String> secrets = new LinkedHashSet<>();
        List<String> bodies = new ArrayList<>();
        try (Landscape l = Landscape.start(3)) {
            StatusBoard board = new StatusBoard("graph", "starface");
            ServiceMetrics metrics = new ServiceMetrics();
            SyncEngine engine = SyncEngine.builder().source(l.source().build()).sink(l.sink().build())
                    .store(new InMemoryStateStore()).config(Landscape.config().build()).clock(l.clock)
                    .listener(board).listener(metrics).build();
            l.inCall(1);
            engine.syncOnce();
            EngineSnapshot snapshot = engine.snapshot();
            for (EngineSnapshot.UserStatus u : snapshot.users()) {
                board.user(u.pbxUserId(), u.pbxLabel(), u.teamsLabel(), u.pbxLabel());
            }
            board.signIn(StatusBoard.Side.SOURCE, SignInState.SIGNED_IN, null, l.clock.instant());
            board.signIn(StatusBoard.Side.SINK, SignInState.SIGNED_IN, null, l.clock.instant());
            board.running(true);
            board.cycleFinished(l.clock.instant(), true);
            secrets.addAll(l.pbx.activeTokens());
            secrets.addAll(l.graph.secrets());
            secrets.addAll(l.pbx.loginSecretsSeen());

            try (StatusHttpServer server = new StatusHttpServer(board, metrics, l.clock, Duration.ofMinutes(1))) {
                InetSocketAddress address = server.start(config.server().bind(), 0);
                assertThat(address.getAddress().isLoopbackAddress()).as(address.toString()).isTrue();
                HttpClient http = HttpClient.newHttpClient();
                for (String path : List.of("/status", "/health", "/metrics")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + address.getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
                    bodies.add(path + " " + r.statusCode() + " " + r.body());
                }
            }
            engine.close();
        }
        secrets.addAll(List.of(Landscape.APP_SECRET, Landscape.PBX_PASSWORD));
        assertThat(bodies.get(0)).as("/status lists the users").contains("user00001@contoso.test");
        for (String body : bodies) {
            for (String secret : secrets) {
                assertThat(body).as("a secret of " + secret.length() + " chars in " + body.substring(0, 8)).doesNotContain(secret);
            }
        }
    }
}
