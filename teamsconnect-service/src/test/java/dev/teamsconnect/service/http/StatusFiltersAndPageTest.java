package dev.teamsconnect.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.SignInPrompt;
import dev.teamsconnect.service.config.SecretHash;
import dev.teamsconnect.service.config.ServerConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import dev.teamsconnect.testkit.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /status filters and paging, /status/summary, the page, its languages, its headers and authentication, over HTTP. */
class StatusFiltersAndPageTest {

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final StatusBoard board = new StatusBoard("graph", "starface", clock);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final List<StatusHttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(StatusHttpServer::close);
    }

    private int start(ServerConfig.Auth auth) throws Exception {
        StatusHttpServer s = StatusHttpServer.builder(board, new ServiceMetrics()).clock(clock).auth(auth).build();
        servers.add(s);
        return s.start("127.0.0.1", 0).getPort();
    }

    private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private void users(int n) {
        for (int i = 0; i < n; i++) {
            String id = String.valueOf(1000 + i);
            board.user(id, "1" + i, String.format("user%05d@example.com", i), "User " + i);
            board.presence(id, i % 10 == 0 ? "Busy" : "Available", i % 10 == 0 ? "InACall" : "Available",
                    i % 10 == 0 ? PresenceCategory.IN_A_CALL : PresenceCategory.AVAILABLE);
        }
        board.user("9", "0009", "anna.schmidt@example.com", "Anna Schmidt");
        board.holdsCommitted(List.of(new Hold("1000", Hold.Kind.HELD, false, true, null, null, true, T0),
                new Hold("1010", Hold.Kind.MANUAL, false, true, null, null, true, T0)), List.of());
        board.pbxWritten("1000", true, T0);
        board.pbxRead("1010", false, T0);
        board.pbxRead("1001", true, T0);
        board.onEvent(new AuditEvent(T0, AuditEvent.Kind.FAILED, "1002", "User 2", null, null, null, "write failed: HTTP 503"));
    }

    private JsonNode status(int port, String query) throws Exception {
        HttpResponse<String> r = get(port, "/status" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    @Test
    void filtersAndPagesOnTheServer() throws Exception {
        users(100);
        int port = start(ServerConfig.Auth.NONE);

        JsonNode held = status(port, "?held=true");
        assertThat(held.get("total").asInt()).isEqualTo(101);
        assertThat(held.get("matched").asInt()).isEqualTo(2);
        assertThat(held.get("users")).extracting(u -> u.get("holdKind").asText()).containsExactly("held", "manual");

        assertThat(status(port, "?hold=manual").get("users")).extracting(u -> u.get("pbxUserId").asText()).containsExactly("1010");
        assertThat(status(port, "?user=ANNA.SCHMIDT").get("users")).extracting(u -> u.get("displayName").asText())
                .containsExactly("Anna Schmidt");
        assertThat(status(port, "?user=User%2042").get("matched").asInt()).isEqualTo(1);
        assertThat(status(port, "?problem=true").get("users")).extracting(u -> u.get("problem").asText())
                .containsExactly("write failed: HTTP 503");
        assertThat(status(port, "?category=IN_A_CALL").get("matched").asInt()).isEqualTo(10);
        assertThat(status(port, "?dnd=on").get("matched").asInt()).isEqualTo(2);
        assertThat(status(port, "?dnd=not-read-yet").get("matched").asInt()).isEqualTo(98);
        assertThat(status(port, "?category=IN_A_CALL&held=false").get("matched").asInt()).isEqualTo(8);

        JsonNode page = status(port, "?offset=40&limit=25");
        assertThat(page.get("count").asInt()).isEqualTo(25);
        assertThat(page.get("offset").asInt()).isEqualTo(40);
        assertThat(page.get("limit").asInt()).isEqualTo(25);
        assertThat(page.get("users").get(0).get("teamsUser").asText()).isEqualTo("user00039@example.com");
        assertThat(status(port, "?offset=500&limit=25").get("count").asInt()).isZero();
        assertThat(status(port, "").get("count").asInt()).as("no limit: every user").isEqualTo(101);
    }

    @Test
    void fiftyThousandUsersAreFilteredAndPagedOnTheServer() throws Exception {
        for (int i = 0; i < 50_000; i++) {
            String id = String.valueOf(100_000 + i);
            board.user(id, id, String.format("user%05d@contoso.test", i), "User " + i);
        }
        int port = start(ServerConfig.Auth.NONE);

        long started = System.nanoTime();
        HttpResponse<String> page = get(port, "/status?limit=50&offset=25000");
        long pageMs = (System.nanoTime() - started) / 1_000_000;
        started = System.nanoTime();
        HttpResponse<String> search = get(port, "/status?user=user49999&limit=50");
        long searchMs = (System.nanoTime() - started) / 1_000_000;
        started = System.nanoTime();
        HttpResponse<String> summary = get(port, "/status/summary");
        long summaryMs = (System.nanoTime() - started) / 1_000_000;
        // figures for docs/operations.md, not asserted (no timing assertions)
        System.err.printf("50,000 users: /status?limit=50 %d ms (%d bytes), search %d ms, summary %d ms (%d bytes)%n",
                pageMs, page.body().length(), searchMs, summaryMs, summary.body().length());

        JsonNode p = json.readTree(page.body());
        assertThat(p.get("total").asInt()).isEqualTo(50_000);
        assertThat(p.get("count").asInt()).isEqualTo(50);
        assertThat(p.get("users").get(0).get("teamsUser").asText()).isEqualTo("user25000@contoso.test");
        assertThat(page.body().length()).as("one page, not the whole list").isLessThan(60_000);
        assertThat(json.readTree(search.body()).get("matched").asInt()).isEqualTo(1);
        assertThat(json.readTree(summary.body()).get("counts").get("users").asInt()).isEqualTo(50_000);
    }

    @Test
    void aSuspectedSecondPresenceSyncIsAmongTheSummarysProblemsForAnHour() throws Exception {
        int port = start(ServerConfig.Auth.NONE);
        JsonNode before = json.readTree(get(port, "/status/summary").body());
        assertThat(before.get("secondSync").get("foreignChanges").asLong()).isZero();
        assertThat(before.get("health").get("problems").toString()).doesNotContain("in step with Teams presence");

        board.secondSync(new dev.teamsconnect.core.engine.EngineSnapshot.SecondSync(4, 3, clock.instant(),
                "the DND of 3 users changed in step with Teams presence"));
        JsonNode s = json.readTree(get(port, "/status/summary").body());

        assertThat(s.get("secondSync").get("inStep").asLong()).isEqualTo(3);
        assertThat(s.get("secondSync").get("hint").asText()).contains("3 users");
        assertThat(s.get("health").get("problems").toString()).contains("in step with Teams presence");
    }

    @Test
    void anUnknownOrWrongParameterIsRefusedNamingItNeverIgnored() throws Exception {
        int port = start(ServerConfig.Auth.NONE);

        for (String[] c : new String[][] {{"?helt=true", "unknown parameter \\\"helt\\\""}, {"?held=yes", "held must be true or false"},
                {"?limit=0", "limit must be a whole number from 1 to 1000"}, {"?category=CALL", "category must be one of"},
                {"?dnd=maybe", "dnd must be on, off or not-read-yet"}, {"?held=true&held=false", "given twice"}}) {
            HttpResponse<String> r = get(port, "/status" + c[0]);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains(c[1]);
        }
        assertThat(get(port, "/status/summary?x=1").statusCode()).isEqualTo(400);
    }

    @Test
    void theSummaryHasTheHealthThePromptTheCycleCountsMappingRecentChangesAndCharts() throws Exception {
        users(20);
        board.running(true);
        board.signInPrompt(new SignInPrompt("To sign in, open https://microsoft.com/devicelogin and enter ABCD-EFGH",
                "ABCD-EFGH", "https://microsoft.com/devicelogin", T0.plusSeconds(900)));
        board.pbxWritten("1005", true, T0.plusMillis(420));
        board.cycle(new CycleReport(3, T0, Duration.ofMillis(800), 21, 22, 20, 20, 0, 2, 1, 0, 2, true, List.of()));
        PbxUser dora = new PbxUser("77", "1077", null, "Dora Pohl");
        TeamsUser eve = new TeamsUser("t-eve", "eve@example.com", "eve@example.com", "Eve Noor", true);
        board.mapping(new MappingReport(List.<MappedUser>of(), List.of(eve), List.of(dora), List.of(), List.of(), List.of()));
        int port = start(ServerConfig.Auth.NONE);

        HttpResponse<String> r = get(port, "/status/summary");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode s = json.readTree(r.body());
        assertThat(s.get("signInPrompt").get("userCode").asText()).isEqualTo("ABCD-EFGH");
        assertThat(s.get("signInPrompt").get("verificationUri").asText()).isEqualTo("https://microsoft.com/devicelogin");
        assertThat(s.get("lastCycle").get("cycle").asInt()).isEqualTo(3);
        assertThat(s.get("counts").get("users").asInt()).isEqualTo(21);
        assertThat(s.get("counts").get("held").asInt()).isEqualTo(2);
        assertThat(s.get("counts").get("manual").asInt()).isEqualTo(1);
        assertThat(s.get("counts").get("problems").asInt()).isEqualTo(1);
        assertThat(s.get("mapping").get("problems")).extracting(p -> p.get("type").asText())
                .containsExactly("unmatchedTeams", "pbxWithoutEmail");
        assertThat(s.get("recentChanges").get(0).get("reason").asText()).isEqualTo("write failed: HTTP 503");
        assertThat(s.get("cycles").get(0).get("toPbxMs").asLong()).isEqualTo(420);
        assertThat(s.get("cycles").get(0).get("durationMs").asLong()).isEqualTo(800);
    }

    @Test
    void thePageComesInTheLanguageAskedForWithStrictHeaders() throws Exception {
        int port = start(ServerConfig.Auth.NONE);

        HttpResponse<String> english = get(port, "/");
        HttpResponse<String> german = get(port, "/", "Accept-Language", "de-DE,de;q=0.9,en;q=0.8");
        HttpResponse<String> switched = get(port, "/?lang=en", "Accept-Language", "de-DE");
        HttpResponse<String> byCookie = get(port, "/", "Accept-Language", "en", "Cookie", "tc_lang=de");

        assertThat(english.statusCode()).isEqualTo(200);
        assertThat(english.body()).contains("<html lang=\"en\">").contains("Mapping problems");
        assertThat(german.body()).contains("<html lang=\"de\">").contains("Zuordnungsprobleme").contains("Gehalten");
        assertThat(switched.body()).contains("<html lang=\"en\">");
        assertThat(switched.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                .startsWith("tc_lang=en;").contains("SameSite=Strict").contains("HttpOnly"));
        assertThat(byCookie.body()).contains("<html lang=\"de\">");
        assertThat(english.body()).doesNotContain("{{").doesNotContainPattern("<script>|<script [^>]*>[^<]+</script>| on[a-z]+=\"");
        assertThat(english.headers().firstValue("Content-Security-Policy")).hasValue(StatusHttpServer.CSP);
        assertThat(StatusHttpServer.CSP).contains("script-src 'self'").doesNotContain("unsafe");
        assertThat(english.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(english.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(get(port, "/status").headers().firstValue("Cache-Control")).hasValue("no-store");

        HttpResponse<String> js = get(port, "/ui/app.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
        assertThat(js.body()).doesNotContain("innerHTML").doesNotContain("eval(");
        JsonNode de = json.readTree(get(port, "/ui/messages?lang=de").body());
        assertThat(de.get("reason.own").asText()).contains("eigene Einstellung");
        assertThat(get(port, "/ui/nothing.js").statusCode()).isEqualTo(404);
    }

    @Test
    void acceptLanguageGivesTheFirstOfGermanOrEnglishByPreference() {
        assertThat(WebPage.fromAcceptLanguage(null)).isEqualTo("en");
        assertThat(WebPage.fromAcceptLanguage("fr-FR,fr;q=0.9,de;q=0.8,en;q=0.5")).isEqualTo("de");
        assertThat(WebPage.fromAcceptLanguage("en-US,de;q=0.9")).isEqualTo("en");
        assertThat(WebPage.fromAcceptLanguage("de;q=0.2,en;q=0.7")).isEqualTo("en");
        assertThat(WebPage.fromAcceptLanguage("fr")).isEqualTo("en");
    }

    @Test
    void withCredentialsConfiguredEverythingButHealthNeedsThem() throws Exception {
        String password = "correct horse battery staple";
        String token = "tc-token-0123456789abcdef";
        int port = start(new ServerConfig.Auth(Optional.of("admin"), Optional.of(SecretHash.of(password)),
                Optional.of(SecretHash.of(token))));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        String wrongUser = "Basic " + Base64.getEncoder().encodeToString(("root:" + password).getBytes(StandardCharsets.UTF_8));
        String wrongPassword = "Basic " + Base64.getEncoder().encodeToString("admin:guess".getBytes(StandardCharsets.UTF_8));

        for (String path : List.of("/", "/status", "/status/summary", "/metrics", "/ui/app.js", "/ui/messages")) {
            HttpResponse<String> r = get(port, path);
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.headers().allValues("WWW-Authenticate")).as(path)
                    .containsExactlyInAnyOrder("Basic realm=\"TeamsConnect\", charset=\"UTF-8\"", "Bearer realm=\"TeamsConnect\"");
            assertThat(get(port, path, "Authorization", wrongUser).statusCode()).as(path).isEqualTo(401);
            assertThat(get(port, path, "Authorization", wrongPassword).statusCode()).as(path).isEqualTo(401);
            assertThat(get(port, path, "Authorization", "Bearer wrong-token").statusCode()).as(path).isEqualTo(401);
            assertThat(get(port, path, "Authorization", basic).statusCode()).as(path).isEqualTo(200);
            assertThat(get(port, path, "Authorization", "Bearer " + token).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(get(port, "/health").statusCode()).as("health stays open").isIn(200, 503);
        assertThat(get(port, "/health/live").statusCode()).isIn(200, 503);
    }
}
