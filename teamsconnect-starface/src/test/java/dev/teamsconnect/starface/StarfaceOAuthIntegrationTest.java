package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * STARFACE 10's OAuth login against the emulator's Keycloak-like realm over real HTTP: discovery, the password and
 * refresh grants, renewal, the {@code auto} choice, refused grants, and where the credentials may go.
 */
class StarfaceOAuthIntegrationTest {

    private static final String API_LOGIN = "0001";
    private static final String API_PASSWORD = "api-pw-7781";
    private static final String CLIENT_SECRET = "cs-5c2f9e71";
    private static final String TOKEN = "POST " + StarfaceEmulator.KEYCLOAK_TOKEN_PATH;
    private static final String DISCOVERY = "GET " + StarfaceEmulator.DISCOVERY;
    private static final String PHONECONFIG = "GET /rest/users/{id}/phoneconfig";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-05T08:00:00Z"));
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private StarfaceEmulator.Builder pbx(int users) {
        StarfaceEmulator.Builder b = StarfaceEmulator.builder().clock(clock)
                .user(API_LOGIN, API_PASSWORD, "api@example.com", "Api", "Account", false);
        for (int i = 1; i <= users; i++) {
            b.user("10" + i, "pw" + i, "user" + i + "@example.com", "User", "No" + i, false);
        }
        return b;
    }

    private StarfaceEmulator start(StarfaceEmulator.Builder b) {
        StarfaceEmulator pbx = b.start();
        toClose.add(pbx);
        return pbx;
    }

    private StarfacePbxSink.Builder sinkFor(StarfaceEmulator pbx, StarfaceLogin login) {
        return StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId(API_LOGIN).password(API_PASSWORD)
                .login(login).oauthClientSecret(CLIENT_SECRET)
                .clock(clock).sleeper(sleeps::add).requestTimeout(Duration.ofSeconds(5));
    }

    private StarfacePbxSink build(StarfacePbxSink.Builder b) {
        StarfacePbxSink sink = b.build();
        toClose.add(sink);
        return sink;
    }

    private StarfacePbxSink open(StarfacePbxSink.Builder b) {
        StarfacePbxSink sink = build(b);
        sink.open();
        return sink;
    }

    private static List<PbxUser> staff(StarfacePbxSink sink) {
        return sink.listUsers().stream().filter(u -> !u.login().equals(API_LOGIN)).toList();
    }

    private static PbxChange change(PbxUser user, boolean dnd) {
        return new PbxChange(user, PbxState.dnd(!dnd), PbxState.dnd(dnd), null, null, "test", Instant.EPOCH);
    }

    // ------------------------------------------------------------------------------------------------ the login

    @Test
    void signsInWithThePasswordGrantAtTheDiscoveredTokenEndpointAndSendsBearerTokens() {
        StarfaceEmulator pbx = start(pbx(2).oauth(CLIENT_SECRET).oauthTokenPath(StarfaceEmulator.THIRD_PARTY_TOKEN_PATH));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        List<PbxUser> users = staff(sink);

        sink.apply(change(users.get(0), true));

        assertThat(pbx.dnd("101")).isTrue();
        assertThat(pbx.requestCount(DISCOVERY)).isEqualTo(1);
        // the path from the discovery document, not Keycloak's usual one
        assertThat(pbx.requestCount("POST " + StarfaceEmulator.THIRD_PARTY_TOKEN_PATH)).isEqualTo(1);
        assertThat(pbx.passwordGrantCount()).isEqualTo(1);
        assertThat(pbx.requestCount("/rest/login")).isZero();
        assertThat(pbx.loginCount()).isZero();
        assertThat(pbx.unhandledRequests()).isEmpty();
        // the REST requests were accepted with the bearer token (the emulator answers 401 otherwise)
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isEqualTo(1);
        assertThat(pbx.requestsWithoutJsonContentType()).isZero();
    }

    @Test
    void autoUsesOAuthWhenTheRealmAnswersAndTheSecretIsSet() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.AUTO));
        sink.readStates(staff(sink));

        assertThat(pbx.passwordGrantCount()).isEqualTo(1);
        assertThat(pbx.loginCount()).isZero();
        assertThat(pbx.requestCount("/rest/login")).isZero();
    }

    @Test
    void autoFallsBackToTheNonceLoginWhenDiscoveryAnswers404() {
        StarfaceEmulator pbx = start(pbx(1)); // no realm: an appliance before STARFACE 10
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.AUTO));
        sink.readStates(staff(sink));
        pbx.expireAllTokens();
        sink.readStates(staff(sink));

        assertThat(pbx.requestCount(StarfaceEmulator.DISCOVERY)).as("asked once, then remembered").isEqualTo(1);
        assertThat(pbx.loginCount()).isEqualTo(2);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void autoWithoutAClientSecretUsesTheNonceLoginWithoutAskingTheRealm() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.AUTO).oauthClientSecret(null));
        sink.readStates(staff(sink));

        assertThat(pbx.requestCount(StarfaceEmulator.DISCOVERY)).isZero();
        assertThat(pbx.loginCount()).isEqualTo(1);
        assertThat(pbx.passwordGrantCount()).isZero();
    }

    @Test
    void autoDoesNotFallBackSilentlyWhenTheRealmAnswersButRefusesTheGrant() {
        StarfaceEmulator pbx = start(pbx(1).oauth("the-right-secret"));
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.AUTO));

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("refused the OAuth password grant for '" + API_LOGIN + "'")
                .hasMessageContaining("error unauthorized_client")
                .hasMessageContaining("starface.oauth.clientSecret")
                .hasMessageContaining("starface.login: auto chose OAuth because")
                .hasMessageContaining("starface.login: nonce")
                .hasMessageNotContaining(CLIENT_SECRET).hasMessageNotContaining("the-right-secret");
        assertThat(pbx.requestCount("/rest/login")).isZero();
        assertThat(pbx.loginCount()).isZero();
    }

    @Test
    void aBadClientSecretIsTerminalAfterOnePostAndNamesTheSetting() {
        StarfaceEmulator pbx = start(pbx(5).oauth("the-right-secret"));
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.OAUTH).parallelism(4));

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining(pbx.baseUrl().toString())
                .hasMessageContaining("starface.oauth.clientSecret")
                .hasMessageContaining("Server, Status, REST-API");
        List<PbxUser> users = IntStream.rangeClosed(2, 6).mapToObj(i -> new PbxUser(String.valueOf(i), null, null, null)).toList();
        assertThatThrownBy(() -> sink.readStates(users)).isInstanceOf(TerminalException.class);
        assertThatThrownBy(() -> sink.apply(change(users.get(0), true))).isInstanceOf(TerminalException.class);

        assertThat(pbx.requestCount(TOKEN)).as("one POST, no retry storm").isEqualTo(1);
        assertThat(pbx.rejectedTokenRequestCount()).isEqualTo(1);
        assertThat(sleeps).isEmpty();

        // After the hold time one new attempt is made; with the secret fixed on the PBX side it succeeds.
        pbx.setOAuthClientSecret(CLIENT_SECRET);
        clock.advance(Duration.ofMinutes(6));
        sink.open();
        assertThat(pbx.requestCount(TOKEN)).isEqualTo(2);
        assertThat(pbx.passwordGrantCount()).isEqualTo(1);
    }

    @Test
    void aWrongPasswordNamesTheLoginSettingsAndTheRight() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.OAUTH).password("wrong-password-123"));

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("error invalid_grant")
                .hasMessageContaining("starface.loginId and starface.password")
                .hasMessageContaining("API Zugriff mit OAuth Password Grant")
                .hasMessageNotContaining("wrong-password-123");
        assertThat(pbx.requestCount(TOKEN)).isEqualTo(1);
    }

    @Test
    void oauthWithoutARealmIsTerminalAndDoesNotTryTheNonceLogin() {
        StarfaceEmulator pbx = start(pbx(1));
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.OAUTH));

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("starface.login is oauth")
                .hasMessageContaining("offers no OAuth realm 'pbx'")
                .hasMessageContaining(StarfaceEmulator.DISCOVERY + " answered HTTP 404");
        assertThat(pbx.requestCount("/rest/login")).isZero();
    }

    @Test
    void aPbxWithoutTheNonceLoginWorksWithOAuthAndSaysWhatToSetOtherwise() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET).withoutNonceLogin());

        StarfacePbxSink oauth = open(sinkFor(pbx, StarfaceLogin.AUTO));
        assertThat(oauth.readStates(staff(oauth)).failures()).isEmpty();

        StarfacePbxSink nonce = build(sinkFor(pbx, StarfaceLogin.NONCE));
        assertThatThrownBy(nonce::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("has no nonce login (GET /rest/login answered HTTP 404")
                .hasMessageContaining("starface.login: auto or oauth with starface.oauth.clientSecret");

        StarfacePbxSink noSecret = build(sinkFor(pbx, StarfaceLogin.AUTO).oauthClientSecret(null));
        assertThatThrownBy(noSecret::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("has no nonce login").hasMessageContaining("set starface.oauth.clientSecret");
        assertThat(pbx.loginCount()).isZero();
    }

    // ------------------------------------------------------------------------------------------------ renewal

    @Test
    void refreshesTheAccessTokenShortlyBeforeItsLifetimeEnds() {
        StarfaceEmulator pbx = start(pbx(2).oauth(CLIENT_SECRET));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        List<PbxUser> users = staff(sink);

        clock.advance(Duration.ofSeconds(271)); // 300 s less a tenth
        assertThat(sink.readStates(users).failures()).isEmpty();

        assertThat(pbx.refreshGrantCount()).isEqualTo(1);
        assertThat(pbx.passwordGrantCount()).isEqualTo(1);
        // renewed before use: no request was refused and repeated
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(2);

        clock.advance(Duration.ofSeconds(100)); // within the refreshed token's lifetime
        assertThat(sink.readStates(users).failures()).isEmpty();
        assertThat(pbx.requestCount(TOKEN)).isEqualTo(2);
    }

    @Test
    void takesTheLifetimesFromTheTokenAnswer() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET).accessTokenLifetime(Duration.ofSeconds(60)));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        List<PbxUser> users = staff(sink);

        clock.advance(Duration.ofSeconds(55)); // past 60 s less a tenth: renewed, not refused
        assertThat(sink.readStates(users).failures()).isEmpty();

        assertThat(pbx.refreshGrantCount()).isEqualTo(1);
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(1);
    }

    @Test
    void makesANewPasswordGrantWhenTheRefreshTokenHasExpired() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET).refreshTokenLifetime(Duration.ofMinutes(10)));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        List<PbxUser> users = staff(sink);

        clock.advance(Duration.ofMinutes(10));
        assertThat(sink.readStates(users).failures()).isEmpty();

        assertThat(pbx.passwordGrantCount()).isEqualTo(2);
        assertThat(pbx.refreshGrantCount()).isZero();
        assertThat(pbx.requestCount(TOKEN)).as("no refresh attempt with an expired refresh token").isEqualTo(2);
    }

    @Test
    void aRefusedRefreshTokenLeadsToOneNewPasswordGrant() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        List<PbxUser> users = staff(sink);
        pbx.expireAllRefreshTokens(); // e.g. the realm restarted

        clock.advance(Duration.ofSeconds(280));
        assertThat(sink.readStates(users).failures()).isEmpty();

        assertThat(pbx.requestCount(TOKEN)).isEqualTo(3); // grant, refused refresh, grant
        assertThat(pbx.rejectedTokenRequestCount()).isEqualTo(1);
        assertThat(pbx.passwordGrantCount()).isEqualTo(2);
    }

    @Test
    void concurrentRequestsAfterTheAccessTokenIsRefusedShareExactlyOneTokenRequest() {
        StarfaceEmulator pbx = start(pbx(16).oauth(CLIENT_SECRET).latency(Duration.ofMillis(20)));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH).parallelism(8));
        List<PbxUser> users = staff(sink);
        pbx.expireAllAccessTokens();

        BatchResult<PbxState> states = sink.readStates(users);

        assertThat(states.failures()).isEmpty();
        assertThat(states.values()).hasSize(16);
        assertThat(pbx.requestCount(TOKEN)).isEqualTo(2);
        assertThat(pbx.refreshGrantCount()).isEqualTo(1);
        // At most one 401 per worker (8), then every user read exactly once more.
        assertThat(pbx.requestCount(PHONECONFIG)).isBetween(17, 16 + 8);
    }

    @Test
    void concurrentRequestsAfterTheAccessTokenIsDueShareExactlyOneTokenRequest() {
        StarfaceEmulator pbx = start(pbx(16).oauth(CLIENT_SECRET).latency(Duration.ofMillis(20)));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH).parallelism(8));
        List<PbxUser> users = staff(sink);
        clock.advance(Duration.ofSeconds(301)); // expired, on both sides

        BatchResult<PbxState> states = sink.readStates(users);

        assertThat(states.failures()).isEmpty();
        assertThat(pbx.requestCount(TOKEN)).isEqualTo(2);
        assertThat(pbx.requestCount(PHONECONFIG)).isEqualTo(16);
    }

    @Test
    void logoutRevokesTheRefreshToken() throws Exception {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        assertThat(pbx.activeTokens()).hasSize(2);

        sink.close();

        assertThat(pbx.requestCount("POST /auth/realms/pbx/protocol/openid-connect/revoke")).isEqualTo(1);
        assertThat(pbx.activeTokens()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ disagreements

    @Test
    void theScopeIsTheOneTheDiscoveryDocumentLists() {
        // The sources disagree: scope login or pbx-login. A realm that accepts only pbx-login must get pbx-login.
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET).oauthScopes("pbx-login"));
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.OAUTH));
        assertThat(sink.readStates(staff(sink)).failures()).isEmpty();
        assertThat(pbx.rejectedTokenRequestCount()).isZero();

        // A realm that lists neither gets no scope (the client's default scopes apply).
        StarfaceEmulator other = start(pbx(1).oauth(CLIENT_SECRET).oauthScopes("profile"));
        StarfacePbxSink second = open(sinkFor(other, StarfaceLogin.OAUTH));
        assertThat(second.readStates(staff(second)).failures()).isEmpty();
        assertThat(other.rejectedTokenRequestCount()).isZero();
    }

    @Test
    void aTokenEndpointOnAnotherHostIsRefusedBeforeAnythingIsSentThere() {
        StarfaceEmulator elsewhere = start(pbx(0).oauth(CLIENT_SECRET));
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        pbx.respondNext(DISCOVERY, 200, "{\"issuer\":\"x\",\"token_endpoint\":\"" + elsewhere.baseUrl()
                + StarfaceEmulator.KEYCLOAK_TOKEN_PATH + "\",\"grant_types_supported\":[\"password\"]}");
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.AUTO));

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("its token_endpoint is " + elsewhere.baseUrl())
                .hasMessageContaining("only sent to the configured PBX")
                .hasMessageContaining("Nothing was sent there");
        assertThat(elsewhere.requestCounts()).isEmpty();
        assertThat(pbx.requestCount("/rest/login")).as("no silent fallback").isZero();
    }

    @Test
    void autoFallsBackWhenTheAnswerIsNoDiscoveryDocument() {
        StarfaceEmulator pbx = start(pbx(1));
        pbx.respondNext(DISCOVERY, 200, "<html>STARFACE</html>");
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.AUTO));
        assertThat(sink.readStates(staff(sink)).failures()).isEmpty();
        assertThat(pbx.loginCount()).isEqualTo(1);
    }

    @Test
    void aFailingDiscoveryIsRetriedAndDecidesNothing() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        pbx.failNext(DISCOVERY, 1, 503);
        StarfacePbxSink sink = open(sinkFor(pbx, StarfaceLogin.AUTO));

        assertThat(sink.readStates(staff(sink)).failures()).isEmpty();
        assertThat(pbx.requestCount(DISCOVERY)).isEqualTo(2);
        assertThat(pbx.passwordGrantCount()).isEqualTo(1);
        assertThat(pbx.loginCount()).as("a 503 is no reason for the nonce login").isZero();
        assertThat(sleeps).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ deadlines, bounds

    @Test
    void anOversizedTokenAnswerIsDroppedAtTheBodyLimit() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        pbx.oversizedBodyNext(TOKEN, 10L * 1024 * 1024);
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.OAUTH));

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining("sent more than 65536 bytes for POST " + StarfaceEmulator.KEYCLOAK_TOKEN_PATH);
        assertThat(pbx.oversizedBytesSent()).isLessThan(10L * 1024 * 1024);
    }

    @Test
    void aStalledTokenAnswerEndsAtTheRequestDeadline() {
        StarfaceEmulator pbx = start(pbx(1).oauth(CLIENT_SECRET));
        pbx.stallBodyNext(TOKEN, Duration.ofSeconds(90));
        StarfacePbxSink sink = build(sinkFor(pbx, StarfaceLogin.OAUTH).requestTimeout(Duration.ofMillis(300)).maxRetries(0));

        long started = System.nanoTime();
        assertThatThrownBy(sink::open).isInstanceOf(RetryableException.class)
                // the discovery before it used a little of the call's 300 ms (maxRetries 0: one request's deadline)
                .hasMessageContaining("did not answer POST " + StarfaceEmulator.KEYCLOAK_TOKEN_PATH + " within")
                .hasMessageContaining("300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

        sink.open(); // the next attempt works
        assertThat(pbx.passwordGrantCount()).isEqualTo(2);
    }
}
