package dev.teamsconnect.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A second presence sync on the same PBX is noticed from the DND changes the engine did not make; the hand-made
 * changes of the manual-DND scenarios are not taken for one.
 */
class SecondSyncDetectionTest {

    private static EngineSnapshot.SecondSync secondSync(SyncEngine engine) {
        return engine.snapshot().stats().secondSync();
    }

    @Test
    void aSecondSyncThatSwitchesDndOffWhenCallsEndBeforeTheEngineRestoresIsSuspected() {
        EngineFixture f = new EngineFixture().user("1", false).user("2", false).user("3", false);
        try (SyncEngine engine = f.engine()) {
            for (String n : new String[] {"1", "2", "3"}) {
                f.call(n);
            }
            engine.syncOnce();
            assertThat(f.sink.dnd("1")).isTrue();
            for (String n : new String[] {"1", "2", "3"}) {
                f.available(n);
                f.sink.setByHand(n, false); // the other sync, faster than the engine's next cycle
                f.advance(Duration.ofSeconds(20));
                engine.syncOnce();
            }
            EngineSnapshot.SecondSync s = secondSync(engine);
            assertThat(s.foreignChanges()).isEqualTo(3);
            assertThat(s.inStep()).isEqualTo(3);
            assertThat(s.suspectedAt()).isEqualTo(f.clock.instant());
            assertThat(s.hint()).contains("3 users").contains("switch off STARFACE's own Microsoft Presence Sync");
            assertThat(s.suspectedWithin(Duration.ofHours(1), f.clock.instant())).isTrue();
        }
    }

    @Test
    void twoUsersInStepAreNotYetASign() {
        EngineFixture f = new EngineFixture().user("1", false).user("2", false);
        try (SyncEngine engine = f.engine()) {
            f.call("1");
            f.call("2");
            engine.syncOnce();
            f.available("1");
            f.available("2");
            f.sink.setByHand("1", false);
            f.sink.setByHand("2", false);
            engine.syncOnce();
            assertThat(secondSync(engine).inStep()).isEqualTo(2);
            assertThat(secondSync(engine).suspectedAt()).isNull();
        }
    }

    @Test
    void usersWhoPressTheDndKeyDuringTheirCallsAreNotTakenForASecondSync() {
        EngineFixture f = new EngineFixture().user("1", false).user("2", false).user("3", false)
                .user("4", true);
        try (SyncEngine engine = f.engine()) {
            for (String n : new String[] {"1", "2", "3", "4"}) {
                f.call(n);
            }
            engine.syncOnce();
            // three users take DND off by hand to take calls while still in their Teams calls
            for (String n : new String[] {"1", "2", "3"}) {
                f.sink.setByHand(n, false);
                f.advance(Duration.ofSeconds(10));
                engine.syncOnce();
            }
            f.available("4");
            engine.syncOnce();
            EngineSnapshot.SecondSync s = secondSync(engine);
            assertThat(s.foreignChanges()).isEqualTo(3);
            assertThat(s.inStep()).isZero();
            assertThat(s.suspectedAt()).isNull();
            assertThat(f.sink.dnd("1")).isFalse(); // and their choice is kept
        }
    }

    @Test
    void aUserWhoSetsDndBeforeACallAndEndsItAfterwardsIsNotASign() {
        EngineFixture f = new EngineFixture().user("1", false);
        try (SyncEngine engine = f.engine()) {
            f.call("1"); // an earlier call: the engine wrote DND on and restored it off
            engine.syncOnce();
            f.available("1");
            engine.syncOnce();
            assertThat(f.sink.dnd("1")).isFalse();
            f.sink.setByHand("1", true);
            f.advance(Duration.ofMinutes(30));
            f.call("1");
            engine.syncOnce();
            f.available("1");
            engine.syncOnce();
            f.sink.setByHand("1", false);
            engine.syncOnce();
            EngineSnapshot.SecondSync s = secondSync(engine);
            assertThat(s.foreignChanges()).isEqualTo(1); // on by hand 30 minutes before the call: not in step
            assertThat(s.inStep()).isZero();
            assertThat(s.suspectedAt()).isNull();
        }
    }

    @Test
    void aSecondSyncTakingTurnsWithTeamsLeadsOnOneUserIsSuspected() {
        EngineFixture f = new EngineFixture().user("1", false);
        f.config.manualDndMode(ManualDndMode.TEAMS_LEADS);
        try (SyncEngine engine = f.engine()) {
            f.call("1");
            engine.syncOnce();
            for (int i = 0; i < 3; i++) {
                f.sink.setByHand("1", false); // the other sync switches it off, TEAMS_LEADS switches it on again
                f.advance(Duration.ofMinutes(5));
                engine.syncOnce();
                assertThat(f.sink.dnd("1")).isTrue();
            }
            EngineSnapshot.SecondSync s = secondSync(engine);
            assertThat(s.foreignChanges()).isEqualTo(3);
            assertThat(s.suspectedAt()).isNotNull();
            assertThat(s.hint()).contains("3 times within 60 minutes");
        }
    }
}
