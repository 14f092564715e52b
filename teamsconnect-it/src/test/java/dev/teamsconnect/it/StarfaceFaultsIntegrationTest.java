package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.store.InMemoryStateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** STARFACE misbehaving under a real engine, over HTTPS against the emulators. */
class StarfaceFaultsIntegrationTest {

    private static final String PUT = "PUT /rest/users/{id}/phoneconfig";
    private static final String GET = "GET /rest/users/{id}/phoneconfig";

    private Landscape l;

    @AfterEach
    void stop() throws Exception {
        if (l != null) {
            l.close();
        }
    }

    @Test
    void tokensRevokedInTheMiddleOfACycleLeadToOneNewLoginAndNoLostWrite() {
        l = Landscape.start(6);
        SyncEngine engine = l.engine(Landscape.config().build());
        engine.syncOnce();
        int logins = l.pbx.loginCount();
        for (int i = 1; i <= 6; i++) {
            l.inCall(i);
        }
        l.pbx.expireAllTokensAfterRequests(5);

        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        for (int i = 1; i <= 6; i++) {
            assertThat(l.dnd(i)).as("write for user " + i + " landed").isTrue();
        }
        assertThat(l.pbx.loginCount() - logins).as("re-login, not a login storm").isBetween(1, 4);
    }

    @Test
    void aPbxRestartKeepsStateAndTheEngineLogsInAgainAndRestores() {
        l = Landscape.start(3);
        SyncEngine engine = l.engine(Landscape.config().build());
        l.inCall(1);
        engine.syncOnce();
        assertThat(l.dnd(1)).isTrue();

        l.pbx.restart();
        l.available(1);
        l.inCall(2);
        CycleReport r = engine.syncOnce();

        assertThat(r.success()).as(r.summary()).isTrue();
        assertThat(l.dnd(1)).as("restored after the restart").isFalse();
        assertThat(l.dnd(2)).isTrue();
    }

    @Test
    void serviceUnavailableWritesAreRetriedAndPersistentOnesAreWrittenNextCycle() {
        l = Landscape.start(3);
        InMemoryStateStore store = new InMemoryStateStore();
        SyncEngine engine = l.engine(Landscape.config().build(), store);
        engine.syncOnce();

        l.pbx.failNext(PUT, 1, 503);
        l.inCall(1);
        CycleReport retried = engine.syncOnce();
        assertThat(retried.success()).as(retried.summary()).isTrue();
        assertThat(l.dnd(1)).isTrue();

        l.pbx.failNext(PUT, 100, 503);
        l.inCall(2);
        CycleReport failed = engine.syncOnce();
        assertThat(failed.success()).isFalse();
        assertThat(l.dnd(2)).isFalse();
        Hold pending = store.load().get(String.valueOf(l.pbx.userId(Landscape.login(2))));
        assertThat(pending).as("write-ahead hold of the failed write").isNotNull();
        assertThat(pending.confirmed()).isFalse();

        l.pbx.clearScriptedFailures();
        CycleReport next = engine.syncOnce();
        assertThat(next.success()).as(next.summary()).isTrue();
        assertThat(l.dnd(2)).isTrue();
        assertThat(store.load().get(String.valueOf(l.pbx.userId(Landscape.login(2)))).confirmed()).isTrue();
    }

    @Test
    void aTimedOutWriteThatLandedAnywayIsTakenAsDoneNotAsAManualChange() throws Exception {
        l = Landscape.start(2);
        InMemoryStateStore store = new InMemoryStateStore();
        SyncEngine engine = l.engine(Landscape.config().build(), store, l.source().build(),
                l.sink().requestTimeout(Duration.ofMillis(400)).maxRetries(0).build());
        engine.syncOnce();

        l.pbx.setLatency(Duration.ofMillis(700));
        l.inCall(1);
        CycleReport slow = engine.syncOnce();
        assertThat(slow.success()).as("the PBX answers too late: " + slow.summary()).isFalse();

        l.pbx.setLatency(Duration.ZERO);
        waitForPbxToFinish(1, true);
        CycleReport next = engine.syncOnce();
        assertThat(next.success()).as(next.summary()).isTrue();
        assertThat(l.dnd(1)).isTrue();

        l.available(1);
        engine.syncOnce();
        assertThat(l.dnd(1)).as("the hold was kept and is restored at the end of the call").isFalse();
        assertThat(store.load()).isEmpty();
    }

    private void waitForPbxToFinish(int user, boolean dnd) throws InterruptedException {
        // The emulator applies a write after its latency even when the client gave up: wait (bounded) for it.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (l.dnd(user) != dnd && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void aUserDeletedOnThePbxWhileHeldDoesNotStopTheOthersAndTheHoldIsDropped() {
        l = Landscape.start(3);
        InMemoryStateStore store = new InMemoryStateStore();
        SyncEngine engine = l.engine(Landscape.config().build(), store);
        l.inCall(1);
        l.inCall(2);
        engine.syncOnce();
        String deletedId = String.valueOf(l.pbx.userId(Landscape.login(1)));

        l.pbx.deleteUser(Landscape.login(1));
        l.available(2);
        l.inCall(3);
        CycleReport r = engine.syncOnce();
        assertThat(l.dnd(2)).as(r.summary()).isFalse();
        assertThat(l.dnd(3)).as(r.summary()).isTrue();

        l.clock.advance(Duration.ofHours(1).plusSeconds(1)); // next user refresh: user 1 is gone from the PBX list
        CycleReport refreshed = engine.syncOnce();
        CycleReport later = engine.syncOnce();
        assertThat(refreshed.usersRefreshed()).isTrue();
        assertThat(store.load()).as("no hold for a user who no longer exists: " + later.summary())
                .doesNotContainKey(deletedId);
        assertThat(later.success()).as(later.summary()).isTrue();
    }

    @Test
    void aSlowPbxWithManyUsersFinishesItsCyclesWithoutOverlap() throws Exception {
        int users = Integer.getInteger("it.slowPbx.users", 1000);
        int held = Integer.getInteger("it.slowPbx.heldUsers", 4);
        l = Landscape.start(users);
        SyncEngine engine = l.engine(Landscape.config().pollInterval(Duration.ofMillis(50)).releaseOnShutdown(false)
                .build(), new InMemoryStateStore(), l.source().build(), l.sink().requestTimeout(Duration.ofSeconds(10)).build());
        engine.syncOnce();
        for (int i = 1; i <= held; i++) {
            l.inCall(i);
        }
        l.pbx.setLatency(Duration.ofSeconds(2));
        l.pbx.restart(); // the cycle starts with a slow login too

        // The scheduler and a second caller both try to run cycles while each cycle takes seconds.
        engine.start();
        ExecutorService other = Executors.newSingleThreadExecutor();
        List<CycleReport> reports = new ArrayList<>();
        try {
            Future<CycleReport> f = other.submit(engine::syncOnce);
            reports.add(f.get());
        } finally {
            other.shutdownNow();
            engine.close();
        }
        l.pbx.setLatency(Duration.ZERO);

        for (int i = 1; i <= held; i++) {
            assertThat(l.dnd(i)).as("user " + i + " in a call").isTrue();
        }
        assertThat(l.dnd(held + 1)).isFalse();
        assertThat(l.pbx.maxConcurrentRequests()).as("one cycle at a time: never more than the sink's parallelism")
                .isLessThanOrEqualTo(4);
        long cycles = engine.snapshot().stats().cycles();
        assertThat(l.pbx.requestCount(GET)).as("only users in a call are read (" + cycles + " cycles), not all " + users)
                .isLessThanOrEqualTo((int) (cycles * held + held));
        assertThat(reports).allSatisfy(r -> assertThat(r.failures()).as(r.summary()).isZero());
    }

    @Test
    void aHeldUsersAnswerThatStallsAfterItsHeadersCostsOnlyTheDeadlineAndTheNextCycleReleasesTheUser() {
        l = Landscape.start(2);
        SyncEngine engine = l.engine(Landscape.config().build(), new InMemoryStateStore(), l.source().build(),
                l.sink().requestTimeout(Duration.ofMillis(300)).maxRetries(1).build());
        l.inCall(1);
        engine.syncOnce();
        assertThat(l.dnd(1)).isTrue();

        l.available(1);
        for (int i = 0; i < 8; i++) {
            l.pbx.stallBodyNext(GET, Duration.ofSeconds(90)); // headers, half a body, then 90 s of nothing
        }
        long started = System.nanoTime();
        CycleReport stalled = engine.syncOnce();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as(stalled.summary()).isLessThan(Duration.ofSeconds(10));
        assertThat(stalled.success()).as(stalled.summary()).isFalse();

        l.pbx.clearScriptedFailures();
        CycleReport next = engine.syncOnce();
        assertThat(next.success()).as(next.summary()).isTrue();
        assertThat(l.dnd(1)).as("released at the end of the call").isFalse();
    }

    @Test
    void theLargestRetryAfterPausesThePbxForTenMinutesAndTheEngineCarriesOnAfterwards() {
        l = Landscape.start(2);
        SyncEngine engine = l.engine(Landscape.config().build(), new InMemoryStateStore(), l.source().build(),
                l.sink().clock(l.clock).build());
        l.inCall(1);
        engine.syncOnce();
        assertThat(l.dnd(1)).isTrue();

        l.pbx.failNextWithRetryAfter(GET, 1, 503, "9223372036854775807");
        l.available(1);
        CycleReport paused = engine.syncOnce();
        assertThat(paused.success()).as(paused.summary()).isFalse();
        int reads = l.pbx.requestCount(GET);

        l.clock.advance(Duration.ofMinutes(5));
        CycleReport stillPaused = engine.syncOnce();
        assertThat(stillPaused.success()).as(stillPaused.summary()).isFalse();
        assertThat(l.pbx.requestCount(GET)).as("nothing is sent during the pause").isEqualTo(reads);

        l.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        CycleReport after = engine.syncOnce();
        assertThat(after.success()).as(after.summary()).isTrue();
        assertThat(l.dnd(1)).isFalse();
    }
}
