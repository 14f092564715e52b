package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.DndChange;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.DndSource;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user presses the DND key on the phone during a call, after a call and during the grace period, in
 * {@code respect} and {@code teams-leads} mode; the real engine, Graph source and STARFACE sink over HTTPS.
 */
class ManualDndIntegrationTest {

    private static final Duration GRACE = Duration.ofMinutes(2);

    private Landscape l;

    @BeforeEach
    void start() {
        l = Landscape.start(2);
    }

    @AfterEach
    void stop() throws Exception {
        l.close();
    }

    /**
     * Every hand-made change is read at the next cycle here ({@code starface.recheckInterval: 0s}): these scenarios
     * are about what a noticed change means. That a settled user is re-read only every recheckInterval (so two
     * presses within it look like none) is {@code SyncEngineTest}'s subject.
     */
    private SyncEngine engine(ManualDndMode mode) {
        EngineConfig config = Landscape.config().manualDndMode(mode).gracePeriod(GRACE).build();
        return l.engine(config, new dev.teamsconnect.core.store.InMemoryStateStore(), l.source().build(),
                l.sink().recheckInterval(Duration.ZERO).build());
    }

    private void cycle(SyncEngine engine) {
        l.clock.advance(Duration.ofSeconds(10));
        engine.syncOnce();
    }

    private List<DndChange> apiWritesOfUser1() {
        int id = l.pbx.userId(Landscape.login(1));
        return l.pbx.dndChanges().stream().filter(c -> c.userId() == id && c.source() == DndSource.API).toList();
    }

    @Test
    void respectKeepsDndSwitchedOffByHandDuringACall() {
        SyncEngine engine = engine(ManualDndMode.RESPECT);
        l.inCall(1);
        cycle(engine);
        assertThat(l.dnd(1)).isTrue();

        l.pressDnd(1, false);
        cycle(engine);
        cycle(engine);
        assertThat(l.dnd(1)).as("the hand-made choice wins for the rest of the call").isFalse();

        l.available(1);
        cycle(engine);
        l.clock.advance(GRACE);
        cycle(engine);
        assertThat(l.dnd(1)).isFalse();
        assertThat(apiWritesOfUser1()).as("one write only: DND on at the start of the call").hasSize(1);
    }

    @Test
    void respectKeepsDndSwitchedOnAgainByHandDuringACallAfterTheCallEnds() {
        SyncEngine engine = engine(ManualDndMode.RESPECT);
        l.inCall(1);
        cycle(engine);
        l.pressDnd(1, false);
        cycle(engine);
        l.pressDnd(1, true); // changes their mind: wants DND, and keeps it after the call
        cycle(engine);

        l.available(1);
        cycle(engine);
        l.clock.advance(GRACE);
        cycle(engine);
        cycle(engine);
        assertThat(l.dnd(1)).as("the user's last own choice").isTrue();
    }

    @Test
    void teamsLeadsWritesDndAgainWhenSwitchedOffDuringACallAndRestoresAfterwards() {
        SyncEngine engine = engine(ManualDndMode.TEAMS_LEADS);
        l.inCall(1);
        cycle(engine);
        l.pressDnd(1, false);
        cycle(engine);
        assertThat(l.dnd(1)).as("Teams leads while the call lasts").isTrue();

        l.available(1);
        cycle(engine);
        assertThat(l.dnd(1)).as("grace period still running").isTrue();
        l.clock.advance(GRACE);
        cycle(engine);
        assertThat(l.dnd(1)).as("the user's own value before the call").isFalse();
    }

    @Test
    void dndSwitchedOnByHandAfterACallStaysInBothModes() {
        for (ManualDndMode mode : ManualDndMode.values()) {
            SyncEngine engine = engine(mode);
            l.inCall(1);
            cycle(engine);
            l.available(1);
            cycle(engine);
            l.clock.advance(GRACE);
            cycle(engine);
            assertThat(l.dnd(1)).as(mode + ": restored").isFalse();

            l.pressDnd(1, true);
            cycle(engine);
            cycle(engine);
            assertThat(l.dnd(1)).as(mode + ": a choice made after the call is the user's").isTrue();

            engine.close();
            assertThat(l.dnd(1)).as(mode + ": not touched on shutdown either").isTrue();
            l.pressDnd(1, false);
        }
    }

    @Test
    void respectKeepsDndSwitchedOffByHandDuringTheGracePeriod() {
        SyncEngine engine = engine(ManualDndMode.RESPECT);
        l.inCall(1);
        cycle(engine);
        l.available(1);
        cycle(engine);
        assertThat(l.dnd(1)).as("grace").isTrue();

        l.pressDnd(1, false);
        cycle(engine);
        assertThat(l.dnd(1)).as("not written again during grace").isFalse();
        l.clock.advance(GRACE);
        cycle(engine);
        assertThat(l.dnd(1)).isFalse();
        assertThat(apiWritesOfUser1()).hasSize(1);
    }

    @Test
    void dndSwitchedOnAgainByHandDuringTheGracePeriodIsKeptInRespectMode() {
        SyncEngine engine = engine(ManualDndMode.RESPECT);
        l.inCall(1);
        cycle(engine);
        l.available(1);
        cycle(engine);
        l.pressDnd(1, false);
        cycle(engine);
        l.pressDnd(1, true);
        cycle(engine);
        l.clock.advance(GRACE);
        cycle(engine);
        assertThat(l.dnd(1)).as("the user's last own choice survives the end of grace").isTrue();
    }

    @Test
    void teamsLeadsDuringTheGracePeriodEndsWithTheUsersOwnValue() {
        SyncEngine engine = engine(ManualDndMode.TEAMS_LEADS);
        l.inCall(1);
        cycle(engine);
        l.available(1);
        cycle(engine);
        l.pressDnd(1, false);
        cycle(engine);
        l.clock.advance(GRACE);
        cycle(engine);
        cycle(engine);
        assertThat(l.dnd(1)).isFalse();
    }

    @Test
    void aUserWhoseDndWasAlreadyOnKeepsItThroughACallInBothModes() {
        for (ManualDndMode mode : ManualDndMode.values()) {
            SyncEngine engine = engine(mode);
            l.pressDnd(2, true);
            l.inCall(2);
            cycle(engine);
            l.available(2);
            cycle(engine);
            l.clock.advance(GRACE);
            cycle(engine);
            engine.close();
            assertThat(l.dnd(2)).as(mode.toString()).isTrue();
            l.pressDnd(2, false);
        }
    }
}
