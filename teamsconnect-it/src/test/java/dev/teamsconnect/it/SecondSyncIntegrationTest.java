package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.store.InMemoryStateStore;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A second presence sync on the same STARFACE, played on the emulator the way STARFACE's own Microsoft Presence Sync
 * behaves (shared/reference/starface-api.md: Busy/InACall -> DND on, Available -> DND off, no memory of the user's
 * own DND), is noticed; the hand-made changes of the manual-DND scenarios are not taken for one. The real engine,
 * Graph source and STARFACE sink over HTTPS.
 */
class SecondSyncIntegrationTest {

    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final int USERS = 3;

    private Landscape l;

    @BeforeEach
    void start() {
        l = Landscape.start(USERS);
    }

    @AfterEach
    void stop() throws Exception {
        l.close();
    }

    private SyncEngine engine(ManualDndMode mode) {
        EngineConfig config = Landscape.config().manualDndMode(mode).gracePeriod(GRACE).build();
        return l.engine(config, new InMemoryStateStore(), l.source().build(), l.sink().recheckInterval(Duration.ZERO)
                .build());
    }

    private void cycle(SyncEngine engine) {
        l.clock.advance(Duration.ofSeconds(10));
        engine.syncOnce();
    }

    private static EngineSnapshot.SecondSync secondSync(SyncEngine engine) {
        return engine.snapshot().stats().secondSync();
    }

    @Test
    void starfacesOwnPresenceSyncSwitchingDndOffWhenCallsEndIsNoticed() {
        SyncEngine engine = engine(ManualDndMode.RESPECT);
        for (int i = 1; i <= USERS; i++) {
            l.inCall(i);
        }
        cycle(engine);
        for (int i = 1; i <= USERS; i++) {
            assertThat(l.dnd(i)).isTrue();
        }
        for (int i = 1; i <= USERS; i++) {
            l.available(i);
            l.pressDnd(i, false); // the other sync, 10 s after Teams shows Available: DND off, no memory
        }
        cycle(engine);
        cycle(engine);

        EngineSnapshot.SecondSync s = secondSync(engine);
        assertThat(s.inStep()).isEqualTo(USERS);
        assertThat(s.suspectedAt()).isNotNull();
        assertThat(s.hint()).contains("switch off STARFACE's own Microsoft Presence Sync");
    }

    @Test
    void usersPressingTheDndKeyDuringTheirCallsAreNotTakenForASecondSync() {
        SyncEngine engine = engine(ManualDndMode.RESPECT);
        for (int i = 1; i <= USERS; i++) {
            l.inCall(i);
        }
        cycle(engine);
        for (int i = 1; i <= USERS; i++) {
            l.pressDnd(i, false); // each takes DND off to take calls during their Teams call
            cycle(engine);
        }
        l.pressDnd(1, true); // and one changes their mind
        cycle(engine);
        for (int i = 1; i <= USERS; i++) {
            l.available(i);
        }
        cycle(engine);
        l.clock.advance(GRACE);
        cycle(engine);

        EngineSnapshot.SecondSync s = secondSync(engine);
        assertThat(s.foreignChanges()).as("the engine saw the hand-made changes").isEqualTo(USERS + 1);
        assertThat(s.inStep()).isZero();
        assertThat(s.suspectedAt()).isNull();
        assertThat(l.dnd(1)).as("the user's own last choice is kept").isTrue();
    }
}
