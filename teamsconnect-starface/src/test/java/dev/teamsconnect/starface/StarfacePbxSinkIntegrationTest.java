package dev.teamsconnect.starface;

import dev.teamsconnect.testkit.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.DndSource;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.LoginType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sink against the STARFACE emulator over real HTTP. */
class StarfacePbxSinkIntegrationTest {

    private static final String API_LOGIN = "0001";
    private static final String API_PASSWORD = "api-pw-7781";

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

    private StarfaceEmulator.Builder pbxWithUsers(int n) {
        StarfaceEmulator.Builder b = StarfaceEmulator.builder().clock(clock)
                .user(API_LOGIN, API_PASSWORD, "api@example.com", "Api", "Account", false);
        for (int i = 1; i <= n; i++) {
            b.user("10" + i, "pw" + i, "user" + i + "@example.com", "User", "No" + i, false);
        }
        return b;
    }

    private StarfaceEmulator start(StarfaceEmulator.Builder b) {
        StarfaceEmulator pbx = b.start();
        toClose.add(pbx);
        return pbx;
    }

    private StarfacePbxSink.Builder sinkFor(StarfaceEmulator pbx) {
        return StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId(API_LOGIN).password(API_PASSWORD)
                .clock(clock).sleeper(sleeps::add).requestTimeout(Duration.ofSeconds(5));
    }

    private StarfacePbxSink open(StarfacePbxSink.Builder b) {
        StarfacePbxSink sink = b.build();
        toClose.add(sink);
        sink.open();
        return sink;
    }

    private static List<PbxUser> staff(StarfacePbxSink sink) {
        return sink.listUsers().stream().filter(u -> !u.login().equals(API_LOGIN)).toList();
    }

    private static PbxChange change(PbxUser user, boolean dnd) {
        return new PbxChange(user, PbxState.dnd(!dnd), PbxState.dnd(dnd), null, null, "test", Instant.EPOCH);
    }

    @Test
    void logsInWithTheInternalScheme() {
        StarfaceEmulator pbx = start(pbxWithUsers(1).loginType(LoginType.INTERNAL));
        StarfacePbxSink sink = open(sinkFor(pbx));
        assertThat(sink.listUsers()).extracting(PbxUser::login).containsExactly(API_LOGIN, "101");
        assertThat(pbx.loginCount()).isEqualTo(1);
        assertThat(pbx.rejectedLoginCount()).isZero();
    }

    @Test
    void logsInWithTheActiveDirectoryScheme() {
        StarfaceEmulator pbx = start(pbxWithUsers(1).loginType(LoginType.ACTIVE_DIRECTORY));
        StarfacePbxSink sink = open(sinkFor(pbx));
        assertThat(sink.listUsers()).hasSize(2);
        assertThat(pbx.loginCount()).isEqualTo(1);
    }

    @Test
    void sendsVersionAndJsonContentTypeOnEveryRequestAndLogsOutOnClose() {
        StarfaceEmulator pbx = start(pbxWithUsers(2));
        StarfacePbxSink sink = open(sinkFor(pbx));
        List<PbxUser> users = staff(sink);
        sink.applyAll(List.of(change(users.get(0), true)));
        sink.readStates(users);
        sink.close();
        assertThat(pbx.requestsWithoutJsonContentType()).isZero();
        assertThat(pbx.requestCount("DELETE /rest/login")).isEqualTo(1);
        assertThat(pbx.activeTokens()).isEmpty();
    }

    @Test
    void mapsUsersWithIdLoginEmailAndName() {
        StarfaceEmulator pbx = start(pbxWithUsers(1));
        StarfacePbxSink sink = open(sinkFor(pbx));
        PbxUser user = staff(sink).get(0);
        assertThat(user).isEqualTo(new PbxUser(String.valueOf(pbx.userId("101")), "101", "user1@example.com", "User No1"));
        assertThat(sink.capabilities()).containsExactlyInAnyOrder(Capability.DND, Capability.GROUPS);
    }

    @Test
    void readsAndWritesDndChangingOnlyWhatDiffers() {
        StarfaceEmulator pbx = start(pbxWithUsers(3));
        pbx.pressDndKey("102", true);
        StarfacePbxSink sink = open(sinkFor(pbx));
        List<PbxUser> users = staff(sink);

        BatchResult<PbxState> states = sink.readStates(users);
        assertThat(states.failures()).isEmpty();
        assertThat(states.values()).containsEntry(users.get(0).id(), PbxState.dnd(false))
                .containsEntry(users.get(1).id(), PbxState.dnd(true)).containsEntry(users.get(2).id(), PbxState.dnd(false));

        sink.apply(change(users.get(0), true));
        sink.apply(change(users.get(1), true)); // already on: no PUT
        assertThat(pbx.dndByLogin()).containsEntry("101", true).containsEntry("102", true).containsEntry("103", false);
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isEqualTo(1);
        assertThat(pbx.dndChanges()).extracting(StarfaceEmulator.DndChange::login, StarfaceEmulator.DndChange::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("102", DndSource.PHONE),
                        org.assertj.core.groups.Tuple.tuple("101", DndSource.API));
    }

    @Test
    void listsTheMembersOfAGroupByName() {
        StarfaceEmulator pbx = start(pbxWithUsers(4).group("Sales", "101", "103").group("Support", "102"));
        StarfacePbxSink sink = open(sinkFor(pbx));
        assertThat(sink.listGroupMembers("Sales")).extracting(PbxUser::login).containsExactly("101", "103");
        assertThat(sink.listGroupMembers("support")).extracting(PbxUser::login).containsExactly("102");
        assertThatThrownBy(() -> sink.listGroupMembers("Marketing"))
                .isInstanceOf(TerminalException.class)
                .hasMessageContaining("no group named \"Marketing\"").hasMessageContaining("Sales");
    }

    @Test
    void renewsTheTokenBeforeItsFourHourLifetimeEnds() {
        StarfaceEmulator pbx = start(pbxWithUsers(2));
        StarfacePbxSink sink = open(sinkFor(pbx));
        List<PbxUser> users = staff(sink);
        clock.advance(Duration.ofHours(3).plusMinutes(56));
        assertThat(sink.readStates(users).failures()).isEmpty();
        assertThat(pbx.loginCount()).isEqualTo(2);
        // Renewed before use: no request was rejected and repeated.
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isEqualTo(2);
    }

    @Test
    void logsInAgainAfterTokensExpireMidRunWithoutLosingAWrite() {
        StarfaceEmulator pbx = start(pbxWithUsers(12).latency(Duration.ofMillis(5)));
        StarfacePbxSink sink = open(sinkFor(pbx).parallelism(4));
        List<PbxUser> users = staff(sink);
        List<PbxChange> changes = users.stream().map(u -> change(u, true)).toList();

        // 12 users x (GET + PUT) = 24 requests; expire all tokens at the 10th, in the middle of the batch.
        pbx.expireAllTokensAfterRequests(10);
        BatchResult<PbxState> result = sink.applyAll(changes);

        assertThat(result.failures()).isEmpty();
        assertThat(result.values()).hasSize(12);
        pbx.dndByLogin().forEach((login, dnd) -> assertThat(dnd).as("DND of %s", login).isEqualTo(!login.equals(API_LOGIN)));
        assertThat(pbx.dndChanges()).hasSize(12);
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")
                + pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isGreaterThan(24); // some were rejected and repeated
        assertThat(pbx.loginCount()).isEqualTo(2);
    }

    @Test
    void concurrentRequestsAfterExpiryShareExactlyOneLogin() {
        StarfaceEmulator pbx = start(pbxWithUsers(16).latency(Duration.ofMillis(20)));
        StarfacePbxSink sink = open(sinkFor(pbx).parallelism(8));
        List<PbxUser> users = staff(sink);
        pbx.expireAllTokens();

        BatchResult<PbxState> states = sink.readStates(users);

        assertThat(states.failures()).isEmpty();
        assertThat(states.values()).hasSize(16);
        assertThat(pbx.loginCount()).isEqualTo(2);
        assertThat(pbx.requestCount("POST /rest/login")).isEqualTo(2);
        // At most one 401 per worker (8), then every user read exactly once more.
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isBetween(17, 16 + 8);
    }

    @Test
    void retriesAPutAfterA503() {
        StarfaceEmulator pbx = start(pbxWithUsers(1));
        StarfacePbxSink sink = open(sinkFor(pbx));
        PbxUser user = staff(sink).get(0);
        pbx.failNext("PUT /rest/users/{id}/phoneconfig", 1, 503);

        sink.apply(change(user, true));

        assertThat(pbx.dnd("101")).isTrue();
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isEqualTo(2);
        assertThat(sleeps).hasSize(1);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void givesUpAfterMaxRetriesWithGrowingBoundedBackoff() {
        StarfaceEmulator pbx = start(pbxWithUsers(2));
        StarfacePbxSink sink = open(sinkFor(pbx).maxRetries(3).backoff(Duration.ofMillis(200), Duration.ofMillis(500)));
        List<PbxUser> users = staff(sink);
        pbx.failNext("GET /rest/users/" + users.get(0).id() + "/phoneconfig", 10, 500);

        BatchResult<PbxState> states = sink.readStates(users);

        assertThat(states.values()).containsOnlyKeys(users.get(1).id());
        assertThat(states.failures().get(users.get(0).id())).isInstanceOf(RetryableException.class)
                .hasMessageContaining("HTTP 500").hasMessageContaining("after 4 attempts");
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isEqualTo(4 + 1);
        assertThat(sleeps).hasSize(3);
        assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(sleeps.get(2)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
    }

    @Test
    void badPasswordFailsFastWithAClearMessageAndNoRetryStorm() {
        StarfaceEmulator pbx = start(pbxWithUsers(5));
        StarfacePbxSink sink = sinkFor(pbx).password("wrong-password-123").parallelism(4).build();
        toClose.add(sink);

        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class)
                .hasMessageContaining(pbx.baseUrl().toString())
                .hasMessageContaining("'" + API_LOGIN + "'")
                .hasMessageContaining("rejected the login")
                .hasMessageNotContaining("wrong-password-123");
        List<PbxUser> users = IntStream.rangeClosed(2, 6).mapToObj(i -> new PbxUser(String.valueOf(i), null, null, null)).toList();
        assertThatThrownBy(() -> sink.readStates(users)).isInstanceOf(TerminalException.class);
        assertThatThrownBy(() -> sink.apply(change(users.get(0), true))).isInstanceOf(TerminalException.class);

        assertThat(pbx.requestCount("POST /rest/login")).isEqualTo(1);
        assertThat(sleeps).isEmpty();
        assertThat(pbx.loginCount()).isZero();

        // After the hold time one new attempt is made (still rejected).
        clock.advance(Duration.ofMinutes(6));
        assertThatThrownBy(sink::open).isInstanceOf(TerminalException.class);
        assertThat(pbx.requestCount("POST /rest/login")).isEqualTo(2);
    }

    @Test
    void unknownUserIsReportedForThatUserOnly() {
        StarfaceEmulator pbx = start(pbxWithUsers(2));
        StarfacePbxSink sink = open(sinkFor(pbx));
        List<PbxUser> users = new ArrayList<>(staff(sink));
        PbxUser ghost = new PbxUser("999", "ghost", null, "Ghost");
        users.add(ghost);

        BatchResult<PbxState> read = sink.readStates(users);
        assertThat(read.values()).hasSize(2).doesNotContainKey("999");
        assertThat(read.failures()).containsOnlyKeys("999");
        assertThat(read.failures().get("999")).isInstanceOf(UnknownUserException.class).hasMessageContaining("999");

        BatchResult<PbxState> written = sink.applyAll(users.stream().map(u -> change(u, true)).toList());
        assertThat(written.values()).hasSize(2);
        assertThat(written.failures().get("999")).isInstanceOf(UnknownUserException.class);
        assertThat(((UnknownUserException) written.failures().get("999")).userId()).isEqualTo("999");
        assertThat(pbx.dnd("101")).isTrue();
        assertThat(pbx.dnd("102")).isTrue();
    }

    @Test
    void malformedBodiesAreClearErrorsNamingTheEndpoint() {
        StarfaceEmulator pbx = start(pbxWithUsers(1));
        StarfacePbxSink sink = open(sinkFor(pbx));
        PbxUser user = staff(sink).get(0);

        pbx.respondNext("GET /rest/users", 200, "<html>proxy error</html>");
        assertThatThrownBy(sink::listUsers).isInstanceOf(TerminalException.class)
                .hasMessageContaining("GET /rest/users").hasMessageContaining("not valid JSON");

        pbx.respondNext("GET /rest/users", 200, "[{\"id\":\"x\",\"login\":\"a\"}]");
        assertThatThrownBy(sink::listUsers).isInstanceOf(TerminalException.class)
                .hasMessageContaining("element 0 has no numeric \"id\"");

        pbx.respondNext("GET /rest/users/{id}/phoneconfig", 200, "{\"callWaiting\":true}");
        BatchResult<PbxState> states = sink.readStates(List.of(user));
        assertThat(states.failures().get(user.id())).isInstanceOf(TerminalException.class)
                .hasMessageContaining("GET /rest/users/" + user.id() + "/phoneconfig")
                .hasMessageContaining("doNotDisturb");
        assertThat(pbx.dnd("101")).isFalse();
    }

    @Test
    void readsManyUsersWithBoundedParallelism() {
        StarfaceEmulator pbx = start(pbxWithUsers(300).latency(Duration.ofMillis(2)));
        StarfacePbxSink sink = open(sinkFor(pbx).parallelism(4));
        List<PbxUser> users = staff(sink);
        Map<String, Boolean> expected = users.stream().collect(Collectors.toMap(PbxUser::id, u -> Integer.parseInt(u.id()) % 3 == 0));
        expected.forEach((id, dnd) -> pbx.pressDndKey(Integer.parseInt(id), dnd));

        BatchResult<PbxState> states = sink.readStates(users);

        assertThat(states.failures()).isEmpty();
        assertThat(states.values()).hasSize(300);
        expected.forEach((id, dnd) -> assertThat(states.values().get(id).dnd()).as("user %s", id).isEqualTo(dnd));
        assertThat(pbx.loginCount()).isEqualTo(1);
        assertThat(pbx.maxConcurrentRequests()).isBetween(2, 4);
    }

    @Test
    void aSlowPbxTimesOutEachRequestAndTheFailureIsRetryable() {
        StarfaceEmulator pbx = start(pbxWithUsers(1));
        StarfacePbxSink sink = open(sinkFor(pbx).requestTimeout(Duration.ofMillis(200)).maxRetries(1));
        PbxUser user = staff(sink).get(0);
        pbx.setLatency(Duration.ofSeconds(2));

        assertThatThrownBy(() -> sink.readState(user)).isInstanceOf(RetryableException.class)
                .hasMessageContaining("did not answer GET /rest/users/" + user.id() + "/phoneconfig within 200 ms")
                .hasMessageContaining("after 2 attempts");
        assertThat(sleeps).hasSize(1);
        pbx.setLatency(Duration.ZERO);
    }

    @Test
    void aClosedSinkRefusesFurtherWork() {
        StarfaceEmulator pbx = start(pbxWithUsers(1));
        StarfacePbxSink sink = open(sinkFor(pbx));
        PbxUser user = staff(sink).get(0);
        sink.close();
        assertThatThrownBy(() -> sink.readStates(List.of(user))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(sink::listUsers).isInstanceOf(IllegalStateException.class);
        assertThat(pbx.requestCount("DELETE /rest/login")).isEqualTo(1);
    }

    @Test
    void aChangeDecidedOnAFreshReadCostsOneReadAndOneWrite() {
        StarfaceEmulator pbx = start(pbxWithUsers(20));
        StarfacePbxSink sink = open(sinkFor(pbx));
        List<PbxUser> users = staff(sink);
        BatchResult<PbxState> read = sink.readStates(users);
        assertThat(read.values()).hasSize(20);
        int gets = pbx.requestCount("GET /rest/users/{id}/phoneconfig");
        BatchResult<PbxState> written = sink.applyAll(users.stream().map(u -> change(u, true)).toList());
        assertThat(written.values()).hasSize(20);
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).as("the decision's read is reused").isEqualTo(gets);
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isEqualTo(20);
        assertThat(gets).isEqualTo(20);
        users.forEach(u -> assertThat(pbx.dnd(u.login())).isTrue());
    }

    @Test
    void aReadOlderThanTheReuseWindowOrOneThatNoLongerShowsTheDecidedDndIsReadAgain() {
        StarfaceEmulator pbx = start(pbxWithUsers(2));
        StarfacePbxSink sink = open(sinkFor(pbx));
        List<PbxUser> users = staff(sink);
        sink.readStates(users);
        clock.advance(StarfacePbxSink.REUSE_WINDOW.plusMillis(1));
        sink.applyAll(List.of(change(users.get(0), true)));
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isEqualTo(3);

        sink.readStates(List.of(users.get(1)));
        pbx.pressDndKey(users.get(1).login(), true);
        // a change decided on another state than the one the sink read (here: "on") is not written over that read:
        // the sink reads again and, as the PBX already shows the wanted value, writes nothing
        sink.applyAll(List.of(new PbxChange(users.get(1), PbxState.dnd(true), PbxState.dnd(true), null, null, "test",
                Instant.EPOCH)));
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isEqualTo(5);
        assertThat(pbx.requestCount("PUT /rest/users/{id}/phoneconfig")).isEqualTo(1);
    }

    @Test
    void theLimitOfRequestsInFlightStartsLowAndNeverExceedsParallelism() {
        StarfaceEmulator pbx = start(pbxWithUsers(200).latency(Duration.ofMillis(5)));
        StarfacePbxSink sink = open(sinkFor(pbx).parallelism(6));
        assertThat(sink.currentLimit()).isEqualTo(4);
        List<PbxUser> users = staff(sink);
        for (int round = 0; round < 3; round++) {
            assertThat(sink.readStates(users).values()).hasSize(200);
        }
        assertThat(pbx.maxConcurrentRequests()).isLessThanOrEqualTo(6);
        assertThat(sink.currentLimit()).isBetween(1, 6);
    }

    @Test
    void aPbxThatStopsAnsweringCostsAFewFailuresNotOnePerUserOfTheBatch() {
        StarfaceEmulator pbx = start(pbxWithUsers(100));
        StarfacePbxSink sink = open(sinkFor(pbx).parallelism(4).maxRetries(1));
        List<PbxUser> users = staff(sink);
        pbx.failNext("GET /rest/users/{id}/phoneconfig", 10_000, 503);
        assertThatThrownBy(() -> sink.readStates(users))
                .isInstanceOf(RetryableException.class)
                .hasMessageContaining("requests in a row");
        // 3 users failed with their retry, plus at most the requests already in flight
        assertThat(pbx.requestCount("GET /rest/users/{id}/phoneconfig")).isLessThanOrEqualTo(2 * (3 + 4));
    }
}
