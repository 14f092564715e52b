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
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emulator's protocol behaviour, over HTTPS with the JDK client trusting only its certificate. */
class GraphEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final GraphEmulator emu = GraphEmulator.builder().presenceRateLimit(3, Duration.ofSeconds(30)).start()
            .registerSecretClient("app", "secret");
    private final HttpClient http = HttpClient.newBuilder().sslContext(trusting(emu)).build();

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

    private HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(emu.baseUri() + pathAndQuery)).header("Authorization", "Bearer " + token)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String appToken() throws Exception {
        HttpResponse<String> r = post("/" + emu.tenantId() + "/oauth2/v2.0/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=app&client_secret=secret&scope="
                        + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    private static String idsBody(List<String> ids) {
        return ids.stream().map(i -> "\"" + i + "\"").collect(Collectors.joining(",", "{\"ids\":[", "]}"));
    }

    @Test
    void rejectsAWrongSecretWithAadstsError() throws Exception {
        HttpResponse<String> r = post("/" + emu.tenantId() + "/oauth2/v2.0/token", "application/x-www-form-urlencoded",
                "grant_type=client_credentials&client_id=app&client_secret=nope&scope=x%2F.default", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("invalid_client");
        assertThat(r.body()).contains("AADSTS7000215");
    }

    @Test
    void answers401WithoutAValidToken() throws Exception {
        assertThat(get("/v1.0/users", "made-up").statusCode()).isEqualTo(401);
        String token = appToken();
        emu.expireAllTokens();
        assertThat(get("/v1.0/users", token).statusCode()).isEqualTo(401);
    }

    @Test
    void pagesUsersAndRejectsPagesAbove999() throws Exception {
        emu.seedUsers(5);
        emu.addUser("off@contoso.test", "Off", false);
        String token = appToken();
        assertThat(get("/v1.0/users?$top=1000", token).statusCode()).isEqualTo(400);
        JsonNode page = JSON.readTree(get("/v1.0/users?$select=id,mail&$top=2&$filter=accountEnabled%20eq%20true", token).body());
        int seen = page.get("value").size();
        assertThat(page.get("value").get(0).has("displayName")).isFalse();
        while (page.has("@odata.nextLink")) {
            String next = page.get("@odata.nextLink").asText();
            page = JSON.readTree(get(next.substring(emu.baseUri().toString().length()), token).body());
            seen += page.get("value").size();
        }
        assertThat(seen).isEqualTo(5);
    }

    @Test
    void rejectsMoreThan650IdsAndRecordsTheLargestList() throws Exception {
        String token = appToken();
        List<String> ids = IntStream.range(0, 651).mapToObj(i -> "id-" + i).toList();
        assertThat(post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", idsBody(ids), token).statusCode()).isEqualTo(400);
        assertThat(emu.largestIdListSeen()).isEqualTo(651);
    }

    @Test
    void throttlesWithRetryAfterAndRecordsEarlyRequests() throws Exception {
        EmulatedUser u = emu.seedUsers(1).get(0);
        String token = appToken();
        String body = idsBody(List.of(u.id()));
        for (int i = 0; i < 3; i++) {
            assertThat(post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", body, token).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> throttled = post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", body, token);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(Double.parseDouble(throttled.headers().firstValue("Retry-After").orElseThrow())).isGreaterThan(20);
        assertThat(emu.earlyRequests()).isEmpty();
        assertThat(post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", body, token).statusCode()).isEqualTo(429);
        assertThat(emu.earlyRequests()).hasSize(1);
        assertThat(emu.tooManyRequests()).isEqualTo(2);
    }

    @Test
    void answersWithARawBodyDropsConnectionsAndForgetsScriptedFailures() throws Exception {
        List<EmulatedUser> users = emu.seedUsers(2);
        String token = appToken();
        String path = GraphEmulator.PRESENCES_BY_USER_ID;
        emu.respondNext(path, 200, "{\"value\":[{\"id\":");
        HttpResponse<String> raw = post(path, "application/json", idsBody(List.of(users.get(0).id())), token);
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo("{\"value\":[{\"id\":");

        emu.dropNext(path, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> post(path, "application/json",
                idsBody(List.of(users.get(0).id())), token)).isInstanceOf(java.io.IOException.class);

        emu.failNext(path, 5, 503, null);
        emu.clearScriptedFailures();
        assertThat(post(path, "application/json", idsBody(List.of(users.get(0).id())), token).statusCode()).isEqualTo(200);
    }

    @Test
    void faultsAndCountsTakeAnEndpointTemplateToo() throws Exception {
        List<EmulatedUser> users = emu.seedUsers(2);
        String token = appToken();
        emu.failNext("GET /v1.0/users/{id}/presence", 1, 503);

        assertThat(get("/v1.0/users/" + users.get(1).id() + "/presence", token).statusCode()).isEqualTo(503);
        assertThat(get("/v1.0/users/" + users.get(0).id() + "/presence", token).statusCode()).isEqualTo(200);
        assertThat(emu.requestCount("GET /v1.0/users/{id}/presence")).isEqualTo(2);
        assertThat(emu.requestCount("/v1.0/users/" + users.get(0).id() + "/presence")).isEqualTo(1);
        assertThat(emu.requestCount("POST /{tenant}/oauth2/v2.0/token")).isEqualTo(1);
        get("/v1.0/me", token);
        assertThat(emu.unhandledRequests()).containsExactly("GET /v1.0/me");
    }

    @Test
    void rawPresenceJsonReplacesOnlyThatUsersElementUntilCleared() throws Exception {
        List<EmulatedUser> users = emu.seedUsers(2);
        String token = appToken();
        String path = GraphEmulator.PRESENCES_BY_USER_ID;
        emu.setRawPresenceJson(users.get(0).id(), "{\"id\":\"" + users.get(0).id() + "\",\"availability\":42}");
        JsonNode both = JSON.readTree(post(path, "application/json", idsBody(List.of(users.get(0).id(), users.get(1).id())),
                token).body());
        assertThat(both.get("value").get(0).get("availability").asInt()).isEqualTo(42);
        assertThat(both.get("value").get(1).get("availability").asText()).isEqualTo("Offline");

        emu.setRawPresenceJson(users.get(0).id(), null);
        JsonNode normal = JSON.readTree(post(path, "application/json", idsBody(List.of(users.get(0).id())), token).body());
        assertThat(normal.get("value").get(0).get("availability").asText()).isEqualTo("Offline");
    }

    @Test
    void reportsPascalCasePresenceWithGrowingSequenceNumbers() throws Exception {
        EmulatedUser u = emu.seedUsers(1).get(0);
        String token = appToken();
        String before = JSON.readTree(get("/v1.0/users/" + u.id() + "/presence", token).body()).get("sequenceNumber").asText();
        PresenceChange c = emu.setPresence(u.id(), dev.teamsconnect.core.model.Availability.BUSY,
                dev.teamsconnect.core.model.Activity.IN_A_CALL);
        JsonNode p = JSON.readTree(get("/v1.0/communications/presences/" + u.id(), token).body());
        assertThat(p.get("availability").asText()).isEqualTo("Busy");
        assertThat(p.get("activity").asText()).isEqualTo("InACall");
        assertThat(p.get("sequenceNumber").asText()).isEqualTo(c.sequenceNumber()).isGreaterThan(before);
        assertThat(emu.presenceChanges()).containsExactly(c);
    }

    @Test
    void deviceCodeIsPendingUntilApproved() throws Exception {
        emu.registerPublicClient("pub");
        emu.addUser("admin@contoso.test", "Admin", true);
        String tokenPath = "/" + emu.tenantId() + "/oauth2/v2.0/token";
        JsonNode dc = JSON.readTree(post("/" + emu.tenantId() + "/oauth2/v2.0/devicecode", "application/x-www-form-urlencoded",
                "client_id=pub&scope=openid", null).body());
        String poll = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=pub&device_code="
                + dc.get("device_code").asText();
        HttpResponse<String> pending = post(tokenPath, "application/x-www-form-urlencoded", poll, null);
        assertThat(JSON.readTree(pending.body()).get("error").asText()).isEqualTo("authorization_pending");
        emu.approveDeviceCode(emu.awaitDeviceCode(Duration.ofSeconds(1)), "admin@contoso.test");
        JsonNode tokens = JSON.readTree(post(tokenPath, "application/x-www-form-urlencoded", poll, null).body());
        assertThat(tokens.has("refresh_token")).isTrue();
        assertThat(tokens.has("id_token")).isTrue();
        assertThat(tokens.has("client_info")).isTrue();
        assertThat(emu.pendingDeviceCodePolls()).isEqualTo(1);
    }

    @Test
    void delaysGraphAnswersByTheConfiguredLatency() throws Exception {
        String token = appToken();
        emu.setLatency(Duration.ofMillis(200));
        long start = System.nanoTime();
        assertThat(get("/v1.0/users", token).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    // ---------------------------------------------------------------- fault hooks

    @Test
    void sendsAScriptedRetryAfterVerbatimAndCountsTheCappedWait() throws Exception {
        String token = appToken();
        emu.seedUsers(1);
        emu.failNextWithRetryAfter(GraphEmulator.PRESENCES_BY_USER_ID, 1, 429, "1000000000");
        String body = idsBody(List.of(emu.users().get(0).id()));
        HttpResponse<String> r = post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", body, token);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("Retry-After")).contains("1000000000");
        assertThat(post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", body, token).statusCode()).isEqualTo(429);
        assertThat(emu.earlyRequests()).hasSize(1);
        emu.clearThrottling();
        assertThat(post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json", body, token).statusCode()).isEqualTo(200);
    }

    @Test
    void nextLinksCanPointAnywhereToTheSamePageOrNeverEnd() throws Exception {
        String token = appToken();
        emu.seedUsers(3);
        emu.usersNextLinkPointsTo("http://elsewhere.test/users");
        assertThat(JSON.readTree(get("/v1.0/users?$top=2", token).body()).path("@odata.nextLink").asText())
                .isEqualTo("http://elsewhere.test/users");

        emu.usersNextLinkPointsToSamePage();
        String first = JSON.readTree(get("/v1.0/users?$top=2", token).body()).path("@odata.nextLink").asText();
        String again = JSON.readTree(get(first.substring(emu.baseUri().toString().length()), token).body())
                .path("@odata.nextLink").asText();
        assertThat(again).isEqualTo(first);

        emu.usersNextLinkNeverEnds();
        String link = "/v1.0/users?$top=2";
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            String next = JSON.readTree(get(link, token).body()).path("@odata.nextLink").asText();
            assertThat(seen.add(next)).isTrue();
            link = next.substring(emu.baseUri().toString().length());
        }

        emu.usersNextLinkNormal();
        assertThat(JSON.readTree(get("/v1.0/users?$top=5", token).body()).has("@odata.nextLink")).isFalse();
    }

    @Test
    void streamsAnOversizedBodyOfTheAskedSize() throws Exception {
        String token = appToken();
        emu.oversizedBodyNext(GraphEmulator.USERS, 3_000_000);
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(emu.baseUri() + "/v1.0/users"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        long n;
        try (java.io.InputStream in = r.body()) {
            n = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(n).isEqualTo(3_000_000);
    }

    @Test
    void refusesEveryTokenWhileAsked() throws Exception {
        String token = appToken();
        emu.refuseAllAccessTokens(true);
        assertThat(get("/v1.0/users", token).statusCode()).isEqualTo(401);
        emu.refuseAllAccessTokens(false);
        assertThat(get("/v1.0/users", token).statusCode()).isEqualTo(200);
    }

    @Test
    void stallsABodyAfterItsFirstBytes() throws Exception {
        String token = appToken();
        emu.stallBodyNext(GraphEmulator.USERS, Duration.ofSeconds(10));
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(emu.baseUri() + "/v1.0/users"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        java.io.InputStream in = r.body();
        assertThat(new String(in.readNBytes(10), StandardCharsets.US_ASCII)).isEqualTo("{\"value\":[");
        java.util.concurrent.CompletableFuture<Integer> more = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return in.read();
            } catch (java.io.IOException e) {
                return -2;
            }
        });
        Thread.sleep(300);
        assertThat(more).isNotDone();
        in.close();
    }

    private static JsonNode claims(String token) throws Exception {
        String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3);
        return JSON.readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
    }

    @Test
    void appTokensCarryTheGrantedApplicationPermissionsInRoles() throws Exception {
        JsonNode c = claims(appToken());
        assertThat(c.path("aud").asText()).isEqualTo("https://graph.microsoft.com");
        assertThat(c.path("tid").asText()).isEqualTo(emu.tenantId());
        assertThat(c.path("roles")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Presence.Read.All", "User.Read.All", "Presence.ReadWrite.All");

        emu.grantPermissions("app", "User.Read.All");
        String token = appToken();
        assertThat(claims(token).path("roles")).extracting(JsonNode::asText).containsExactly("User.Read.All");
        HttpResponse<String> presence = post(GraphEmulator.PRESENCES_BY_USER_ID, "application/json",
                idsBody(List.of(emu.seedUsers(1).get(0).id())), token);
        assertThat(presence.statusCode()).isEqualTo(403);
        assertThat(get("/v1.0/users", token).statusCode()).isEqualTo(200);

        emu.grantPermissions("app");
        String none = appToken();
        assertThat(claims(none).path("roles")).isEmpty();
        HttpResponse<String> users = get("/v1.0/users", none);
        assertThat(users.statusCode()).isEqualTo(403);
        assertThat(users.body()).contains("Authorization_RequestDenied");
    }

    @Test
    void usersDeltaPagesChangesAndReportsRemovedUsers() throws Exception {
        List<EmulatedUser> users = emu.seedUsers(150);
        String token = appToken();
        // the initial round: all users in pages of 100, then a deltaLink
        JsonNode p1 = JSON.readTree(get("/v1.0/users/delta?$select=id,mail,accountEnabled", token).body());
        assertThat(p1.path("value")).hasSize(100);
        assertThat(p1.path("value").get(0).has("displayName")).isFalse();
        String next = p1.path("@odata.nextLink").asText();
        JsonNode p2 = JSON.readTree(get(next.substring(emu.baseUri().toString().length()), token).body());
        assertThat(p2.path("value")).hasSize(50);
        String delta = p2.path("@odata.deltaLink").asText();
        assertThat(delta).startsWith(emu.graphBaseUrl() + "/users/delta?$deltatoken=");

        emu.removeUser(users.get(0).id(), false);
        emu.removeUser(users.get(1).id(), true);
        emu.setUserEnabled(users.get(2).id(), false);
        JsonNode d = JSON.readTree(get(delta.substring(emu.baseUri().toString().length()), token).body());
        assertThat(d.path("value")).hasSize(3);
        assertThat(d.path("value").get(0).path("@removed").path("reason").asText()).isEqualTo("changed");
        assertThat(d.path("value").get(1).path("@removed").path("reason").asText()).isEqualTo("deleted");
        // the $select of the first request is kept in the link
        assertThat(d.path("value").get(2).path("accountEnabled").asBoolean(true)).isFalse();
        assertThat(d.path("value").get(2).has("mail")).isTrue();
        assertThat(d.path("value").get(2).has("displayName")).isFalse();

        // latest: no users, a link from now
        JsonNode latest = JSON.readTree(get("/v1.0/users/delta?$deltatoken=latest", token).body());
        assertThat(latest.path("value")).isEmpty();
        assertThat(latest.path("@odata.deltaLink").asText()).contains("$deltatoken=");

        emu.expireDeltaTokens(410);
        HttpResponse<String> expired = get(delta.substring(emu.baseUri().toString().length()), token);
        assertThat(expired.statusCode()).isEqualTo(410);
        assertThat(expired.body()).contains("syncStateNotFound");
    }
}
