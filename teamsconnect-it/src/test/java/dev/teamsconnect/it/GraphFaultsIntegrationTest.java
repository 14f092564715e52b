package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Microsoft Graph misbehaving under a real engine: the real {@link dev.teamsconnect.graph.GraphPresenceSource} and
 * {@link dev.teamsconnect.starface.StarfacePbxSink} over HTTPS against the emulators.
 */
class GraphFaultsIntegrationTest {

    private static final String PRESENCE = GraphEmulator.PRESENCES_BY_USER_ID;

    private Landscape l;

    @AfterEach
    void stop() throws Exception {
        if (l != null) {
            l.close();
        }
    }

    private SyncEngine engineWithHeldUser1(int users) {
        l = Landscape.start(users);
        SyncEngine engine = l.engine(Landscape.config().build());
        l.inCall(1);
        CycleReport first = engine.syncOnce();
        assertThat(first.success()).as(first.summary()).isTrue();
        assertThat(l.dnd(1)).isTrue();
        return engine;
    }

    @Test
    void anAccessTokenThatExpiresDuringTheRunIsRenewedAndTheCycleCompletes() {
        SyncEngine engine = engineWithHeldUser1(3);
        int tokensBefore = l.graph.tokenRequests("client_credentials");

        l.graph.expireAllTokens();
        l.inCall(2);
        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        assertThat(l.dnd(2)).isTrue();
        assertThat(l.graph.tokenRequests("client_credentials")).isEqualTo(tokensBefore + 1);
        assertThat(l.graph.requestCount(PRESENCE)).as("one 401, one retry with the new token, plus cycle 1").isEqualTo(3);
    }

    @Test
    void anExpiredTokenDuringAChunkedReadFetchesOneNewTokenForAllChunks() {
        l = Landscape.start(6);
        SyncEngine engine = l.engine(Landscape.config().build(), new dev.teamsconnect.core.store.InMemoryStateStore(),
                l.source().chunkSize(2).build(), l.sink().build());
        engine.syncOnce();
        int tokensBefore = l.graph.tokenRequests("client_credentials");
        int presenceBefore = l.graph.requestCount(PRESENCE);
        for (int i = 1; i <= 6; i++) {
            l.inCall(i);
        }
        l.graph.expireAllTokens();

        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        assertThat(l.pbx.dndByLogin()).as("everyone in a call is in DND").containsEntry("101", true).containsEntry("106", true);
        assertThat(l.graph.tokenRequests("client_credentials") - tokensBefore).isEqualTo(1);
        assertThat(l.graph.requestCount(PRESENCE) - presenceBefore).as("3 chunks + one refused").isEqualTo(4);
    }

    @Test
    void a429StormWithRetryAfterIsWaitedOutAndNothingArrivesEarly() {
        SyncEngine engine = engineWithHeldUser1(3);
        l.graph.failNext(PRESENCE, 3, 429, Duration.ofMillis(300));
        l.available(1);
        l.inCall(2);

        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        assertThat(l.dnd(1)).isFalse();
        assertThat(l.dnd(2)).isTrue();
        assertThat(l.graph.tooManyRequests()).isEqualTo(3);
        assertThat(l.graph.earlyRequests()).as("no request before the Retry-After had passed").isEmpty();
    }

    @Test
    void a429StormWithoutRetryAfterBacksOffBoundedlyAndChangesNothing() {
        SyncEngine engine = engineWithHeldUser1(3);
        int before = l.graph.requestCount(PRESENCE);
        l.graph.failNext(PRESENCE, 1000, 429, null);
        l.available(1);
        l.inCall(2);

        CycleReport r = engine.syncOnce();

        assertThat(r.success()).isFalse();
        assertThat(r.skipped()).isEqualTo(3);
        assertThat(r.writes()).isZero();
        assertThat(l.dnd(1)).as("held user keeps DND while presence is unknown (failOpenAfter not reached)").isTrue();
        assertThat(l.dnd(2)).isFalse();
        int sent = l.graph.requestCount(PRESENCE) - before;
        assertThat(sent).as("bounded: source attempts x engine attempts, not a hammering loop").isBetween(1, 8);

        l.graph.clearScriptedFailures();
        CycleReport after = engine.syncOnce();
        assertThat(after.success()).as(after.summary()).isTrue();
        assertThat(l.dnd(1)).isFalse();
        assertThat(l.dnd(2)).isTrue();
    }

    @Test
    void serverErrorsAndConnectionResetsAreRetriedWithinTheCycle() {
        SyncEngine engine = engineWithHeldUser1(3);
        l.graph.failNext(PRESENCE, 1, 503, null);
        l.graph.failNext(PRESENCE, 1, 500, null);
        l.graph.dropNext(PRESENCE, 1);
        l.inCall(2);
        l.available(1);

        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        assertThat(l.dnd(1)).isFalse();
        assertThat(l.dnd(2)).isTrue();
    }

    @Test
    void connectionResetsOnTheUserListAreRetried() {
        l = Landscape.start(2);
        SyncEngine engine = l.engine(Landscape.config().build());
        l.graph.dropNext(GraphEmulator.USERS, 2);
        l.inCall(2);

        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        assertThat(r.matched()).isEqualTo(2);
        assertThat(l.dnd(2)).isTrue();
    }

    @Test
    void anOutageLongerThanFailOpenReleasesHoldsAndReappliesThemWhenGraphReturns() {
        SyncEngine engine = engineWithHeldUser1(3);
        l.graph.failNext(PRESENCE, 100_000, 503, null);

        l.clock.advance(Duration.ofMinutes(5));
        CycleReport during = engine.syncOnce();
        assertThat(during.success()).isFalse();
        assertThat(l.dnd(1)).as("within failOpenAfter (10 min) the hold stays").isTrue();

        l.clock.advance(Duration.ofMinutes(6));
        engine.syncOnce();
        assertThat(l.dnd(1)).as("after failOpenAfter the user gets their own DND back").isFalse();
        assertThat(engine.snapshot().stats().holds()).isZero();

        l.graph.clearScriptedFailures();
        l.clock.advance(Duration.ofSeconds(10));
        CycleReport back = engine.syncOnce();
        assertThat(back.success()).as(back.summary()).isTrue();
        assertThat(l.dnd(1)).as("still in the call: DND applied again").isTrue();
    }

    /**
     * Scenario A: a 429 with {@code Retry-After: 1000000000} once stalled the sync thread ("waiting 1000000000000 ms"),
     * so failOpenAfter never fired. Now the cycle ends at once, later cycles send nothing until the (capped) wait is
     * over, and the hold is released when failOpenAfter has passed.
     */
    @Test
    void anAbsurdRetryAfterDoesNotStallTheSyncAndFailOpenReleasesTheHoldOnTime() {
        l = Landscape.start(3);
        SyncEngine engine = l.engine(Landscape.config().failOpenAfter(Duration.ofSeconds(15)).build(),
                new dev.teamsconnect.core.store.InMemoryStateStore(),
                l.source().clock(l.clock).sleeper(l.clock::advance).build(), l.sink().build());
        l.inCall(1);
        assertThat(engine.syncOnce().success()).isTrue();
        assertThat(l.dnd(1)).isTrue();
        int before = l.graph.requestCount(PRESENCE);
        l.graph.failNextWithRetryAfter(PRESENCE, 1, 429, "1000000000");

        long realStart = System.nanoTime();
        CycleReport throttled = engine.syncOnce();
        assertThat(throttled.success()).isFalse();
        assertThat(l.dnd(1)).as("presence unknown, within failOpenAfter: the hold stays").isTrue();
        for (int i = 0; i < 4; i++) {
            l.clock.advance(Duration.ofSeconds(5));
            engine.syncOnce();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - realStart)).as("no cycle waited").isLessThan(Duration.ofSeconds(10));
        assertThat(l.dnd(1)).as("after failOpenAfter (15 s) the hold is released").isFalse();
        assertThat(l.graph.requestCount(PRESENCE) - before).as("nothing sent while Graph asked to wait").isEqualTo(1);

        l.clock.advance(dev.teamsconnect.core.retry.RetryAfter.MAX);
        l.graph.clearThrottling(); // the emulator measures real time; the source's clock says the wait is over
        CycleReport back = engine.syncOnce();
        assertThat(back.success()).as(back.summary()).isTrue();
        assertThat(l.dnd(1)).as("still in the call: DND applied again").isTrue();
    }

    @Test
    void aMalformedAnswerThatHappensOnceIsReadAgain() {
        SyncEngine engine = engineWithHeldUser1(2);
        l.graph.respondNext(PRESENCE, 200, "{\"value\":[{\"id\":\"" + l.graphId(1) + "\",\"availability\":\"Avail");
        l.available(1);

        CycleReport r = engine.syncOnce();

        assertThat(l.dnd(1)).as("released from the good answer of the next cycle, never from the bad one: " + r.summary())
                .isEqualTo(r.skipped() > 0);
        engine.syncOnce();
        assertThat(l.dnd(1)).isFalse();
    }

    @Test
    void malformedJsonSkipsOnlyTheUsersOfThatAnswer() {
        l = Landscape.start(4);
        SyncEngine engine = l.engine(Landscape.config().build(), new dev.teamsconnect.core.store.InMemoryStateStore(),
                l.source().chunkSize(2).build(), l.sink().build());
        l.inCall(1);
        engine.syncOnce();
        assertThat(l.dnd(1)).isTrue();

        l.available(1);   // would release user 1, but its answer is garbage
        l.inCall(3);      // other chunk
        // every answer that contains user 1 is cut off in the middle of its element
        l.graph.setRawPresenceJson(l.graphId(1), "{\"id\":\"" + l.graphId(1) + "\",\"availability\":\"Avail");

        CycleReport r = engine.syncOnce();

        assertThat(r.skipped()).as("users 1 and 2 share the broken answer: " + r.summary()).isEqualTo(2);
        assertThat(l.dnd(1)).as("nothing written from bad data: the hold stays").isTrue();
        assertThat(l.dnd(3)).as("the rest of the cycle proceeds").isTrue();

        l.graph.setRawPresenceJson(l.graphId(1), null);
        CycleReport next = engine.syncOnce();
        assertThat(next.success()).as(next.summary()).isTrue();
        assertThat(l.dnd(1)).isFalse();
    }

    @Test
    void wrongTypesInAPresenceAnswerWriteNothingForThatUser() {
        SyncEngine engine = engineWithHeldUser1(3);
        l.inCall(2);
        l.graph.respondNext(PRESENCE, 200, "{\"value\":["
                + "{\"id\":\"" + l.graphId(1) + "\",\"availability\":42,\"activity\":{\"x\":1}},"
                + "{\"id\":\"" + l.graphId(2) + "\",\"availability\":\"Busy\",\"activity\":\"InACall\"},"
                + "{\"id\":\"" + l.graphId(3) + "\",\"availability\":\"Available\",\"activity\":\"Available\"}]}");

        CycleReport r = engine.syncOnce();

        assertThat(l.dnd(1)).as(r.summary()).isTrue();
        assertThat(l.dnd(2)).as(r.summary()).isTrue();
        assertThat(l.dnd(3)).isFalse();
        assertThat(l.pbx.dndChanges()).as("only user 1's hold and user 2's call were ever written").hasSize(2);
    }

    @Test
    void unknownEnumValuesSkipThatUserAndTheRestProceeds() {
        SyncEngine engine = engineWithHeldUser1(3);
        l.graph.setRawPresence(l.graphId(1), "Teleporting", "InAHologram");
        l.inCall(2);

        CycleReport r = engine.syncOnce();

        assertThat(r.skipped()).as(r.summary()).isEqualTo(1);
        assertThat(l.dnd(1)).as("unknown presence: no change either way").isTrue();
        assertThat(l.dnd(2)).isTrue();
        assertThat(engine.snapshot().stats().holds()).isEqualTo(2);
    }
}
