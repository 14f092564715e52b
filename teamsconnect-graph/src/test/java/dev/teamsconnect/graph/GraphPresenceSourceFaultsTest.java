package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.retry.RetryAfter;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.logging.LogCapture;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile or broken Microsoft Graph through the real Graph SDK and msal4j over HTTPS: absurd Retry-After values,
 * nextLinks to other places or in loops, refused tokens, oversized and stalled answers. Time is driven through a
 * {@link ManualClock} wherever the emulator does not have to see real time pass.
 */
class GraphPresenceSourceFaultsTest {

    private static final String PRESENCE = GraphEmulator.PRESENCES_BY_USER_ID;

    private final GraphEmulator emu = GraphTestSupport.emulator();
    private final ManualClock clock = new ManualClock(Instant.now());

    @AfterEach
    void stop() {
        emu.close();
    }

    private static List<String> ids(List<EmulatedUser> users) {
        return users.stream().map(EmulatedUser::id).toList();
    }

    /** A source on the manual clock: waits advance it instead of sleeping. */
    private GraphPresenceSource.Builder driven() {
        return GraphTestSupport.secretSource(emu).clock(clock).sleeper(clock::advance).random(new Random(7));
    }

    // ------------------------------------------------------------------ A: Retry-After

    @Test
    void anAbsurdRetryAfterEndsTheCallAtOnceAndLaterCallsFailWithoutARequest() {
        List<String> users = ids(emu.seedUsers(3));
        emu.failNextWithRetryAfter(PRESENCE, 1, 429, "1000000000");
        try (LogCapture log = LogCapture.info(); GraphPresenceSource source = driven().build()) {
            source.open();
            Instant start = clock.instant();
            long realStart = System.nanoTime();

            RetryableException first = catchThrowableOfType(() -> source.readPresence(users), RetryableException.class);

            assertThat(first).isNotNull();
            assertThat(first.retryAfter()).contains(RetryAfter.MAX);
            assertThat(first.getMessage()).contains("asked to wait until " + start.plus(RetryAfter.MAX));
            assertThat(clock.instant()).as("nothing was waited").isEqualTo(start);
            assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isLessThan(Duration.ofSeconds(5));
            assertThat(log.lines()).noneMatch(l -> l.contains("1000000000000"));
            assertThat(emu.requestCount(PRESENCE)).isEqualTo(1);

            // the engine's cycles go on every 5 s: each call fails at once, none sends a request
            for (int cycle = 0; cycle < 119; cycle++) {
                clock.advance(Duration.ofSeconds(5));
                assertThatThrownBy(() -> source.readPresence(users)).isInstanceOf(RetryableException.class)
                        .hasMessageContaining("not sent").hasMessageContaining("until " + start.plus(RetryAfter.MAX));
            }
            assertThat(emu.requestCount(PRESENCE)).isEqualTo(1);

            clock.set(start.plus(RetryAfter.MAX).plusMillis(1));
            emu.clearThrottling(); // the emulator measures real time; the source's clock says the wait is over
            assertThat(source.readPresence(users).values()).hasSize(3);
            assertThat(emu.requestCount(PRESENCE)).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"3600", "http-date-in-two-minutes", "9223372036854775807.5"})
    void aRetryAfterLongerThanTheBudgetIsNotWaitedInsideTheCall(String value) {
        String header = value.startsWith("http-date")
                ? DateTimeFormatter.RFC_1123_DATE_TIME.format(clock.instant().plusSeconds(120).atOffset(ZoneOffset.UTC))
                : value;
        List<String> users = ids(emu.seedUsers(2));
        emu.failNextWithRetryAfter(PRESENCE, 1, 429, header);
        try (GraphPresenceSource source = driven().build()) {
            source.open();
            Instant start = clock.instant();
            RetryableException e = catchThrowableOfType(() -> source.readPresence(users), RetryableException.class);
            assertThat(e).isNotNull();
            assertThat(e.retryAfter()).get().matches(d -> d.compareTo(GraphPresenceSource.DEFAULT_PRESENCE_BUDGET) > 0
                    && d.compareTo(RetryAfter.MAX) <= 0, "between the budget and RetryAfter.MAX");
            assertThat(clock.instant()).isEqualTo(start);
            assertThat(emu.requestCount(PRESENCE)).isEqualTo(1);
        }
    }

    @Test
    void aNegativeRetryAfterMeansRetryNow() {
        List<String> users = ids(emu.seedUsers(2));
        emu.failNextWithRetryAfter(PRESENCE, 1, 429, "-5");
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThat(source.readPresence(users).values()).hasSize(2);
            assertThat(emu.requestCount(PRESENCE)).isEqualTo(2);
        }
    }

    @Test
    void serverErrorsWithoutEndBackOffOnlyWithinThePresenceBudget() {
        List<String> users = ids(emu.seedUsers(2));
        emu.failNext(PRESENCE, 10_000, 503, null);
        try (GraphPresenceSource source = driven().maxAttempts(1000)
                .backoff(Duration.ofSeconds(1), Duration.ofSeconds(60)).build()) {
            source.open();
            Instant start = clock.instant();
            assertThatThrownBy(() -> source.readPresence(users)).isInstanceOf(RetryableException.class)
                    .hasMessageContaining("budget of 30 s").hasMessageContaining("HTTP 503");
            assertThat(Duration.between(start, clock.instant())).isLessThanOrEqualTo(GraphPresenceSource.DEFAULT_PRESENCE_BUDGET);
            // 1 + ~2 + ~4 + ~8 s of equal-jitter backoff: a handful of requests, not a thousand
            assertThat(emu.requestCount(PRESENCE)).isBetween(3, 8);
        }
    }

    // ------------------------------------------------------------------ B: tokens only for the Graph host

    @Test
    void aNextLinkToPlainHttpIsRefusedAndNoTokenLeaves() throws Exception {
        HttpServer capture = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new CopyOnWriteArrayList<>();
        capture.createContext("/", ex -> {
            seen.add(ex.getRequestMethod() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        capture.start();
        try {
            emu.seedUsers(3);
            String link = "http://127.0.0.1:" + capture.getAddress().getPort() + "/v1.0/users?$skiptoken=abc";
            emu.usersNextLinkPointsTo(link);
            try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
                source.open();
                assertThatThrownBy(source::listUsers).isInstanceOf(TerminalException.class)
                        .hasMessageContaining("http://127.0.0.1:" + capture.getAddress().getPort())
                        .hasMessageContaining("not followed");
            }
            assertThat(seen).as("the capture server was never asked").isEmpty();
        } finally {
            capture.stop(0);
        }
    }

    @Test
    void aNextLinkToAnotherHttpsHostIsRefusedAndNoTokenLeaves() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.forLocalhost();
        HttpsServer capture = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        capture.setHttpsConfigurator(new HttpsConfigurator(cert.serverSslContext()));
        List<String> seen = new CopyOnWriteArrayList<>();
        capture.createContext("/", ex -> {
            seen.add(ex.getRequestMethod() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        capture.start();
        try {
            emu.seedUsers(3);
            emu.usersNextLinkPointsTo("https://localhost:" + capture.getAddress().getPort() + "/v1.0/users?$skiptoken=abc");
            try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).trustCertificate(cert.certificate()).build()) {
                source.open();
                assertThatThrownBy(source::listUsers).isInstanceOf(TerminalException.class)
                        .hasMessageContaining("https://localhost:" + capture.getAddress().getPort())
                        .hasMessageContaining("not followed");
            }
            assertThat(seen).as("the capture server was never asked").isEmpty();
        } finally {
            capture.stop(0);
        }
    }

    @Test
    void theTokenProviderGivesATokenOnlyForHttpsOnTheGraphHostAndPort() throws Exception {
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            var tokens = source.accessTokenProvider();
            URI graph = emu.graphBaseUrl();
            int port = graph.getPort();
            assertThat(tokens.getAuthorizationToken(URI.create(graph + "/users"), Map.of())).isNotEmpty();
            assertThat(tokens.getAuthorizationToken(URI.create("http://127.0.0.1:" + port + "/v1.0/users"), Map.of())).isEmpty();
            assertThat(tokens.getAuthorizationToken(URI.create("https://localhost:" + port + "/v1.0/users"), Map.of())).isEmpty();
            assertThat(tokens.getAuthorizationToken(URI.create("https://127.0.0.1:" + (port + 1) + "/v1.0/users"), Map.of())).isEmpty();
            assertThat(tokens.getAuthorizationToken(URI.create("https://graph.example.org/v1.0/users"), Map.of())).isEmpty();
        }
    }

    // ------------------------------------------------------------------ C: listings that do not end

    @Test
    void aNextLinkBackToTheSamePageEndsTheListingAsFailed() {
        emu.seedUsers(1200);
        emu.usersNextLinkPointsToSamePage();
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThatThrownBy(source::listUsers).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("already followed");
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(2);
        }
    }

    @Test
    void anEndlessListingStopsAtThePageCap() {
        emu.seedUsers(3);
        emu.usersNextLinkNeverEnds();
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).maxUserPages(5).build()) {
            source.open();
            assertThatThrownBy(source::listUsers).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("after 5 pages").hasMessageContaining("at most 5 pages");
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(5);
        }
        assertThat(GraphPresenceSource.MAX_USER_PAGES).isEqualTo(1000);
    }

    // ------------------------------------------------------------------ D: refused tokens

    @Test
    void aTokenGraphRefusesIsNamedAsSuchAndTokenRequestsStayBoundedOverAnHourOfCycles() {
        List<String> users = ids(emu.seedUsers(2));
        try (LogCapture log = LogCapture.trace(); GraphPresenceSource source = driven().build()) {
            source.open();
            int tokensAfterOpen = emu.tokenRequests("client_credentials");
            emu.refuseAllAccessTokens(true);

            TerminalException first = catchThrowableOfType(() -> source.readPresence(users), TerminalException.class);
            assertThat(first).isNotNull();
            assertThat(first.getMessage()).contains("refused the access token (HTTP 401 even with a fresh token)")
                    .contains("tenant").contains("national cloud").contains("teams.authorityHost").doesNotContain("permission");
            assertThat(emu.secrets()).noneMatch(first.getMessage()::contains);
            assertThat(emu.tokenRequests("client_credentials") - tokensAfterOpen).as("one fresh token").isEqualTo(1);

            int failedFast = 0;
            for (int cycle = 0; cycle < 720; cycle++) { // one hour of 5 s cycles
                clock.advance(Duration.ofSeconds(5));
                int before = emu.requestCount(PRESENCE);
                assertThatThrownBy(() -> source.readPresence(users)).isInstanceOf(TerminalException.class)
                        .hasMessageContaining("refused the access token");
                if (emu.requestCount(PRESENCE) == before) {
                    failedFast++;
                }
            }
            int tokenRequests = emu.tokenRequests("client_credentials") - tokensAfterOpen;
            // pauses of 1, 2, 4, 8, 16 and 30 minutes: a fresh token at 0, 1, 3, 7, 15, 31 minutes (and 61 at most)
            assertThat(tokenRequests).isBetween(5, 8);
            assertThat(failedFast).isGreaterThan(700);

            emu.refuseAllAccessTokens(false);
            clock.advance(GraphPresenceSource.TOKEN_REFUSAL_MAX);
            assertThat(source.readPresence(users).values()).hasSize(2);
            List<String> secrets = emu.secrets();
            assertThat(log.lines()).as("no token or secret in any log line")
                    .noneMatch(line -> secrets.stream().anyMatch(line::contains));
        }
    }

    @Test
    void aForbiddenAnswerNamesTheMissingPermission() {
        List<String> users = ids(emu.seedUsers(2));
        emu.failNext(PRESENCE, 1, 403, null);
        emu.failNext(GraphEmulator.USERS, 1, 403, null);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThatThrownBy(() -> source.readPresence(users)).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("HTTP 403").hasMessageContaining("permission is missing")
                    .hasMessageContaining("application permission Presence.Read.All with admin consent")
                    .hasMessageContaining("docs/azure-setup.md");
            assertThatThrownBy(source::listUsers).isInstanceOf(TerminalException.class)
                    .hasMessageContaining("application permission User.Read.All");
        }
    }

    // ------------------------------------------------------------------ bounded answers and deadlines

    @Test
    void anOversizedPresenceAnswerIsCutOffWhileReadingAndNotRetried() {
        List<String> users = ids(emu.seedUsers(2));
        emu.oversizedBodyNext(PRESENCE, GraphHttpGuard.PRESENCE_BODY_LIMIT + (1 << 20));
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            BatchResult<TeamsPresence> r = source.readPresence(users);
            assertThat(r.values()).isEmpty();
            assertThat(r.failures()).hasSize(2);
            assertThat(r.failures().values()).allSatisfy(e -> assertThat(e).isInstanceOf(RetryableException.class)
                    .hasMessageContaining("larger than 8 MiB"));
            assertThat(emu.requestCount(PRESENCE)).isEqualTo(1);
            assertThat(source.readPresence(users).values()).as("the next answer is read as usual").hasSize(2);
        }
    }

    @Test
    void anOversizedUserPageFailsTheListing() {
        emu.seedUsers(2);
        emu.oversizedBodyNext(GraphEmulator.USERS, GraphHttpGuard.USERS_PAGE_LIMIT + (1 << 20));
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThatThrownBy(source::listUsers).isInstanceOf(RetryableException.class)
                    .hasMessageContaining("larger than 16 MiB");
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(1);
        }
    }

    @Test
    void anOversizedIdentityAnswerFailsTheSignIn() {
        emu.oversizedBodyNext(emu.tokenPath(), 3L << 20);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            assertThatThrownBy(source::open).isInstanceOf(RetryableException.class).hasMessageContaining("larger than 1024 KiB");
        }
    }

    @Test
    void aStalledPresenceBodyIsCancelledAtTheHttpDeadline() {
        List<String> users = ids(emu.seedUsers(2));
        emu.stallBodyNext(PRESENCE, Duration.ofSeconds(20));
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).httpTimeout(Duration.ofMillis(800))
                .maxAttempts(1).build()) {
            source.open();
            long start = System.nanoTime();
            assertThatThrownBy(() -> source.readPresence(users)).isInstanceOf(RetryableException.class)
                    .hasMessageContaining("after 1 attempts");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        }
    }

    @Test
    void aStalledRequestGetsNoMoreThanWhatIsLeftOfThePresenceBudget() {
        List<String> users = ids(emu.seedUsers(2));
        emu.stallBodyNext(PRESENCE, Duration.ofSeconds(20));
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).httpTimeout(Duration.ofSeconds(20))
                .presenceBudget(Duration.ofSeconds(1)).build()) {
            source.open();
            long start = System.nanoTime();
            assertThatThrownBy(() -> source.readPresence(users)).isInstanceOf(RetryableException.class)
                    .hasMessageContaining("budget");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofMillis(2500));
        }
    }

    @Test
    void aStalledTokenEndpointIsAbandonedAtTheHttpDeadline() {
        emu.stallBodyNext(emu.tokenPath(), Duration.ofSeconds(20));
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).httpTimeout(Duration.ofMillis(800)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(source::open).isInstanceOf(RetryableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    // ------------------------------------------------------------------ poll interval

    @Test
    void pollIntervalDefaultsToFiveSecondsAndMustBePositive() {
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            assertThat(source.pollInterval()).contains(GraphPresenceSource.DEFAULT_POLL_INTERVAL).contains(Duration.ofSeconds(5));
        }
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).pollInterval(Duration.ofSeconds(2)).build()) {
            assertThat(source.pollInterval()).contains(Duration.ofSeconds(2));
        }
        assertThatThrownBy(() -> GraphTestSupport.secretSource(emu).pollInterval(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("teams.pollInterval").hasMessageContaining("> 0");
    }
}
