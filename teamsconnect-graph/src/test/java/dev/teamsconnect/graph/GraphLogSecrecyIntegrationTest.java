package dev.teamsconnect.graph;

import dev.teamsconnect.testkit.logging.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Everything logged at TRACE (ours, msal4j, and java.util.logging for OkHttp/Kiota) during full runs must not
 * contain a client secret, a password, an access or refresh token, a device code or a client assertion.
 */
class GraphLogSecrecyIntegrationTest {

    private static final String PUBLIC_APP = "99999999-8888-7777-6666-555555555555";
    private static final String USER = "reader@contoso.test";
    private static final String PASSWORD = "Sommer2026!-never-logged";
    private static final List<Pattern> SHAPES = List.of(
            Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/-]{16,}"),
            Pattern.compile("(?i)(client_secret|password|refresh_token|access_token|client_assertion|device_code)\\s*[=:]\\s*\"?[A-Za-z0-9._~+/-]{8,}"));

    /** Lines that contain one of {@code secrets} or look like a credential. */
    static List<String> leaks(List<String> lines, List<String> secrets) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            boolean leak = secrets.stream().anyMatch(s -> s != null && s.length() >= 6 && line.contains(s))
                    || SHAPES.stream().anyMatch(p -> p.matcher(line).find());
            if (leak) {
                out.add(line);
            }
        }
        return out;
    }

    @Test
    void fullRunsAtTraceLogNoSecretPasswordOrToken() {
        List<String> lines;
        List<String> secrets = new ArrayList<>(List.of(GraphTestSupport.SECRET, PASSWORD));
        try (LogCapture log = LogCapture.trace();
             GraphEmulator emu = GraphEmulator.builder().start()) {
            emu.registerSecretClient(GraphTestSupport.APP, GraphTestSupport.SECRET).registerPublicClient(PUBLIC_APP);
            emu.addUser(USER, "Reader", true, PASSWORD);
            List<String> ids = emu.seedUsers(30).stream().map(EmulatedUser::id).toList();
            try (GraphPresenceSource app = GraphTestSupport.secretSource(emu).chunkSize(10).build()) {
                app.open();
                app.listUsers();
                emu.failNext(GraphEmulator.PRESENCES_BY_USER_ID, 1, 429, Duration.ofMillis(100));
                emu.failNext(GraphEmulator.PRESENCES_BY_USER_ID, 1, 503, null);
                app.readPresence(ids);
                emu.expireAllTokens();
                app.readPresence(ids);
                // the presence writer: a throttled set, a renewal, a clear and its 404, a refused write
                dev.teamsconnect.core.spi.PresenceWriter w = app.presenceWriter().orElseThrow();
                emu.failNext(GraphEmulator.SET_PRESENCE, 1, 429, Duration.ofMillis(100));
                w.setPresence(ids.get(0), dev.teamsconnect.core.model.Availability.BUSY,
                        dev.teamsconnect.core.model.Activity.IN_A_CALL, Duration.ofHours(1));
                w.clearPresence(ids.get(0));
                w.clearPresence(ids.get(0));
                w.checkNotes();
                emu.grantPermissions(GraphTestSupport.APP, GraphEmulator.READ_PERMISSIONS.toArray(String[]::new));
                emu.expireAllTokens();
                try {
                    w.setPresence(ids.get(0), dev.teamsconnect.core.model.Availability.BUSY,
                            dev.teamsconnect.core.model.Activity.IN_A_CALL, Duration.ofHours(1));
                } catch (dev.teamsconnect.core.error.TerminalException expected) {
                    org.slf4j.LoggerFactory.getLogger(GraphLogSecrecyIntegrationTest.class).warn(expected.getMessage());
                }
            }
            try (GraphPresenceSource delegated = GraphTestSupport.base(emu).clientId(PUBLIC_APP).password(USER, PASSWORD).build()) {
                delegated.open();
                delegated.readPresence(ids);
                emu.expireAllTokens();
                delegated.readPresence(ids);
            }
            secrets.addAll(emu.secrets());
            lines = log.lines();
        }
        assertThat(lines).as("the capture saw our TRACE lines").anyMatch(l -> l.contains("presence chunk 1/3"));
        assertThat(lines).as("the capture saw the writer").anyMatch(l -> l.contains("Presence.ReadWrite.All"));
        assertThat(lines).as("the capture saw msal4j").anyMatch(l -> l.contains("com.microsoft.aad.msal4j"));
        assertThat(secrets).hasSizeGreaterThan(6);
        assertThat(leaks(lines, secrets)).isEmpty();
    }

    @Test
    void detectorFindsALoggedToken() {
        String token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9-fake-token";
        List<String> lines;
        try (LogCapture log = LogCapture.trace()) {
            LoggerFactory.getLogger(GraphPresenceSource.class).trace("got token {}", token);
            LoggerFactory.getLogger("some.library").debug("header Authorization: Bearer abcdefghijklmnopqrstuvwxyz");
            lines = log.lines();
        }
        assertThat(leaks(lines, List.of(token))).hasSize(2);
    }
}
