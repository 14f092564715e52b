package dev.teamsconnect.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.spi.TeamsSession;
import dev.teamsconnect.core.store.InMemoryStateStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The PBX-to-Teams direction through the engine: each cause sets, renews and clears a session, and the product's
 * own session never becomes a reason to hold DND (the loop cases of docs/architecture.md), in both manualDnd modes.
 */
class PbxToTeamsTest {

    private static final Duration POLL = Duration.ofSeconds(10);

    private static EngineFixture fixture(ManualDndMode mode) {
        EngineFixture f = new EngineFixture().user("1", false);
        f.sink.capabilities.add(Capability.PBX_CALLS);
        f.config.pollInterval(POLL).manualDndMode(mode).pbxToTeams(new PbxToTeams(PbxToTeams.Show.IN_A_CALL,
                PbxToTeams.Show.IN_A_CALL, Duration.ofHours(1), Duration.ofSeconds(60)));
        return f;
    }

    /** Cycles one poll apart for {@code d}. */
    private static void run(EngineFixture f, SyncEngine engine, Duration d) {
        for (Duration t = Duration.ZERO; t.compareTo(d) < 0; t = t.plus(POLL)) {
            f.advance(POLL);
            engine.syncOnce();
        }
    }

    private static long count(EngineFixture f, String prefix) {
        return f.source.writes.stream().filter(w -> w.startsWith(prefix)).count();
    }

    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void aDndSetAtThePhoneShowsInTeamsIsRenewedAndClearedAndItsEchoHoldsNothing(ManualDndMode mode) {
        EngineFixture f = fixture(mode);
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            f.sink.setByHand("1", true);
            run(f, engine, Duration.ofSeconds(70)); // the scan reads every user within readInterval
            assertThat(f.source.writes).containsExactly("set t1 Busy/InACall");
            assertThat(engine.snapshot().user("1").teamsSession().cause()).isEqualTo(TeamsSession.Cause.PBX_DND);
            // loop case 1: Graph now reports the session's Busy/InACall; that is no Teams call
            run(f, engine, Duration.ofMinutes(5));
            assertThat(f.sink.writes).isEmpty();
            assertThat(engine.snapshot().stats().holds()).isZero();
            // renewed before it ends, while the DND lasts
            run(f, engine, Duration.ofMinutes(45));
            assertThat(count(f, "set t1")).isEqualTo(2);
            // loop case 2: DND off at the phone; Graph keeps reporting the session for a while
            f.source.lagClears = true;
            f.sink.setByHand("1", false);
            run(f, engine, Duration.ofSeconds(70));
            assertThat(f.source.writes).last().isEqualTo("clear t1");
            run(f, engine, Duration.ofMinutes(10));
            assertThat(f.sink.writes).as("no DND from the lagging echo").isEmpty();
            assertThat(f.sink.dnd("1")).isFalse();
            EngineSnapshot.Sessions s = engine.snapshot().stats().sessions();
            assertThat(s.set()).isEqualTo(1);
            assertThat(s.renewed()).isEqualTo(1);
            assertThat(s.cleared()).isEqualTo(1);
            assertThat(s.active()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void theEnginesOwnDndNeverCreatesASession(ManualDndMode mode) {
        EngineFixture f = fixture(mode);
        try (SyncEngine engine = f.engine()) {
            f.call("1");
            run(f, engine, Duration.ofMinutes(3));
            assertThat(f.sink.dnd("1")).isTrue();
            f.available("1");
            run(f, engine, Duration.ofMinutes(3));
            assertThat(f.sink.dnd("1")).isFalse();
            assertThat(f.source.writes).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void aPbxCallShowsInTeamsUntilItEndsAndItsEchoHoldsNothing(ManualDndMode mode) {
        EngineFixture f = fixture(mode);
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            f.sink.onCall.add("1");
            run(f, engine, POLL);
            assertThat(f.source.writes).containsExactly("set t1 Busy/InACall");
            f.source.lagClears = true;
            run(f, engine, Duration.ofMinutes(2));
            f.sink.onCall.remove("1");
            run(f, engine, POLL);
            assertThat(f.source.writes).last().isEqualTo("clear t1");
            run(f, engine, Duration.ofMinutes(5)); // Graph reports the cleared session late
            assertThat(f.sink.writes).isEmpty();
            f.source.lagging.clear(); // Graph catches up: the user's own Available
            run(f, engine, POLL);
            f.call("1"); // a Teams call after that counts
            run(f, engine, Duration.ofMinutes(1));
            assertThat(f.sink.dnd("1")).isTrue();
        }
    }

    /** Loop case 3: the echo hides a real Teams call; the user's DND off stands until Teams shows something else. */
    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void aTeamsCallDuringASessionAndDndOffByHandStandsUntilTeamsShowsSomethingElse(ManualDndMode mode) {
        EngineFixture f = fixture(mode);
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            f.sink.setByHand("1", true);
            run(f, engine, Duration.ofSeconds(70));
            f.call("1"); // a real Teams call: Graph shows Busy/InACall, the same as the session
            run(f, engine, Duration.ofMinutes(2));
            f.sink.setByHand("1", false); // the user wants to be reachable during the call
            run(f, engine, Duration.ofMinutes(5));
            assertThat(f.source.writes).last().isEqualTo("clear t1");
            assertThat(f.sink.writes).as("the user's DND off stands while Teams shows the call").isEmpty();
            f.available("1");
            run(f, engine, Duration.ofMinutes(1));
            f.call("1"); // the next call counts again
            run(f, engine, Duration.ofMinutes(1));
            assertThat(f.sink.dnd("1")).isTrue();
            assertThat(count(f, "set")).as("the engine's DND creates no session").isEqualTo(1);
        }
    }

    @Test
    void aRestartRenewsTheSessionOnceAndAStopClearsIt() {
        EngineFixture f = fixture(ManualDndMode.RESPECT);
        f.store = new InMemoryStateStore();
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            f.sink.setByHand("1", true);
            run(f, engine, Duration.ofSeconds(70));
            engine.abandon(); // a crash: nothing released, nothing cleared
        }
        assertThat(f.source.writes).containsExactly("set t1 Busy/InACall");
        assertThat(f.store.loadSessions()).containsKey("1");
        try (SyncEngine engine = f.engine()) {
            run(f, engine, Duration.ofSeconds(30));
            assertThat(f.source.writes).containsExactly("set t1 Busy/InACall", "set t1 Busy/InACall");
            assertThat(engine.snapshot().stats().sessions().active()).isEqualTo(1);
            run(f, engine, Duration.ofMinutes(10));
            assertThat(count(f, "set")).as("not renewed again before it is due").isEqualTo(2);
        }
        // close() is the SIGTERM path: the session is cleared and gone from the store
        assertThat(f.source.writes).last().isEqualTo("clear t1");
        assertThat(f.store.loadSessions().values()).noneMatch(TeamsSession::active);
    }

    @Test
    void aMissingPermissionIsReportedOnceAndTheTeamsToPbxSyncGoesOn() {
        EngineFixture f = fixture(ManualDndMode.RESPECT).user("2", false);
        f.source.writeFailure = new TerminalException("Graph 403: the app lacks Presence.ReadWrite.All");
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            f.sink.setByHand("1", true);
            run(f, engine, Duration.ofSeconds(80));
            assertThat(engine.snapshot().stats().sessions().problem()).contains("Presence.ReadWrite.All");
            long tries = f.source.writes.size();
            f.call("2");
            run(f, engine, Duration.ofMinutes(5));
            assertThat(f.sink.dnd("2")).isTrue();
            assertThat(f.source.writes).as("not retried before PERMISSION_RETRY").hasSize((int) tries);
            f.source.writeFailure = null;
            run(f, engine, TeamsSessions.PERMISSION_RETRY);
            assertThat(engine.snapshot().stats().sessions().problem()).isNull();
            assertThat(f.source.sessions).containsKey("t1");
        }
    }

    @Test
    void aFailedWriteIsRetriedAndADryRunWritesNothing() {
        EngineFixture f = fixture(ManualDndMode.RESPECT);
        f.source.writeFailure = new RetryableException("Graph 503");
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            f.sink.onCall.add("1");
            run(f, engine, POLL.multipliedBy(2));
            f.source.writeFailure = null;
            run(f, engine, TeamsSessions.FAILURE_RETRY.plus(POLL.multipliedBy(2)));
            assertThat(f.source.sessions).containsKey("t1");
            assertThat(engine.snapshot().stats().sessions().failed()).isEqualTo(1);
        }
        EngineFixture dry = fixture(ManualDndMode.RESPECT);
        dry.config.dryRun(true);
        try (SyncEngine engine = dry.engine()) {
            engine.syncOnce();
            dry.sink.onCall.add("1");
            run(dry, engine, POLL.multipliedBy(3));
            assertThat(dry.source.writes).isEmpty();
            assertThat(engine.snapshot().user("1").teamsSession()).isNotNull();
        }
        assertThat(List.of(Availability.BUSY, Activity.IN_A_CALL)).hasSize(2);
    }

    @Test
    void aSinkThatReportsDndChangesIsNotScannedAndItsReportIsTakenUpAtOnce() {
        EngineFixture f = fixture(ManualDndMode.RESPECT).user("2", false).user("3", false);
        f.sink.capabilities.add(Capability.DND_EVENTS);
        try (SyncEngine engine = f.engine()) {
            engine.syncOnce();
            run(f, engine, Duration.ofMinutes(3));
            assertThat(f.sink.readStatesCalls).as("nobody is scanned").isZero();
            f.sink.pressReported("2", true);
            run(f, engine, POLL);
            assertThat(f.source.writes).containsExactly("set t2 Busy/InACall");
            assertThat(f.sink.lastRead).containsExactly("2");
        }
    }

    @Test
    void aSessionOfAnEarlierRunEndsAtItsExpiryAlsoWithPbxToTeamsOff() {
        EngineFixture f = new EngineFixture().user("1", false);
        f.config.pollInterval(POLL);
        f.store.commitSessions(List.of(new TeamsSession("1", "t1", TeamsSession.Cause.PBX_DND, Availability.BUSY,
                Activity.IN_A_CALL, f.clock.instant().minusSeconds(3000), f.clock.instant().plusSeconds(600))),
                List.of());
        try (SyncEngine engine = f.engine()) {
            f.call("1"); // Teams shows Busy/InACall: while the old session lasts, that may be its echo
            run(f, engine, Duration.ofMinutes(5));
            assertThat(f.sink.dnd("1")).isFalse();
            run(f, engine, Duration.ofMinutes(6)); // past its expiry Graph ended it: the call is the user's own
            assertThat(f.sink.dnd("1")).isTrue();
            assertThat(f.store.loadSessions()).as("the ended session is forgotten").isEmpty();
            assertThat(f.source.writes).as("nothing written to Teams with pbxToTeams off").isEmpty();
        }
    }
}
