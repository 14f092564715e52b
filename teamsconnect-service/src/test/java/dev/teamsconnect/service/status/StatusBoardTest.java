package dev.teamsconnect.service.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditEvent.Kind;
import dev.teamsconnect.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusBoardTest {

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");
    private final StatusBoard board = new StatusBoard("graph", "starface");

    private AuditEvent event(Kind kind, boolean from, boolean to, String reason) {
        return new AuditEvent(T0, kind, "42", "Anna", PresenceCategory.IN_A_CALL, PbxState.dnd(from), PbxState.dnd(to), reason);
    }

    @Test
    void holdStartsAndEndsWithTheAuditTrail() {
        board.onEvent(event(Kind.HOLD_STARTED, false, true, "call"));
        assertThat(board.users().get(0).held()).isTrue();
        assertThat(board.users().get(0).pbxDnd()).isTrue();
        assertThat(board.holds()).isEqualTo(1);

        board.onEvent(event(Kind.RESTORED, true, false, "restored prior DND off"));

        UserStatus anna = board.users().get(0);
        assertThat(anna.held()).isFalse();
        assertThat(anna.pbxDnd()).isFalse();
        assertThat(anna.lastReason()).isEqualTo("restored prior DND off");
        assertThat(board.holds()).isZero();
    }

    @Test
    void dryRunAndFailuresDoNotChangeTheShownPbxState() {
        board.pbxDnd("42", false);

        board.onEvent(event(Kind.DRY_RUN, false, true, "would set DND on"));
        board.onEvent(event(Kind.FAILED, false, true, "write failed: 503"));

        UserStatus anna = board.users().get(0);
        assertThat(anna.pbxDnd()).isFalse();
        assertThat(anna.held()).isFalse();
        assertThat(anna.lastReason()).isEqualTo("write failed: 503");
    }

    @Test
    void manualDndEndsTheHoldButKeepsTheUsersValue() {
        board.onEvent(event(Kind.HOLD_STARTED, false, true, "call"));
        board.pbxDnd("42", true);

        board.onEvent(new AuditEvent(T0, Kind.MANUAL_KEPT, "42", "Anna", PresenceCategory.IN_A_CALL, null, null, "manual DND kept"));

        assertThat(board.users().get(0).held()).isFalse();
        assertThat(board.users().get(0).pbxDnd()).isTrue();
    }

    @Test
    void ignoresEngineWideEventsAndSortsUsersByTeamsName() {
        board.onEvent(new AuditEvent(T0, Kind.SKIPPED, null, null, null, null, null, "cycle skipped"));
        board.user("2", "1002", "zoe@example.com", "Zoe");
        board.user("1", "1001", "adam@example.com", "Adam");
        board.user("3", "1003", null, "Unmatched");

        assertThat(board.users()).extracting(UserStatus::pbxUserId).containsExactly("1", "2", "3");
    }

    @Test
    void progressKeepsTheLatestTimeAndAFinishedCycleIsProgressWhenItIsReported() {
        ManualClock clock = new ManualClock(T0);
        StatusBoard b = new StatusBoard("graph", "starface", clock);
        assertThat(b.lastProgress()).isNull();

        b.progress(T0.plusSeconds(10));
        b.progress(T0.plusSeconds(5));                     // late report of an earlier batch
        assertThat(b.lastProgress()).isEqualTo(T0.plusSeconds(10));
        assertThat(b.health().lastProgress()).isEqualTo(T0.plusSeconds(10));

        clock.set(T0.plusSeconds(90));
        b.cycleFinished(T0.plusSeconds(20), false);        // a cycle that started at +20 s ended now
        assertThat(b.lastProgress()).isEqualTo(T0.plusSeconds(90));
        assertThat(b.health().lastCycle()).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void startingTheLoopStartsTheWaitForProgressAtTheClocksTime() {
        ManualClock clock = new ManualClock(T0);
        StatusBoard b = new StatusBoard("graph", "starface", clock);
        assertThat(b.health().runningSince()).isNull();

        b.running(true);
        clock.advance(Duration.ofMinutes(1));
        b.running(true);                                     // still the same run

        assertThat(b.health().runningSince()).isEqualTo(T0);
        assertThat(b.health().lastSignOfProgress()).isEqualTo(T0);
        b.running(false);
        b.running(true);
        assertThat(b.health().runningSince()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void eachDecisionCountsAsProgress() {
        board.onEvent(new AuditEvent(T0.plusSeconds(7), Kind.HOLD_STARTED, "42", "Anna", PresenceCategory.IN_A_CALL,
                PbxState.dnd(false), PbxState.dnd(true), "call"));
        assertThat(board.lastProgress()).isEqualTo(T0.plusSeconds(7));

        board.onEvent(new AuditEvent(T0.plusSeconds(9), Kind.SKIPPED, null, null, null, null, null, "cycle skipped"));
        assertThat(board.lastProgress()).isEqualTo(T0.plusSeconds(9));
    }
}
