package dev.teamsconnect.testkit.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The app presence sessions of the emulator over HTTPS: validation, permission, aggregate, expiry, the write log. */
class GraphEmulatorPresenceSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A clock the test sets; the emulator reads session expiry from it. */
    private static final class TestClock extends Clock {
        volatile Instant now = Instant.parse("2026-03-02T09:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final GraphEmulator emu = GraphEmulator.builder().clock(clock).start().registerSecretClient("app", "secret");
    private final HttpClient http = HttpClient.newBuilder().sslContext(trusting(emu)).build();
    private final String user = emu.addUser("anna@example.com", "Anna", true).id();

    @AfterEach
    void stop() {
        emu.close();
    }

    private static SSLContext trusting(GraphEmulator emu) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("emulator", emu.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> post(String path, String contentType, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emu.baseUri() + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String appToken() throws Exception {
        HttpResponse<String> r = post("/" + emu.tenantId() + "/oauth2/v2.0/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=app&client_secret=secret&scope="
                        + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private int set(String token, String body) throws Exception {
        return post("/v1.0/users/" + user + "/presence/setPresence", "application/json", body, token).statusCode();
    }

    private int clear(String token, String sessionId) throws Exception {
        return post("/v1.0/users/" + user + "/presence/clearPresence", "application/json",
                "{\"sessionId\":\"" + sessionId + "\"}", token).statusCode();
    }

    private JsonNode shown(String token) throws Exception {
        HttpResponse<String> r = post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", "{\"ids\":[\"" + user + "\"]}", token);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).path("value").get(0);
    }

    private static String body(String sessionId, String availability, String activity, String expiration) {
        return "{\"sessionId\":\"" + sessionId + "\",\"availability\":\"" + availability + "\",\"activity\":\"" + activity
                + "\"" + (expiration == null ? "" : ",\"expirationDuration\":\"" + expiration + "\"") + "}";
    }

    @Test
    void aSessionShowsInTheAggregateUntilItIsCleared() throws Exception {
        String token = appToken();
        emu.setRawPresence(user, "Available", "Available");
        String before = shown(token).path("sequenceNumber").asText();

        assertThat(set(token, body("app", "Busy", "InACall", "PT1H"))).isEqualTo(200);

        JsonNode p = shown(token);
        assertThat(p.path("availability").asText()).isEqualTo("Busy");
        assertThat(p.path("activity").asText()).isEqualTo("InACall");
        assertThat(p.path("sequenceNumber").asText()).isGreaterThan(before);
        assertThat(emu.presenceSessions(user)).containsOnlyKeys("app");

        assertThat(clear(token, "app")).isEqualTo(200);
        assertThat(shown(token).path("availability").asText()).isEqualTo("Available");
        assertThat(clear(token, "app")).as("no session left: Microsoft documents 404").isEqualTo(404);
    }

    @Test
    void rejectsWhatMicrosoftDoesNotAllow() throws Exception {
        String token = appToken();
        assertThat(set(token, body("app", "Busy", "Busy", "PT1H"))).as("pair not allowed").isEqualTo(400);
        assertThat(set(token, body("app", "Offline", "OffWork", "PT1H"))).as("pair not allowed").isEqualTo(400);
        assertThat(set(token, body("app", "DoNotDisturb", "DoNotDisturb", "PT1H"))).as("pair not allowed").isEqualTo(400);
        assertThat(set(token, body("other-app", "Busy", "InACall", "PT1H"))).as("sessionId not the app id").isEqualTo(400);
        assertThat(set(token, "{\"availability\":\"Busy\",\"activity\":\"InACall\"}")).as("no sessionId").isEqualTo(400);
        assertThat(set(token, body("app", "Busy", "InACall", "PT4M59S"))).as("below PT5M").isEqualTo(400);
        assertThat(set(token, body("app", "Busy", "InACall", "PT4H1S"))).as("above PT4H").isEqualTo(400);
        assertThat(set(token, body("app", "Busy", "InACall", "one hour"))).as("not ISO 8601").isEqualTo(400);
        assertThat(set(token, "not json")).isEqualTo(400);
        assertThat(emu.presenceSessions(user)).isEmpty();
        assertThat(set(token, body("app", "Busy", "InACall", "PT5M"))).isEqualTo(200);
        assertThat(set(token, body("app", "DoNotDisturb", "Presenting", "PT4H"))).isEqualTo(200);
        assertThat(post("/v1.0/users/00000000-0000-0000-0000-000000000000/presence/setPresence", "application/json",
                body("app", "Busy", "InACall", "PT1H"), token).statusCode()).as("unknown user").isEqualTo(404);
        assertThat(emu.presenceWrites()).extracting(PresenceWrite::status)
                .containsExactly(400, 400, 400, 400, 400, 400, 400, 400, 400, 200, 200, 404);
    }

    @Test
    void withoutPresenceReadWriteAllTheWriteIsForbiddenAndReadsStillWork() throws Exception {
        emu.grantPermissions("app", GraphEmulator.READ_PERMISSIONS.toArray(String[]::new));
        String token = appToken();

        HttpResponse<String> r = post("/v1.0/users/" + user + "/presence/setPresence", "application/json",
                body("app", "Busy", "InACall", "PT1H"), token);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("Presence.ReadWrite.All");
        assertThat(clear(token, "app")).isEqualTo(403);
        assertThat(shown(token).path("availability").asText()).isEqualTo("Offline");
    }

    @Test
    void aBuilderOptionDropsTheWritePermissionForEveryApp() throws Exception {
        try (GraphEmulator readOnly = GraphEmulator.builder().defaultPermissions("Presence.Read.All", "User.Read.All").start()) {
            readOnly.registerSecretClient("app", "secret");
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(readOnly)).build();
            HttpResponse<String> t = client.send(HttpRequest.newBuilder(URI.create(readOnly.baseUri() + "/" + readOnly.tenantId()
                    + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=app&client_secret=secret"
                            + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default")).build(), HttpResponse.BodyHandlers.ofString());
            String payload = new String(java.util.Base64.getUrlDecoder().decode(
                    JSON.readTree(t.body()).get("access_token").asText().split("\\.")[1]), StandardCharsets.UTF_8);
            assertThat(JSON.readTree(payload).path("roles")).extracting(JsonNode::asText)
                    .containsExactlyInAnyOrder("Presence.Read.All", "User.Read.All");
        }
    }

    @Test
    void sessionsExpireOnTheEmulatorClockAndWithoutExpirationLastFiveMinutes() throws Exception {
        String token = appToken();
        assertThat(set(token, body("app", "Busy", "InACall", "PT10M"))).isEqualTo(200);
        clock.now = clock.now.plus(Duration.ofMinutes(9).plusSeconds(59));
        assertThat(shown(token).path("activity").asText()).isEqualTo("InACall");
        String during = shown(token).path("sequenceNumber").asText();
        clock.now = clock.now.plusSeconds(1);
        JsonNode after = shown(token);
        assertThat(after.path("availability").asText()).isEqualTo("Offline");
        assertThat(after.path("sequenceNumber").asText()).isGreaterThan(during);
        assertThat(clear(token, "app")).as("an expired session no longer exists").isEqualTo(404);

        assertThat(set(token, "{\"sessionId\":\"app\",\"availability\":\"Busy\",\"activity\":\"InACall\"}")).isEqualTo(200);
        clock.now = clock.now.plus(GraphEmulator.DEFAULT_SESSION);
        assertThat(emu.presenceSessions(user)).isEmpty();
    }

    @Test
    void theAggregateRanksDoNotDisturbBusyAvailableAwayAndThePreferredPresenceWins() throws Exception {
        String token = appToken();
        emu.setRawPresence(user, "Away", "Away");
        assertThat(set(token, body("app", "Available", "Available", "PT1H"))).isEqualTo(200);
        assertThat(emu.shownPresence(user)).containsExactly("Available", "Available");

        emu.setRawPresence(user, "Busy", "InAMeeting");
        assertThat(emu.shownPresence(user)).as("a tie keeps the user's own state").containsExactly("Busy", "InAMeeting");
        assertThat(set(token, body("app", "Busy", "InACall", "PT1H"))).isEqualTo(200);
        assertThat(emu.shownPresence(user)).containsExactly("Busy", "InAMeeting");
        assertThat(set(token, body("app", "DoNotDisturb", "Presenting", "PT1H"))).isEqualTo(200);
        assertThat(emu.shownPresence(user)).containsExactly("DoNotDisturb", "Presenting");

        emu.setUserPreferredPresence(user, "Away", "Away");
        assertThat(emu.shownPresence(user)).as("user-configured wins over app-configured").containsExactly("Away", "Away");
        assertThat(shown(token).path("availability").asText()).isEqualTo("Away");
        emu.clearUserPreferredPresence(user);
        assertThat(emu.shownPresence(user)).containsExactly("DoNotDisturb", "Presenting");
    }

    @Test
    void theWriteLogHasTheBodyAndTheTimes() throws Exception {
        String token = appToken();
        long before = System.nanoTime();
        set(token, body("app", "Busy", "InACall", "PT1H"));
        clear(token, "app");

        assertThat(emu.presenceWrites()).hasSize(2);
        PresenceWrite s = emu.presenceWrites().get(0);
        assertThat(s.kind()).isEqualTo(PresenceWrite.Kind.SET);
        assertThat(s.userId()).isEqualTo(user);
        assertThat(s.clientId()).isEqualTo("app");
        assertThat(s.sessionId()).isEqualTo("app");
        assertThat(s.availability()).isEqualTo("Busy");
        assertThat(s.activity()).isEqualTo("InACall");
        assertThat(s.expirationDuration()).isEqualTo("PT1H");
        assertThat(s.accepted()).isTrue();
        assertThat(s.at()).isEqualTo(clock.now);
        assertThat(s.receivedNanos()).isGreaterThanOrEqualTo(before);
        assertThat(emu.presenceWrites().get(1).kind()).isEqualTo(PresenceWrite.Kind.CLEAR);
        assertThat(emu.requestCount(GraphEmulator.SET_PRESENCE)).isEqualTo(1);
    }

    @Test
    void scriptedFaultsApplyToTheWrites() throws Exception {
        String token = appToken();
        emu.failNext(GraphEmulator.SET_PRESENCE, 1, 429, Duration.ofMillis(1500));

        HttpResponse<String> r = post("/v1.0/users/" + user + "/presence/setPresence", "application/json",
                body("app", "Busy", "InACall", "PT1H"), token);

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("1.500");
        assertThat(emu.presenceWrites()).isEmpty();
        assertThat(set(token, body("app", "Busy", "InACall", "PT1H"))).as("sent before Retry-After: throttled").isEqualTo(429);
        assertThat(emu.earlyRequests()).hasSize(1);
    }
}
