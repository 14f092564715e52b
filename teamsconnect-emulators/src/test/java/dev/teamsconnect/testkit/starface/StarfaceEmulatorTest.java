package dev.teamsconnect.testkit.starface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.DndSource;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.LoginType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emulator's protocol, driven with a plain HTTP client (independent of the STARFACE sink). */
class StarfaceEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private StarfaceEmulator pbx;

    @AfterEach
    void stop() {
        if (pbx != null) {
            pbx.close();
        }
    }

    private HttpResponse<String> send(String method, String path, String token, String body, boolean version) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pbx.baseUrl() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (version) {
            b.header("X-Version", "2");
        }
        if (token != null) {
            b.header("authToken", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode nonce() throws Exception {
        HttpResponse<String> r = send("GET", "/rest/login", null, null, false);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> postLogin(String type, String nonce, String secret) throws Exception {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("loginType", type).put("nonce", nonce).put("secret", secret));
        return send("POST", "/rest/login", null, body, true);
    }

    private String login(String login, String password) throws Exception {
        JsonNode n = nonce();
        LoginType type = n.get("loginType").asText().equals("Internal") ? LoginType.INTERNAL : LoginType.ACTIVE_DIRECTORY;
        HttpResponse<String> r = postLogin(n.get("loginType").asText(), n.get("nonce").asText(),
                StarfaceEmulator.expectedSecret(type, login, password, n.get("nonce").asText()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("token").asText();
    }

    @Test
    void expectedInternalSecretMatchesTheVendorTestVector() {
        assertThat(StarfaceEmulator.expectedSecret(LoginType.INTERNAL, "0001", "foobar", "pds24hmip1ctbogn1l8ujvs5u4")).isEqualTo(
                "0001:5e9c7778287782c26d32e0d754b491efde1c5618037e64e46802f91b8ab14959f64e34d7f93f2a25ec71bbbc69638d71bea82f3b81e9edb0e0cc66f60ef64f04");
    }

    @Test
    void noncesAreSingleUseAndBadSecretsGet400WithAnErrorBody() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "foobar", null, "A", "B", false).start();
        JsonNode n = nonce();
        assertThat(n.get("loginType").asText()).isEqualTo("Internal");
        assertThat(n.get("secret").isNull()).isTrue();
        String nonce = n.get("nonce").asText();
        String secret = StarfaceEmulator.expectedSecret(LoginType.INTERNAL, "0001", "foobar", nonce);
        assertThat(postLogin("Internal", nonce, secret).statusCode()).isEqualTo(200);
        HttpResponse<String> reused = postLogin("Internal", nonce, secret);
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(reused.body()).has("code")).isTrue();
        assertThat(JSON.readTree(reused.body()).has("message")).isTrue();

        String fresh = nonce().get("nonce").asText();
        assertThat(postLogin("Internal", fresh, StarfaceEmulator.expectedSecret(LoginType.INTERNAL, "0001", "wrong", fresh))
                .statusCode()).isEqualTo(400);
        assertThat(pbx.loginCount()).isEqualTo(1);
        assertThat(pbx.rejectedLoginCount()).isEqualTo(2);
    }

    @Test
    void activeDirectoryUsersLogInWithTheBase64Scheme() throws Exception {
        pbx = StarfaceEmulator.builder().loginType(LoginType.ACTIVE_DIRECTORY).user("jdoe", "pässword", null, null, null, false).start();
        assertThat(login("jdoe", "pässword")).isNotBlank();
    }

    @Test
    void requiresXVersionTokenAndRejectsExpiredTokens() throws Exception {
        Instant start = Instant.parse("2026-01-05T08:00:00Z");
        Clock[] now = {Clock.fixed(start, ZoneOffset.UTC)};
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now[0].instant(); }
        };
        pbx = StarfaceEmulator.builder().clock(clock).user("0001", "pw", null, null, null, false).start();
        String token = login("0001", "pw");
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/rest/users", token, null, false).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/rest/users", null, null, true).statusCode()).isEqualTo(401);
        now[0] = Clock.fixed(start.plus(Duration.ofHours(4)), ZoneOffset.UTC);
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(401);
    }

    @Test
    void phoneConfigPutNeedsTheWholeObjectAndUnknownUsersGet404() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).user("0002", "pw2", null, null, null, false).start();
        String token = login("0001", "pw");
        int id = pbx.userId("0002");
        JsonNode cfg = JSON.readTree(send("GET", "/rest/users/" + id + "/phoneconfig", token, null, true).body());
        assertThat(cfg.fieldNames()).toIterable().containsExactlyInAnyOrder("callWaiting", "displayNumberId", "doNotDisturb", "primaryPhoneId");

        HttpResponse<String> partial = send("PUT", "/rest/users/" + id + "/phoneconfig", token, "{\"doNotDisturb\":true}", true);
        assertThat(partial.statusCode()).isEqualTo(400);
        assertThat(partial.body()).contains("callWaiting");
        assertThat(pbx.dnd("0002")).isFalse();

        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg).put("doNotDisturb", true);
        assertThat(send("PUT", "/rest/users/" + id + "/phoneconfig", token, cfg.toString(), true).statusCode()).isEqualTo(204);
        assertThat(pbx.dnd("0002")).isTrue();
        assertThat(pbx.dndChanges()).singleElement().satisfies(c -> {
            assertThat(c.source()).isEqualTo(DndSource.API);
            assertThat(c.login()).isEqualTo("0002");
        });
        assertThat(send("GET", "/rest/users/999/phoneconfig", token, null, true).statusCode()).isEqualTo(404);
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isEqualTo(2);
    }

    @Test
    void seedsFromJsonWithGroupsAndServesGroupMembers(@TempDir Path dir) throws Exception {
        Path seed = Files.writeString(dir.resolve("seed.json"), """
                {"loginType": "Internal",
                 "users": [{"login": "0001", "password": "pw", "email": "a@x.test", "firstName": "Ann", "familyName": "Lee"},
                           {"login": "0002", "password": "pw", "dnd": true, "loginType": "ActiveDirectory"}],
                 "groups": [{"name": "Sales", "members": ["0002"]}]}
                """);
        pbx = StarfaceEmulator.builder().seed(seed).start();
        assertThat(pbx.dndByLogin()).containsExactly(java.util.Map.entry("0001", false), java.util.Map.entry("0002", true));
        String token = login("0001", "pw");
        JsonNode groups = JSON.readTree(send("GET", "/rest/groups", token, null, true).body());
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).get("groupname").asText()).isEqualTo("Sales");
        JsonNode group = JSON.readTree(send("GET", "/rest/groups/" + groups.get(0).get("id").asText(), token, null, true).body());
        assertThat(group.get("assignableUsers")).hasSize(2);
        assertThat(group.get("assignableUsers").findValues("assigned")).extracting(JsonNode::asBoolean).containsExactly(false, true);

        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"users\": [{\"login\": \"x\"}]}");
        assertThatThrownBy(() -> StarfaceEmulator.builder().seed(bad)).hasMessageContaining("users[0]").hasMessageContaining("password");
    }

    @Test
    void restartDropsSessionsButKeepsStateAndLogoutGives204() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        String token = login("0001", "pw");
        pbx.pressDndKey("0001", true);
        pbx.restart();
        assertThat(send("GET", "/rest/users/me", token, null, true).statusCode()).isEqualTo(401);
        assertThat(pbx.dnd("0001")).isTrue();
        String again = login("0001", "pw");
        assertThat(send("DELETE", "/rest/login", again, null, true).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/rest/users/me", again, null, true).statusCode()).isEqualTo(401);
    }

    @Test
    void failNextInjectsStatusesForAPathThenRecovers() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        String token = login("0001", "pw");
        pbx.failNext("GET /rest/users", 2, 503);
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(200);
        assertThat(pbx.requestCount("GET /rest/users")).isEqualTo(3);
    }

    @Test
    void secretsHoldPasswordsLoginSecretsAndEveryTokenIssued() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw-0001", null, null, null, false).start();
        String token = login("0001", "pw-0001");
        pbx.expireAllTokens();

        assertThat(pbx.activeTokens()).isEmpty();
        assertThat(pbx.secrets()).contains("pw-0001", token).containsAll(pbx.loginSecretsSeen());
    }

    @Test
    void countsRequestsPerEndpointAndPerPathAndKeepsUnhandledOnes() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        String token = login("0001", "pw");
        int id = pbx.userId("0001");
        send("GET", "/rest/users/" + id + "/phoneconfig", token, null, true);
        assertThat(send("POST", "/rest/users/" + id + "/phoneconfig", token, "{}", true).statusCode()).isEqualTo(405);
        assertThat(send("GET", "/rest/phones", token, null, true).statusCode()).isEqualTo(404);

        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isEqualTo(1);
        assertThat(pbx.requestCount("/rest/users/" + id + "/phoneconfig")).isEqualTo(2);
        assertThat(pbx.unhandledRequests()).containsExactly("POST /rest/users/" + id + "/phoneconfig", "GET /rest/phones");
    }

    @Test
    void failNextTakesAPathForAnyMethod() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        String token = login("0001", "pw");
        int id = pbx.userId("0001");
        pbx.failNext("/rest/users/" + id + "/phoneconfig", 2, 502);

        assertThat(send("GET", "/rest/users/" + id + "/phoneconfig", token, null, true).statusCode()).isEqualTo(502);
        assertThat(send("PUT", "/rest/users/" + id + "/phoneconfig", token, "{}", true).statusCode()).isEqualTo(502);
        assertThat(send("GET", "/rest/users/" + id + "/phoneconfig", token, null, true).statusCode()).isEqualTo(200);
    }

    @Test
    void deletedUsersDisappearFromListsAndGet404() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false)
                .user("0002", "pw2", "b@x.test", "B", "Two", false).group("Sales", "0001", "0002").start();
        String token = login("0001", "pw");
        int id = pbx.userId("0002");
        pbx.deleteUser("0002");
        JsonNode users = JSON.readTree(send("GET", "/rest/users", token, null, true).body());
        assertThat(users.findValuesAsText("login")).containsExactly("0001");
        assertThat(send("GET", "/rest/users/" + id + "/phoneconfig", token, null, true).statusCode()).isEqualTo(404);
        assertThat(send("GET", "/rest/groups/1", token, null, true).body()).doesNotContain("\"id\":" + id + ",");
    }

    @Test
    void clearScriptedFailuresForgetsRulesNotUsedUp() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        String token = login("0001", "pw");
        pbx.failNext("GET /rest/users", 5, 503);
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(503);
        pbx.clearScriptedFailures();
        assertThat(send("GET", "/rest/users", token, null, true).statusCode()).isEqualTo(200);
    }

    @Test
    void servesHttpsWithItsGeneratedCertificate() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).https().start();
        HttpClient trusting = HttpClient.newBuilder().sslContext(pbx.certificate().orElseThrow().clientSslContext()).build();
        HttpResponse<String> r = trusting.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + "/rest/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pbx.baseUrl().getScheme()).isEqualTo("https");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + "/rest/login")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThat(List.of(pbx.certificate().orElseThrow().certificatePem())).singleElement().asString()
                .startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void limitedCapacityQueuesRequestsBeyondItsWorkersInArrivalOrder() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false)
                .capacity(2, Duration.ofMillis(150)).start();
        int clients = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        try {
            long started = System.nanoTime();
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                answers.add(pool.submit(() -> send("GET", "/rest/login", null, null, false).statusCode()));
            }
            for (java.util.concurrent.Future<Integer> a : answers) {
                assertThat(a.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            // 6 requests, 2 workers, 150 ms each: three rounds, so at least 450 ms
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        } finally {
            pool.shutdownNow();
        }
        assertThat(pbx.maxRequestsInFlight()).isBetween(3, clients);
        assertThat(pbx.maxQueueLength()).isBetween(1, clients - 2);
        assertThat(pbx.requestsInFlight()).isZero();
        pbx.resetMaxima();
        assertThat(pbx.maxRequestsInFlight()).isZero();
        assertThat(pbx.maxQueueLength()).isZero();
    }

    @Test
    void failNextWithRetryAfterSendsTheHeaderValueExactly() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        pbx.failNextWithRetryAfter("GET /rest/login", 1, 429, "9223372036854775807");
        HttpResponse<String> r = send("GET", "/rest/login", null, null, false);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("9223372036854775807");
        assertThat(send("GET", "/rest/login", null, null, false).headers().firstValue("Retry-After")).isEmpty();
    }

    @Test
    void stallBodyNextSendsHeadersThenHoldsTheBody() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        pbx.stallBodyNext("GET /rest/login", Duration.ofSeconds(30));
        HttpRequest req = HttpRequest.newBuilder(URI.create(pbx.baseUrl() + "/rest/login")).build();
        HttpResponse<java.io.InputStream> headers = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream())
                .get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(headers.statusCode()).isEqualTo(200);
        java.util.concurrent.CompletableFuture<byte[]> rest = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return headers.body().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> rest.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        headers.body().close();
        assertThat(pbx.requestsInFlight()).as("answered: the headers went out").isZero();
    }

    @Test
    void cutBodyNextClosesTheConnectionInTheMiddleOfTheBody() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        pbx.cutBodyNext("GET /rest/login");
        assertThatThrownBy(() -> send("GET", "/rest/login", null, null, false)).isInstanceOf(java.io.IOException.class);
        assertThat(send("GET", "/rest/login", null, null, false).statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedBodyNextStreamsExactlyTheBytesAskedForAndNoticesAReaderThatLeaves() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "pw", null, null, null, false).start();
        pbx.oversizedBodyNext("GET /rest/users/{id}/phoneconfig", 3_000_000);
        HttpResponse<byte[]> full = http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + "/rest/users/1/phoneconfig")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).hasSize(3_000_000);
        assertThat(new String(full.body(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("{\"pad\":\"");
        assertThat(JSON.readTree(full.body()).get("pad").asText()).hasSize(3_000_000 - 10);
        assertThat(pbx.abortedResponses()).isZero();

        long huge = 600L * 1024 * 1024;
        pbx.oversizedBodyNext("GET /rest/users/{id}/phoneconfig", huge);
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + "/rest/users/1/phoneconfig")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        r.body().readNBytes(1024);
        r.body().close(); // the reader leaves
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pbx.abortedResponses() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pbx.abortedResponses()).isEqualTo(1);
        assertThat(pbx.oversizedBytesSent()).isLessThan(3_000_000 + huge / 2);
    }

    // ------------------------------------------------------------------------------------------------ OAuth

    private HttpResponse<String> form(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> bearer(String path, String accessToken) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(pbx.baseUrl() + path)).header("X-Version", "2")
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + accessToken).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static final String GRANT = "grant_type=password&client_id=rest-client-headless&client_secret=cs-1"
            + "&username=0001&password=foobar";

    @Test
    void discoveryNamesTheTokenEndpointAndItsGrantsWithoutXVersion() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "foobar", null, "A", "B", false).oauth("cs-1")
                .oauthTokenPath(StarfaceEmulator.THIRD_PARTY_TOKEN_PATH).oauthScopes("pbx-login").start();
        HttpResponse<String> r = send("GET", StarfaceEmulator.DISCOVERY, null, null, false);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());
        assertThat(doc.get("token_endpoint").asText()).isEqualTo(pbx.baseUrl() + StarfaceEmulator.THIRD_PARTY_TOKEN_PATH);
        assertThat(doc.get("issuer").asText()).isEqualTo(pbx.baseUrl() + "/auth/realms/pbx");
        assertThat(doc.get("grant_types_supported").toString()).contains("\"password\"", "\"refresh_token\"");
        assertThat(doc.get("scopes_supported").toString()).contains("pbx-login").doesNotContain("\"login\"");
        assertThat(pbx.tokenPath()).contains(StarfaceEmulator.THIRD_PARTY_TOKEN_PATH);
    }

    @Test
    void withoutARealmEveryAuthPathIs404() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "foobar", null, "A", "B", false).start();
        assertThat(send("GET", StarfaceEmulator.DISCOVERY, null, null, false).statusCode()).isEqualTo(404);
        assertThat(form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, GRANT).statusCode()).isEqualTo(404);
        assertThat(pbx.tokenPath()).isEmpty();
    }

    @Test
    void passwordGrantGivesBearerTokensTheRestApiAcceptsUntilTheyExpire() throws Exception {
        ManualClockForTest clock = new ManualClockForTest(Instant.parse("2026-01-05T08:00:00Z"));
        pbx = StarfaceEmulator.builder().clock(clock).user("0001", "foobar", null, "A", "B", false).oauth("cs-1").start();
        HttpResponse<String> r = form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, GRANT + "&scope=login");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode t = JSON.readTree(r.body());
        assertThat(t.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(t.get("expires_in").asLong()).isEqualTo(300);
        assertThat(t.get("refresh_expires_in").asLong()).isEqualTo(21600);
        String access = t.get("access_token").asText();

        assertThat(bearer("/rest/users/me", access).statusCode()).isEqualTo(200);
        clock.now = clock.now.plusSeconds(300);
        assertThat(bearer("/rest/users/me", access).statusCode()).isEqualTo(401);

        // the refresh token still works, and gives a new access token
        r = form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, "grant_type=refresh_token&client_id=rest-client-headless"
                + "&client_secret=cs-1&refresh_token=" + t.get("refresh_token").asText());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(bearer("/rest/users/me", JSON.readTree(r.body()).get("access_token").asText()).statusCode()).isEqualTo(200);
        assertThat(pbx.passwordGrantCount()).isEqualTo(1);
        assertThat(pbx.refreshGrantCount()).isEqualTo(1);

        clock.now = clock.now.plus(Duration.ofHours(6));
        r = form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, "grant_type=refresh_token&client_id=rest-client-headless"
                + "&client_secret=cs-1&refresh_token=" + t.get("refresh_token").asText());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void refusesABadClientSecretPasswordScopeOrGrantTypeWithKeycloakErrors() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "foobar", null, "A", "B", false).oauth("cs-1").start();
        record Case(String body, int status, String error) {
        }
        for (Case c : List.of(
                new Case(GRANT.replace("cs-1", "cs-2"), 401, "unauthorized_client"),
                new Case(GRANT.replace("client_secret=cs-1&", ""), 401, "unauthorized_client"),
                new Case(GRANT.replace("rest-client-headless", "other"), 401, "invalid_client"),
                new Case(GRANT.replace("foobar", "wrong"), 401, "invalid_grant"),
                new Case(GRANT + "&scope=pbx-login", 400, "invalid_scope"),
                new Case(GRANT.replace("grant_type=password", "grant_type=client_credentials"), 400, "unsupported_grant_type"))) {
            HttpResponse<String> r = form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, c.body());
            assertThat(r.statusCode()).as(c.body()).isEqualTo(c.status());
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(c.body()).isEqualTo(c.error());
        }
        assertThat(pbx.rejectedTokenRequestCount()).isEqualTo(6);
        assertThat(pbx.passwordGrantCount()).isZero();
        assertThat(pbx.secrets()).contains("cs-1", "cs-2", "wrong");
    }

    @Test
    void revokingARefreshTokenEndsItsGrant() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "foobar", null, "A", "B", false).oauth("cs-1").start();
        JsonNode t = JSON.readTree(form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, GRANT).body());
        assertThat(pbx.activeTokens()).hasSize(2);
        HttpResponse<String> r = form("/auth/realms/pbx/protocol/openid-connect/revoke", "token="
                + t.get("refresh_token").asText() + "&token_type_hint=refresh_token&client_id=rest-client-headless&client_secret=cs-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(pbx.activeTokens()).isEmpty();
        assertThat(bearer("/rest/users/me", t.get("access_token").asText()).statusCode()).isEqualTo(401);
    }

    @Test
    void withoutTheNonceLoginRestLoginIs404AndOAuthStillWorks() throws Exception {
        pbx = StarfaceEmulator.builder().user("0001", "foobar", null, "A", "B", false).oauth("cs-1").withoutNonceLogin().start();
        assertThat(send("GET", "/rest/login", null, null, false).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/rest/login", null, "{}", true).statusCode()).isEqualTo(404);
        String access = JSON.readTree(form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, GRANT).body()).get("access_token").asText();
        assertThat(bearer("/rest/users", access).statusCode()).isEqualTo(200);

        pbx.setNonceLoginEnabled(true);
        assertThat(send("GET", "/rest/login", null, null, false).statusCode()).isEqualTo(200);
    }

    @Test
    void lifetimeHooksApplyToTokensAlreadyIssued() throws Exception {
        ManualClockForTest clock = new ManualClockForTest(Instant.parse("2026-01-05T08:00:00Z"));
        pbx = StarfaceEmulator.builder().clock(clock).user("0001", "foobar", null, "A", "B", false).oauth("cs-1").start();
        JsonNode t = JSON.readTree(form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, GRANT).body());
        pbx.setAccessTokenLifetime(Duration.ofSeconds(10));
        pbx.setRefreshTokenLifetime(Duration.ofSeconds(20));
        clock.now = clock.now.plusSeconds(10);
        assertThat(bearer("/rest/users/me", t.get("access_token").asText()).statusCode()).isEqualTo(401);
        clock.now = clock.now.plusSeconds(10);
        assertThat(form(StarfaceEmulator.KEYCLOAK_TOKEN_PATH, "grant_type=refresh_token&client_id=rest-client-headless"
                + "&client_secret=cs-1&refresh_token=" + t.get("refresh_token").asText()).statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> pbx.setAccessTokenLifetime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A settable clock (the test kit's ManualClock is not on this module's class path). */
    private static final class ManualClockForTest extends Clock {
        volatile Instant now;

        ManualClockForTest(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
