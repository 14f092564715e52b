package dev.teamsconnect.service.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditEvent.Kind;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.SignInPrompt;
import dev.teamsconnect.testkit.ManualClock;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusBoardTest {

    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00Z");
    private final StatusBoard board = new StatusBoard("graph", "starface");

    private AuditEvent event(Kind kind, boolean from, boolean to, String reason) {
        return new AuditEvent(T0, kind, "42", "Anna", PresenceCategory.IN_A_CALL, PbxState.dnd(from), PbxState.dnd(to), reason);
    }

    private static Hold hold(Hold.Kind kind, boolean prior) {
        return new Hold("42", kind, prior, !prior, null, null, true, T0);
    }

    @Test
    void holdsComeFromTheStateStoreNotFromTheAuditTrail() {
        board.onEvent(event(Kind.HOLD_STARTED, false, true, "call"));
        assertThat(board.users().get(0).held()).as("an event alone is no hold: the store has not committed it").isFalse();

        board.holdsCommitted(List.of(hold(Hold.Kind.HELD, false)), List.of());
        assertThat(board.users().get(0).held()).isTrue();
        assertThat(board.users().get(0).holdKind()).isEqualTo("held");
        assertThat(board.users().get(0).dndReason()).isEqualTo(DndReason.TEAMSCONNECT);
        assertThat(board.holds()).isEqualTo(1);

        board.onEvent(event(Kind.RESTORED, true, false, "restored prior DND off"));
        board.holdsCommitted(List.of(), List.of("42"));

        UserStatus anna = board.users().get(0);
        assertThat(anna.held()).isFalse();
        assertThat(anna.lastReason()).isEqualTo("restored prior DND off");
        assertThat(board.holds()).isZero();
    }

    @Test
    void loadedHoldsReplaceWhatWasShownAndKeepUsersTheEngineDoesNotDriveYet() {
        board.holdsCommitted(List.of(new Hold("7", Hold.Kind.HELD, false, true, null, null, true, T0)), List.of());

        board.holdsLoaded(Map.of("42", hold(Hold.Kind.MANUAL, true)));
        assertThat(board.users()).filteredOn(u -> u.pbxUserId().equals("7")).extracting(UserStatus::held).containsExactly(false);
        board.remove("42");
        board.remove("7");

        assertThat(board.users()).extracting(UserStatus::pbxUserId).containsExactly("42");
        UserStatus anna = board.users().get(0);
        assertThat(anna.held()).isTrue();
        assertThat(anna.holdKind()).isEqualTo("manual");
        assertThat(anna.dndReason()).isEqualTo(DndReason.MANUAL);
        assertThat(board.holdsKnown()).isTrue();
    }

    @Test
    void thePbxDndIsWhatTheSinkReadOrWroteAndNotReadYetOtherwise() {
        board.user("42", "1001", "anna@example.com", "Anna");
        assertThat(board.users().get(0).pbxDnd()).isNull();
        assertThat(board.users().get(0).dndReason()).isEqualTo(DndReason.NOT_READ_YET);

        board.onEvent(event(Kind.DRY_RUN, false, true, "would set DND on"));
        board.onEvent(event(Kind.FAILED, false, true, "write failed: 503"));
        assertThat(board.users().get(0).pbxDnd()).as("neither a dry run nor a failure writes").isNull();
        assertThat(board.users().get(0).problem()).isEqualTo("write failed: 503");

        board.pbxRead("42", true, T0.plusSeconds(5));
        UserStatus anna = board.users().get(0);
        assertThat(anna.pbxDnd()).isTrue();
        assertThat(anna.pbxDndAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(anna.pbxDndWritten()).isFalse();
        assertThat(anna.dndReason()).isEqualTo(DndReason.OWN);
        assertThat(anna.dndReasonText()).contains("own setting (DND on)");

        board.pbxWritten("42", false, T0.plusSeconds(6));
        assertThat(board.users().get(0).pbxDndWritten()).isTrue();
    }

    @Test
    void aSignInPromptShowsUntilTheSourceSignsInOrItExpires() {
        ManualClock clock = new ManualClock(T0);
        StatusBoard b = new StatusBoard("graph", "starface", clock);
        b.signInPrompt(new SignInPrompt("open it", "ABC-123", "https://microsoft.com/devicelogin", T0.plusSeconds(900)));
        assertThat(b.signInPrompt()).map(SignInPrompt::userCode).hasValue("ABC-123");

        clock.advance(Duration.ofSeconds(900));
        assertThat(b.signInPrompt()).isEmpty();

        StatusBoard c = new StatusBoard("graph", "starface", new ManualClock(T0));
        c.signInPrompt(new SignInPrompt("open it", "ABC-123", "https://microsoft.com/devicelogin", T0.plusSeconds(900)));
        c.signIn(StatusBoard.Side.SOURCE, SignInState.SIGNED_IN, null, T0);
        assertThat(c.signInPrompt()).isEmpty();
    }

    @Test
    void cyclesKeepTheTimeFromTheCycleStartToItsLastWrite() {
        board.pbxWritten("42", true, T0.plusMillis(700));
        board.cycle(new CycleReport(1, T0, Duration.ofMillis(900), 1, 1, 1, 1, 0, 1, 1, 0, 1, true, List.of()));
        board.cycle(new CycleReport(2, T0.plusSeconds(5), Duration.ofMillis(300), 1, 1, 1, 1, 0, 0, 0, 0, 1, false, List.of()));

        assertThat(board.cycles()).extracting(StatusBoard.CyclePoint::toPbx)
                .containsExactly(Duration.ofMillis(700), null);
        assertThat(board.lastReport().cycle()).isEqualTo(2);
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
