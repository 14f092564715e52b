package dev.teamsconnect.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.mapping.DesiredState;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent.Kind;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.core.store.JsonFileStateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncEngineTest {

    private final EngineFixture f = new EngineFixture();

    @TempDir
    Path dir;

    @AfterEach
    void noPointlessWrites() {
        assertThat(f.sink.violations).isEmpty();
    }

    @Test
    void callStartsDndAndCallEndRestoresPriorOff() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        engine.syncOnce();
        assertThat(f.sink.writes).isEmpty();

        f.call("1");
        CycleReport r = engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(r.writes()).isEqualTo(1);
        assertThat(f.store.load().get("1")).isEqualTo(new Hold("1", Hold.Kind.HELD, false, true, null, null, true,
                f.clock.instant()));
        assertThat(f.events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.HOLD_STARTED);
            assertThat(e.reason()).isEqualTo("Teams Busy/InACall -> DND on (policy IN_A_CALL)");
        });

        engine.syncOnce();
        assertThat(f.sink.writes).hasSize(1);

        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
        assertThat(f.events).last().satisfies(e -> {
            assertThat(e.kind()).isEqualTo(Kind.RESTORED);
            assertThat(e.reason()).isEqualTo("restored prior DND off");
        });
    }

    @Test
    void readsPresenceInTheSourcesBatchesAndWritesEachBatchsChangesBeforeReadingTheNext() {
        for (int i = 1; i <= 5; i++) {
            f.user(String.valueOf(i), false);
        }
        f.source.batchSize = 2;
        List<List<String>> reads = new ArrayList<>();
        List<Integer> writesBeforeRead = new ArrayList<>();
        f.source.onRead = ids -> {
            reads.add(List.copyOf(ids));
            writesBeforeRead.add(f.sink.writes.size());
        };
        SyncEngine engine = f.engine();
        engine.syncOnce();
        assertThat(reads).containsExactly(List.of("t1", "t2"), List.of("t3", "t4"), List.of("t5"));

        reads.clear();
        writesBeforeRead.clear();
        f.call("1");
        f.call("4");
        CycleReport r = engine.syncOnce();
        assertThat(r.writes()).isEqualTo(2);
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.sink.dnd("4")).isTrue();
        // user 1's DND is on before the second batch is read, user 4's before the third
        assertThat(writesBeforeRead).containsExactly(0, 1, 2);
    }

    @Test
    void aFailedPresenceBatchSkipsOnlyItsUsers() {
        for (int i = 1; i <= 4; i++) {
            f.user(String.valueOf(i), false);
        }
        f.source.batchSize = 2;
        SyncEngine engine = f.engine();
        engine.syncOnce();
        f.call("1");
        f.call("3");
        f.source.onRead = ids -> {
            if (ids.contains("t1")) {
                throw new RetryableException("first batch down");
            }
        };
        CycleReport r = engine.syncOnce();
        assertThat(r.errors()).containsExactly("source.readPresence: first batch down");
        assertThat(r.skipped()).isEqualTo(2);
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.dnd("3")).isTrue();

        f.source.onRead = ids -> { };
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
    }

    @Test
    void recheckIntervalReadsASettledUserInALongCallOncePerIntervalAndStillRespectsAHandMadeChange() {
        f.sink.recheckInterval = Duration.ofMinutes(1);
        f.user("1", false);
        f.user("2", false);
        SyncEngine engine = f.engine();
        f.call("1");
        CycleReport first = engine.syncOnce();
        assertThat(first.writes()).isEqualTo(1);
        assertThat(first.stateReads()).isEqualTo(1);             // one read and one write for the change
        assertThat(engine.syncOnce().stateReads()).isZero();     // the acknowledged write settled it: no read
        f.advance(Duration.ofSeconds(10));
        assertThat(engine.syncOnce().stateReads()).isZero();     // settled and unchanged: not read

        f.call("2");
        CycleReport r = engine.syncOnce();
        assertThat(r.writes()).isEqualTo(1);                     // a change is written at once
        assertThat(r.stateReads()).isEqualTo(1);                 // only the user who changed was read
        assertThat(engine.syncOnce().stateReads()).isZero();
        f.advance(Duration.ofSeconds(76));
        assertThat(engine.syncOnce().stateReads()).isEqualTo(2); // both re-checked after the interval (+ spread)

        f.sink.setByHand("1", false);
        assertThat(engine.syncOnce().stateReads()).isZero();
        f.advance(Duration.ofSeconds(76));
        engine.syncOnce();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.MANUAL);
        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.writes).hasSize(2);
    }

    @Test
    void recheckIntervalAppliesWhenTeamsLeadsToo() {
        f.sink.recheckInterval = Duration.ofMinutes(1);
        f.config.manualDndMode(ManualDndMode.TEAMS_LEADS);
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        engine.syncOnce();
        f.sink.setByHand("1", false);
        assertThat(engine.syncOnce().stateReads()).isZero();
        assertThat(f.sink.dnd("1")).isFalse();                   // not seen before the next recheck
        f.advance(Duration.ofSeconds(76));
        CycleReport r = engine.syncOnce();
        assertThat(r.stateReads()).isEqualTo(1);
        assertThat(f.sink.dnd("1")).isTrue();                    // enforced at the recheck
    }

    @Test
    void aRestoreAlwaysReadsFirstEvenWhenTheUserIsNotDueForARecheck() {
        f.sink.recheckInterval = Duration.ofMinutes(1);
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);                            // by hand, not noticed yet
        f.available("1");
        CycleReport r = engine.syncOnce();
        assertThat(r.stateReads()).isEqualTo(1);
        assertThat(r.writes()).isZero();                         // the PBX already shows the user's own value
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void userWithDndAlreadyOnIsNeverHeld() {
        f.user("1", true);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        assertThat(f.store.load()).isEmpty();
        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.writes).isEmpty();
        assertThat(f.sink.dnd("1")).isTrue();
    }

    @Test
    void keepsManualDndAfterCallEndsAndNextCallStartsANewHold() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.MANUAL);
        assertThat(f.events).last().extracting(e -> e.reason()).asString().startsWith("manual DND kept");
        f.sink.setByHand("1", true);
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        assertThat(f.sink.writes).hasSize(1);

        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
        assertThat(f.sink.writes).hasSize(1);

        f.call("1");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.HELD);
    }

    @Test
    void manualDndOnAfterHeldCallIsKept() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        f.sink.setByHand("1", true);
        engine.syncOnce();
        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
    }

    @Test
    void userWhoOwnedDndSwitchesItOffDuringCallIsNotOverridden() {
        f.user("1", true);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        engine.syncOnce();
        assertThat(f.sink.writes).isEmpty();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.MANUAL);
        f.available("1");
        engine.syncOnce();
        assertThat(f.store.load()).isEmpty();
        assertThat(f.sink.dnd("1")).isFalse();
    }

    @Test
    void teamsLeadsEnforcesDnd() {
        f.config.manualDndMode(ManualDndMode.TEAMS_LEADS);
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.kinds()).last().isEqualTo(Kind.ENFORCED);
        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
    }

    @Test
    void gracePeriodKeepsDndAfterCall() {
        f.config.gracePeriod(Duration.ofSeconds(30));
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.available("1");
        f.advance(Duration.ofSeconds(10));
        engine.syncOnce(); // the engine sees the call has ended: the grace period starts now
        f.advance(Duration.ofSeconds(29));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(engine.snapshot().user("1").desiredDnd()).isTrue();
        f.advance(Duration.ofSeconds(1));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
    }

    @Test
    void gracePeriodEndsEarlyWhenANewCallStarts() {
        f.config.gracePeriod(Duration.ofSeconds(30));
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.available("1");
        engine.syncOnce();
        f.call("1");
        f.advance(Duration.ofSeconds(20));
        engine.syncOnce();
        f.available("1");
        f.advance(Duration.ofSeconds(20));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).as("a fresh grace period started at the end of the second call").isTrue();
        assertThat(f.sink.writes).hasSize(1);
    }

    @Test
    void manualDndEpisodeEndsWhenAwayOutlastsDebounceAndGraceAndALaterCallIsANewEpisodeAcrossARestart() {
        // replay of property seed -1225611888754499572: the episode ended in the cycle before the restart
        f.config.debounce(Duration.ofSeconds(27)).gracePeriod(Duration.ofSeconds(6));
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.MANUAL);
        f.away("1");
        engine.syncOnce(); // AWAY is only a candidate
        f.advance(Duration.ofSeconds(28));
        engine.syncOnce(); // AWAY counts now; the grace period starts
        f.call("1");
        f.advance(Duration.ofSeconds(3));
        engine.syncOnce(); // in the grace period; the call is not counted yet (debounce)
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.MANUAL);
        f.advance(Duration.ofSeconds(12));
        engine.syncOnce(); // grace over, the call still under debounce: the manual episode is over
        assertThat(engine.snapshot().user("1").desiredDnd()).isNull();
        assertThat(f.store.load()).isEmpty();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.writes).hasSize(1);

        // a restart counts the call at once (debounce is in memory); it is a new episode either way
        SyncEngine restarted = f.engine();
        restarted.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.HELD);
    }

    @Test
    void manualDndSurvivesARestartWhileDebounceAndGraceWouldStillBridgeTheGap() {
        f.config.debounce(Duration.ofSeconds(20)).gracePeriod(Duration.ofSeconds(30));
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.sink.setByHand("1", false);
        engine.syncOnce();
        f.available("1");
        f.advance(Duration.ofSeconds(5));
        engine.syncOnce(); // AVAILABLE is a candidate: the episode runs on (debounce, then grace)

        f.advance(Duration.ofSeconds(5));
        SyncEngine restarted = f.engine(); // the old engine's debounce and grace timers are lost
        restarted.syncOnce();
        assertThat(f.store.load().get("1").kind()).as("the manual choice outlives the restart").isEqualTo(Hold.Kind.MANUAL);
        assertThat(restarted.snapshot().user("1").desiredDnd()).isTrue();

        f.call("1"); // 35 s after the call ended: debounce 20 s + grace 30 s would bridge this in a running engine
        f.advance(Duration.ofSeconds(30));
        restarted.syncOnce();
        f.advance(Duration.ofSeconds(25));
        restarted.syncOnce(); // the call counts now
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.writes).hasSize(1);
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.MANUAL);

        f.available("1");
        restarted.syncOnce();
        f.advance(Duration.ofSeconds(20));
        restarted.syncOnce(); // AVAILABLE counts; grace starts
        f.advance(Duration.ofSeconds(30));
        restarted.syncOnce(); // grace over: the episode ends, DND stays as the user set it
        assertThat(f.store.load()).isEmpty();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.writes).hasSize(1);
    }

    @Test
    void restoreWhoseRemovalWasNotStoredIsNotTakenForAManualChangeByTheNextCall() {
        InMemoryStateStore backing = new InMemoryStateStore();
        boolean[] failRemovals = {false};
        f.store = new StateStore() {
            @Override
            public String id() {
                return "failing-removals";
            }

            @Override
            public Map<String, Hold> load() {
                return backing.load();
            }

            @Override
            public void commit(Collection<Hold> upserts, Collection<String> removals) {
                if (failRemovals[0] && !removals.isEmpty()) {
                    throw new RetryableException("disk full (simulated)");
                }
                backing.commit(upserts, removals);
            }
        };
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.available("1");
        failRemovals[0] = true;
        engine.syncOnce(); // DND restored off; the hold's removal after the write is not stored
        failRemovals[0] = false;
        assertThat(f.sink.dnd("1")).isFalse();

        f.call("1"); // the next call at once: the PBX shows the engine's own restore, not a hand-made change
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.store.load().get("1").kind()).isEqualTo(Hold.Kind.HELD);
        assertThat(f.kinds()).doesNotContain(Kind.MANUAL_KEPT);

        f.available("1");
        SyncEngine restarted = f.engine(); // and a new engine over the same store restores it
        restarted.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void debounceIgnoresShortCategories() {
        f.config.debounce(Duration.ofSeconds(15));
        f.user("1", false);
        SyncEngine engine = f.engine();
        engine.syncOnce();
        f.call("1");
        f.advance(Duration.ofSeconds(5));
        engine.syncOnce();
        f.available("1");
        f.advance(Duration.ofSeconds(5));
        engine.syncOnce();
        assertThat(f.sink.writes).isEmpty();

        f.call("1");
        engine.syncOnce();
        f.advance(Duration.ofSeconds(14));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        f.advance(Duration.ofSeconds(1));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
    }

    @Test
    void failedWriteIsRetriedNextCycle() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        f.sink.failWritesFor.add("1");
        CycleReport r = engine.syncOnce();
        assertThat(r.failures()).isEqualTo(1);
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load().get("1").confirmed()).isFalse();
        assertThat(f.kinds()).last().isEqualTo(Kind.FAILED);

        f.sink.failWritesFor.clear();
        r = engine.syncOnce();
        assertThat(r.success()).isTrue();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.store.load().get("1").confirmed()).isTrue();
        assertThat(engine.snapshot().stats().failuresByKind()).containsEntry("user.write", 1L);
    }

    @Test
    void failedRestoreIsRetriedNextCycle() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.available("1");
        f.sink.failAllWrites = true;
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.store.load()).containsKey("1");
        f.sink.failAllWrites = false;
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void crashBetweenStoreCommitAndPbxWriteIsRecoveredByTheNextEngine() {
        f.store = new JsonFileStateStore(dir.resolve("state.json"));
        f.user("1", false);
        SyncEngine first = f.engine();
        f.call("1");
        f.sink.throwOnRead = null;
        f.sink.failAllWrites = true; // the process dies before the write reaches the PBX
        first.syncOnce();
        assertThat(new JsonFileStateStore(dir.resolve("state.json")).load().get("1").confirmed()).isFalse();
        f.sink.failAllWrites = false;
        f.store.close(); // the process died: the OS released its lock of the state file

        // a new process over the same file; the call is still going on
        f.store = new JsonFileStateStore(dir.resolve("state.json"));
        SyncEngine second = f.engine();
        second.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        f.available("1");
        second.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(new JsonFileStateStore(dir.resolve("state.json")).load()).isEmpty();
    }

    @Test
    void crashAfterPbxWriteBeforeConfirmationRestoresPrior() {
        f.store = new JsonFileStateStore(dir.resolve("state.json"));
        f.user("1", false);
        // the PBX write happened, the confirmation never reached the store
        f.store.commit(List.of(new Hold("1", Hold.Kind.HELD, false, true, null, null, false, f.clock.instant())), List.of());
        f.sink.setByHand("1", true);
        SyncEngine engine = f.engine();
        engine.syncOnce(); // presence available: restore
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void releasesHeldUsersOnShutdown() {
        f.user("1", false).user("2", true).user("3", false);
        SyncEngine engine = f.engine();
        f.call("1");
        f.call("2");
        f.call("3");
        engine.syncOnce();
        f.sink.setByHand("3", false); // manual during the call: stays as the user set it
        engine.syncOnce();
        engine.close();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.dnd("2")).isTrue();
        assertThat(f.sink.dnd("3")).isFalse();
        assertThat(f.store.load()).containsOnlyKeys("3");
        assertThat(f.store.load().get("3").kind()).isEqualTo(Hold.Kind.MANUAL);
        assertThat(f.sink.closes).isEqualTo(1);
        assertThat(f.source.closes).isEqualTo(1);
        assertThatThrownBy(engine::syncOnce).isInstanceOf(IllegalStateException.class);
        engine.close();
        assertThat(f.sink.closes).isEqualTo(1);
    }

    @Test
    void keepsHoldsOnShutdownWhenReleaseIsOff() {
        f.config.releaseOnShutdown(false);
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        engine.close();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.store.load()).containsKey("1");
    }

    @Test
    void failsOpenAndReappliesWhenPresenceReturns() {
        f.config.failOpenAfter(Duration.ofMinutes(10));
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.source.down = true;
        f.advance(Duration.ofMinutes(5));
        CycleReport r = engine.syncOnce();
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(f.sink.dnd("1")).isTrue();
        f.advance(Duration.ofMinutes(5));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
        assertThat(f.events).last().extracting(e -> e.reason()).asString().contains("fail open");

        f.source.down = false;
        f.advance(Duration.ofMinutes(1));
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
    }

    @Test
    void failsOpenAfterARestartWhileThePresenceSourceIsDown() {
        f.config.failOpenAfter(Duration.ofMinutes(10));
        f.user("1", false);
        SyncEngine first = f.engine();
        f.call("1");
        first.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();

        f.source.down = true;
        SyncEngine second = f.engine(); // restart during the outage: users cannot even be listed
        second.syncOnce();
        f.advance(Duration.ofMinutes(9));
        second.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        f.advance(Duration.ofMinutes(1));
        second.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();

        f.source.down = false;
        second.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
    }

    @Test
    void skippedUserIsNotChangedAndReportedOncePerEpisode() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.source.missing.add("t1");
        for (int i = 0; i < 3; i++) {
            f.advance(Duration.ofSeconds(10));
            engine.syncOnce();
        }
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.kinds()).containsExactly(Kind.HOLD_STARTED, Kind.SKIPPED);
        f.source.set("t1", Availability.PRESENCE_UNKNOWN, Activity.PRESENCE_UNKNOWN);
        f.source.missing.clear();
        engine.syncOnce();
        assertThat(f.kinds()).containsExactly(Kind.HOLD_STARTED, Kind.SKIPPED);
        f.available("1");
        engine.syncOnce();
        f.source.missing.add("t1");
        engine.syncOnce();
        assertThat(f.kinds()).containsExactly(Kind.HOLD_STARTED, Kind.SKIPPED, Kind.RESTORED, Kind.SKIPPED);
    }

    @Test
    void dropsStalePresence() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        f.source.sequence.put("t1", "20");
        engine.syncOnce();
        f.available("1");
        f.source.sequence.put("t1", "19");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isTrue();
        f.source.sequence.put("t1", "21");
        engine.syncOnce();
        assertThat(f.sink.dnd("1")).isFalse();
    }

    @Test
    void readsPbxStateOnlyForUsersThatNeedIt() {
        f.user("1", false).user("2", false).user("3", true);
        SyncEngine engine = f.engine();
        engine.syncOnce();
        assertThat(f.sink.readStatesCalls).isZero();
        f.call("2");
        CycleReport r = engine.syncOnce();
        assertThat(f.sink.lastRead).containsExactly("2");
        assertThat(r.stateReads()).isEqualTo(1);
        f.available("2");
        engine.syncOnce();
        assertThat(f.sink.lastRead).containsExactly("2");
        engine.syncOnce();
        assertThat(f.sink.readStatesCalls).isEqualTo(2);
    }

    @Test
    void pluginThrowingDoesNotKillTheLoopAndIsCounted() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        f.source.throwOnRead = new IllegalStateException("bug in the source");
        CycleReport r = engine.syncOnce();
        assertThat(r.success()).isFalse();
        assertThat(r.errors()).singleElement().asString().contains("fake-source").contains("bug in the source");
        f.source.throwOnRead = null;
        f.sink.throwOnRead = new NullPointerException("bug in the sink");
        r = engine.syncOnce();
        assertThat(r.errors()).singleElement().asString().contains("fake-pbx");
        f.sink.throwOnRead = null;
        r = engine.syncOnce();
        assertThat(r.success()).isTrue();
        assertThat(f.sink.dnd("1")).isTrue();
        EngineSnapshot.Stats stats = engine.snapshot().stats();
        assertThat(stats.failuresByKind()).containsEntry("source.readPresence", 1L).containsEntry("sink.readStates", 1L);
        assertThat(stats.cycles()).isEqualTo(3);
        assertThat(stats.failedCycles()).isEqualTo(2);
    }

    @Test
    void errorsFromPluginsAreNotCaught() {
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.source.throwOnRead = null;
        f.sink.throwOnRead = null;
        SyncEngine withError = SyncEngine.builder().source(f.source).sink(f.sink).store(f.store)
                .classifier(p -> {
                    throw new AssertionError("an Error must pass");
                }).policy(EngineFixture.POLICY).clock(f.clock).config(f.config.build()).build();
        assertThatThrownBy(withError::syncOnce).isInstanceOf(AssertionError.class);
        assertThat(engine.syncOnce().success()).isTrue();
    }

    @Test
    void retryableFailuresAreRetriedWithinTheCycle() {
        f.config.retry(new dev.teamsconnect.core.decorate.RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0));
        f.user("1", false);
        List<Duration> slept = new java.util.ArrayList<>();
        int[] failuresLeft = {2};
        FakePbxSink sink = f.sink;
        SyncEngine engine = SyncEngine.builder().source(f.source).store(f.store).classifier(EngineFixture.CLASSIFIER)
                .policy(EngineFixture.POLICY).clock(f.clock).config(f.config.build()).sleeper(slept::add)
                .sink(new dev.teamsconnect.core.spi.PbxSink() {
                    public String id() {
                        return "flaky";
                    }

                    public java.util.Set<Capability> capabilities() {
                        return sink.capabilities();
                    }

                    public List<dev.teamsconnect.core.model.PbxUser> listUsers() {
                        return sink.listUsers();
                    }

                    public PbxState readState(dev.teamsconnect.core.model.PbxUser user) {
                        return sink.readState(user);
                    }

                    public void apply(PbxChange change) {
                        sink.apply(change);
                    }

                    public dev.teamsconnect.core.spi.BatchResult<PbxState> applyAll(List<PbxChange> changes) {
                        if (failuresLeft[0]-- > 0) {
                            throw new RetryableException("503 from the PBX");
                        }
                        return sink.applyAll(changes);
                    }
                }).build();
        f.call("1");
        assertThat(engine.syncOnce().success()).isTrue();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void dryRunWritesNothingButAuditsTheChanges() {
        f.config.dryRun(true);
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        engine.syncOnce();
        assertThat(f.sink.writes).isEmpty();
        assertThat(f.store.load()).isEmpty();
        assertThat(f.kinds()).containsExactly(Kind.DRY_RUN, Kind.HOLD_STARTED);
        f.available("1");
        engine.syncOnce();
        assertThat(f.kinds()).containsExactly(Kind.DRY_RUN, Kind.HOLD_STARTED, Kind.DRY_RUN, Kind.RESTORED);
        engine.close();
        assertThat(f.sink.dnd("1")).isFalse();
    }

    @Test
    void corruptStateFileStopsStartUp() throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[{\"pbx");
        f.store = new JsonFileStateStore(file);
        f.user("1", false);
        SyncEngine engine = f.engine();
        assertThatThrownBy(engine::syncOnce).isInstanceOf(StateStoreException.class).hasMessageContaining(file.toString());
        assertThat(f.source.reads).isZero();
    }

    @Test
    void managesChatStatusWhenTheSinkCanAndRestoresIt() {
        f.sink.capabilities.add(Capability.CHAT_STATUS);
        f.user("1", false);
        f.sink.states.put("1", new PbxState(false, "Lunch"));
        SyncEngine engine = SyncEngine.builder().source(f.source).sink(f.sink).store(f.store)
                .classifier(EngineFixture.CLASSIFIER)
                .policy((u, p, c) -> c == dev.teamsconnect.core.model.PresenceCategory.IN_A_CALL
                        ? new DesiredState(true, "On a call in MS Teams", "Teams " + p.label() + " -> DND on (policy IN_A_CALL)")
                        : c == dev.teamsconnect.core.model.PresenceCategory.AWAY
                        ? new DesiredState(null, "Away in MS Teams", "Teams away -> chat status")
                        : DesiredState.userOwn("own"))
                .clock(f.clock).config(f.config.build()).listener(f.events::add).build();
        f.call("1");
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).isEqualTo(new PbxState(true, "On a call in MS Teams"));
        f.away("1");
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).isEqualTo(new PbxState(false, "Away in MS Teams"));
        f.available("1");
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).isEqualTo(new PbxState(false, "Lunch"));
        assertThat(f.store.load()).isEmpty();
    }

    /** An engine on the fixture whose policy sets DND and the text "On a call in MS Teams" for a call. */
    private SyncEngine chatInACallEngine() {
        return SyncEngine.builder().source(f.source).sink(f.sink).store(f.store)
                .classifier(EngineFixture.CLASSIFIER)
                .policy((u, p, c) -> c == dev.teamsconnect.core.model.PresenceCategory.IN_A_CALL
                        ? new DesiredState(true, "On a call in MS Teams", "call") : DesiredState.userOwn("own"))
                .clock(f.clock).config(f.config.build()).listener(f.events::add).build();
    }

    @Test
    void keepsAChatStatusTheUserSetByHandWhenTheEpisodeEnds() {
        f.sink.capabilities.add(Capability.CHAT_STATUS);
        f.user("1", false);
        f.sink.states.put("1", new PbxState(false, "Lunch"));
        SyncEngine engine = chatInACallEngine();
        f.call("1");
        engine.syncOnce();
        f.available("1");
        f.sink.states.put("1", new PbxState(true, "Back at 3"));
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).isEqualTo(new PbxState(false, "Back at 3"));
        assertThat(f.events).last().extracting(e -> e.reason()).asString()
                .contains("restored prior DND off").contains("manual chat status kept");
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void aChatTextNotRestoredWhileTheChatStatusCouldNotBeReadIsRestoredTheNextCycleNotAtTheRecheck() {
        f.sink.capabilities.add(Capability.CHAT_STATUS);
        f.sink.recheckInterval = Duration.ofSeconds(60);
        f.user("1", false).user("2", false);
        f.sink.states.put("1", new PbxState(false, "Lunch"));
        f.sink.states.put("2", new PbxState(false, "Desk 4"));
        SyncEngine engine = chatInACallEngine();
        f.call("1");
        f.call("2");
        engine.syncOnce();
        f.advance(Duration.ofSeconds(10));
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).isEqualTo(new PbxState(true, "On a call in MS Teams"));

        f.sink.chatAway = true;
        f.available("1");
        f.advance(Duration.ofSeconds(10));
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).as("DND restored, the text waits").isEqualTo(new PbxState(false, "On a call in MS Teams"));
        assertThat(f.store.load()).as("the user's own text is still remembered").hasSize(2);
        int reads = f.sink.readStatesCalls;
        f.advance(Duration.ofSeconds(10));
        engine.syncOnce();
        assertThat(f.sink.readStatesCalls).as("read again while the text is owed").isEqualTo(reads + 1);
        assertThat(f.sink.lastRead).containsExactly("1");

        f.sink.chatAway = false;
        f.advance(Duration.ofSeconds(10));
        engine.syncOnce();
        assertThat(f.sink.states.get("1")).isEqualTo(new PbxState(false, "Lunch"));
        assertThat(f.store.load()).containsOnlyKeys("2");
        // user 2's text was written before: settled as usual, not read each cycle while the chat status is away
        assertThat(f.sink.lastRead).containsExactly("1");
    }

    @Test
    void fiftyThousandUsersCostOnlyTheReadsOfThoseWhoNeedThem() {
        for (int i = 0; i < 50_000; i++) {
            f.user(String.valueOf(i), i % 7 == 0);
        }
        SyncEngine engine = f.engine();
        CycleReport first = engine.syncOnce();
        assertThat(first.matched()).isEqualTo(50_000);
        assertThat(first.stateReads()).isZero();
        for (int i = 0; i < 50_000; i += 1000) {
            f.call(String.valueOf(i));
        }
        long t0 = System.nanoTime();
        CycleReport r = engine.syncOnce();
        long wallMicros = (System.nanoTime() - t0) / 1000;
        assertThat(f.sink.lastRead).hasSize(50);
        assertThat(r.writes()).isEqualTo(50 - 8); // users 0, 7000, 14000, ... already had DND on
        assertThat(engine.snapshot().users()).hasSize(50_000);
        // a figure for the log only (speed is proved in the benchmarks module, not asserted here)
        System.out.println("50,000 users, 50 in a call: one cycle took " + wallMicros / 1000 + " ms wall time");
    }

    @Test
    void ignoresChatStatusWhenTheSinkCannot() {
        f.user("1", false);
        SyncEngine engine = SyncEngine.builder().source(f.source).sink(f.sink).store(f.store)
                .classifier(EngineFixture.CLASSIFIER)
                .policy((u, p, c) -> new DesiredState(null, "Text", "chat only"))
                .clock(f.clock).config(f.config.build()).build();
        CycleReport r = engine.syncOnce();
        assertThat(r.stateReads()).isZero();
        assertThat(f.sink.writes).isEmpty();
    }

    @Test
    void groupScopeMatchesOnlyGroupMembers() {
        f.user("1", false).user("2", false);
        f.sink.groups.put("Teams users", List.of("2"));
        SyncEngine engine = SyncEngine.builder().source(f.source).sink(f.sink).store(f.store)
                .classifier(EngineFixture.CLASSIFIER).policy(EngineFixture.POLICY).clock(f.clock)
                .config(f.config.build()).scopeGroup("Teams users").build();
        f.call("1");
        f.call("2");
        CycleReport r = engine.syncOnce();
        assertThat(r.matched()).isEqualTo(1);
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.dnd("2")).isTrue();
        assertThat(engine.mappingReport().unmatchedTeams()).extracting(u -> u.id()).containsExactly("t1");
    }

    @Test
    void userLeavingTheScopeGetsTheirStateBack() {
        f.config.userRefreshInterval(Duration.ofMinutes(5));
        f.user("1", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        f.source.users.put("t1", new dev.teamsconnect.core.model.TeamsUser("t1", null, "user1@corp.example", "t1", false));
        f.advance(Duration.ofMinutes(5));
        CycleReport r = engine.syncOnce();
        assertThat(r.usersRefreshed()).isTrue();
        assertThat(r.matched()).isZero();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void snapshotShowsUsersAndStats() {
        f.user("1", false).user("2", false);
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();
        EngineSnapshot s = engine.snapshot();
        assertThat(s.stats().cycles()).isEqualTo(1);
        assertThat(s.stats().holds()).isEqualTo(1);
        assertThat(s.stats().writes()).isEqualTo(1);
        assertThat(s.stats().lastSuccessAt()).isEqualTo(f.clock.instant());
        EngineSnapshot.UserStatus u1 = s.user("1");
        assertThat(u1.presence()).isEqualTo("Busy/InACall");
        assertThat(u1.category()).isEqualTo(dev.teamsconnect.core.model.PresenceCategory.IN_A_CALL);
        assertThat(u1.pbxDnd()).isTrue();
        assertThat(u1.hold().kind()).isEqualTo(Hold.Kind.HELD);
        assertThat(u1.lastChangeKind()).isEqualTo(Kind.HOLD_STARTED);
        assertThat(u1.lastChangeReason()).contains("IN_A_CALL");
        assertThat(s.user("2").pbxDnd()).as("not read: no need").isNull();
        assertThat(s.user("2").hold()).isNull();
    }

    @Test
    void startSchedulesCyclesAndCloseWaitsThenReleases() throws Exception {
        f.user("1", false);
        f.call("1");
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ScheduledExecutorService executor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            SyncEngine engine = SyncEngine.builder().source(f.source).sink(f.sink).store(f.store)
                    .classifier(EngineFixture.CLASSIFIER).policy(EngineFixture.POLICY).clock(f.clock)
                    .config(f.config.pollInterval(Duration.ofHours(1)).userRefreshInterval(Duration.ofHours(1)).build())
                    .executor(executor)
                    .listener(e -> {
                        if (e.kind() == Kind.HOLD_STARTED) {
                            started.countDown();
                        }
                    }).build();
            engine.start();
            engine.start();
            assertThat(started.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            engine.close();
            assertThat(f.sink.dnd("1")).isFalse();
            assertThat(f.store.load()).isEmpty();
            assertThat(executor.isShutdown()).as("a host's executor is the host's to shut down").isFalse();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void configErrorsNameTheFieldAndValue() {
        assertThatThrownBy(() -> EngineConfig.builder().pollInterval(Duration.ZERO).build())
                .isInstanceOf(ConfigException.class).hasMessage("pollInterval: must be > 0, but was PT0S");
        assertThatThrownBy(() -> EngineConfig.builder().gracePeriod(Duration.ofSeconds(-1)).build())
                .isInstanceOf(ConfigException.class).hasMessage("gracePeriod: must be >= 0, but was PT-1S");
        assertThatThrownBy(() -> EngineConfig.builder().manualDndMode(null).build())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("manualDndMode:");
        assertThatThrownBy(() -> EngineConfig.builder().userRefreshInterval(Duration.ofSeconds(1)).build())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("userRefreshInterval:");
        assertThatThrownBy(() -> SyncEngine.builder().build())
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("source:");
        EngineConfig d = EngineConfig.defaults();
        assertThat(d.manualDndMode()).isEqualTo(ManualDndMode.RESPECT);
        assertThat(d.releaseOnShutdown()).isTrue();
        assertThat(d.gracePeriod()).isZero();
        assertThat(d.debounce()).isZero();
        assertThat(d.failOpenAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.toBuilder().build()).isEqualTo(d);
    }

    @Test
    void aStopCutsTheCycleShortAtTheNextBatchAndReleasesTheHoldsMadeSoFar() throws Exception {
        for (int i = 1; i <= 6; i++) {
            f.user(String.valueOf(i), false);
        }
        f.source.batchSize = 2;
        SyncEngine engine = f.engine();
        engine.syncOnce();
        for (int i = 1; i <= 6; i++) {
            f.call(String.valueOf(i));
        }
        List<List<String>> reads = new ArrayList<>();
        Thread[] closer = new Thread[1];
        f.source.onRead = ids -> {
            reads.add(List.copyOf(ids));
            if (ids.contains("t3")) {
                // SIGTERM arrives while the second batch is read: close() waits for the cycle
                closer[0] = new Thread(engine::close, "closer");
                closer[0].start();
                while (closer[0].getState() != Thread.State.WAITING && closer[0].getState() != Thread.State.TIMED_WAITING) {
                    Thread.onSpinWait();
                }
            }
        };
        CycleReport r = engine.syncOnce();
        closer[0].join(10_000);
        assertThat(closer[0].isAlive()).isFalse();
        assertThat(reads).containsExactly(List.of("t1", "t2"), List.of("t3", "t4")); // the third batch was not read
        assertThat(r.errors()).anySatisfy(e -> assertThat(e).startsWith("stopped:"));
        for (int i = 1; i <= 6; i++) {
            assertThat(f.sink.dnd(String.valueOf(i))).as("user %d", i).isFalse();
        }
        assertThat(f.store.load()).isEmpty();
    }

    @Test
    void aCycleThatOutlivesItsDeadlineEndsAsFailedAndTheNextCycleTakesUpTheRest() {
        f.config.cycleTimeout(Duration.ofSeconds(30));
        for (int i = 1; i <= 4; i++) {
            f.user(String.valueOf(i), false);
        }
        f.source.batchSize = 2;
        SyncEngine engine = f.engine();
        engine.syncOnce();
        f.call("1");
        f.call("3");
        f.source.onRead = ids -> {
            if (ids.contains("t1")) {
                f.advance(Duration.ofSeconds(31)); // the first batch took longer than the cycle may
            }
        };
        CycleReport r = engine.syncOnce();
        assertThat(r.success()).isFalse();
        // the first batch's change came after the deadline too: it waits, with the unread second batch
        assertThat(r.errors()).anySatisfy(e -> assertThat(e).contains("cycle deadline").contains("3 user(s) not reached"));
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.dnd("3")).isFalse();
        f.source.onRead = ids -> { };
        assertThat(engine.syncOnce().success()).isTrue();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.sink.dnd("3")).isTrue();
    }

    @Test
    void rechecksWaitWhenTheChangesUsedTheWholePollInterval() {
        f.config.pollInterval(Duration.ofSeconds(2));
        f.user("1", false);
        f.user("2", false);
        f.source.batchSize = 1;
        SyncEngine engine = f.engine();
        f.call("1");
        engine.syncOnce();                                       // user 1 held and settled
        f.call("2");
        f.source.onRead = ids -> {
            if (ids.contains("t2")) {
                f.advance(Duration.ofSeconds(3));                // the changes took longer than the poll interval
            }
        };
        CycleReport r = engine.syncOnce();
        assertThat(r.writes()).isEqualTo(1);
        assertThat(r.stateReads()).isEqualTo(1);                 // user 2's change; user 1's recheck waits
        f.source.onRead = ids -> { };
        assertThat(engine.syncOnce().stateReads()).isEqualTo(2); // both re-read now (recheck interval 0)
    }

    @Test
    void releaseAllHoldsGivesHeldUsersTheirDndBackKeepsHandMadeChoicesAndEmptiesTheStore() {
        f.user("1", false);
        f.user("2", false);
        f.user("3", true);
        f.store.commit(List.of(
                new Hold("1", Hold.Kind.HELD, false, true, null, null, true, f.clock.instant()),
                new Hold("2", Hold.Kind.MANUAL, true, true, null, null, true, f.clock.instant()),
                new Hold("3", Hold.Kind.HELD, false, true, null, null, true, f.clock.instant()),
                new Hold("99", Hold.Kind.HELD, false, true, null, null, true, f.clock.instant())), List.of());
        f.sink.setByHand("1", true);                             // the engine's DND is still on
        f.sink.setByHand("2", true);                             // the user's own choice
        List<List<String>> presenceReads = new ArrayList<>();
        f.source.onRead = ids -> presenceReads.add(List.copyOf(ids));
        SyncEngine engine = f.engine();
        SyncEngine.ReleaseReport report = engine.releaseAllHolds();
        assertThat(report.holds()).isEqualTo(4);
        assertThat(report.writes()).isEqualTo(2);                // users 1 and 3 restored to off
        assertThat(report.remaining()).isZero();
        assertThat(f.sink.dnd("1")).isFalse();
        assertThat(f.sink.dnd("2")).isTrue();
        assertThat(f.sink.dnd("3")).isFalse();
        assertThat(f.store.load()).isEmpty();
        assertThat(presenceReads).isEmpty();
        engine.close();
    }

    @Test
    void aUserAddedOnBothSidesIsSyncedAtMostOneUserRefreshIntervalLater() {
        f.config.userRefreshInterval(Duration.ofMinutes(15));
        f.user("1", false);
        SyncEngine engine = f.engine();
        engine.syncOnce();
        f.user("2", false);                                      // a new colleague, in Teams and on the PBX
        f.call("2");
        f.advance(Duration.ofMinutes(14));
        engine.syncOnce();
        assertThat(f.sink.dnd("2")).as("not listed again yet").isFalse();
        f.advance(Duration.ofMinutes(1));
        engine.syncOnce();
        assertThat(f.sink.dnd("2")).isTrue();
    }

    @Test
    void aFailedUserRefreshIsTriedAgainAfterAMinuteNotEveryCycleAndTheOldListsServeMeanwhile() {
        f.config.userRefreshInterval(Duration.ofMinutes(15));
        f.user("1", false);
        SyncEngine engine = f.engine();
        engine.syncOnce();
        f.advance(Duration.ofMinutes(15));
        f.source.failListUsers = true;
        assertThat(engine.syncOnce().errors()).anySatisfy(e -> assertThat(e).startsWith("user refresh:"));
        int listings = f.source.listUsersCalls;
        f.call("1");
        f.advance(Duration.ofSeconds(10));
        CycleReport r = engine.syncOnce();
        assertThat(r.success()).as("no new listing yet, the old list serves").isTrue();
        assertThat(f.sink.dnd("1")).isTrue();
        assertThat(f.source.listUsersCalls).isEqualTo(listings);
        f.source.failListUsers = false;
        f.advance(Duration.ofMinutes(1));
        assertThat(engine.syncOnce().usersRefreshed()).isTrue();
    }
}
