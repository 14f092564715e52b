package dev.teamsconnect.core.engine;

import static dev.teamsconnect.core.engine.EpisodeMarker.OWN_OFF;
import static dev.teamsconnect.core.engine.EpisodeMarker.OWN_ON;
import static dev.teamsconnect.core.engine.Want.OFF;
import static dev.teamsconnect.core.engine.Want.ON;
import static dev.teamsconnect.core.engine.Want.USERS_OWN;
import static dev.teamsconnect.core.engine.ManualDndMode.RESPECT;
import static dev.teamsconnect.core.engine.ManualDndMode.TEAMS_LEADS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.engine.Reconciler.ChatStep;
import dev.teamsconnect.core.engine.Reconciler.Decision;
import dev.teamsconnect.core.engine.Reconciler.DndStep;
import dev.teamsconnect.core.engine.Reconciler.Input;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent.Kind;
import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconciler's decision, one row per branch of the DND and the chat decision (and the ways they combine).
 * Each row gives the input (old hold, wanted DND and chat, actual PBX state, episode marker, manual-DND mode) and
 * the expected write, hold before and after the write, audit kind, reason, marker afterwards and the steps taken.
 */
class ReconcilerTest {

    private static final String U = "17";
    private static final Instant SINCE = Instant.parse("2026-01-05T08:00:00Z");
    private static final Instant NOW = Instant.parse("2026-01-05T09:00:00Z");
    private static final String WHY = "Teams Busy -> busy";

    static List<Row> rows() {
        return List.of(
                // ---- nothing wanted (presence wants the user's own DND) ----
                row("nothing held, nothing wanted: no decision, the PBX state is not needed")
                        .actual(null).holds(null, null).noSteps(),
                row("nothing held, nothing wanted, PBX read anyway: still nothing")
                        .actual(true, "x").holds(null, null).steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),
                row("chat-only hold, DND not wanted: the DND part stays not held")
                        .old(chatOnly(false, "own", "Busy")).actual(false, "Busy").chat("Busy")
                        .hold(chatOnly(false, "own", "Busy")).steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),
                row("manual hold, DND not wanted any more: the episode is over, DND left as the user set it")
                        .old(manual(true)).actual(false, null)
                        .hold(null).kind(Kind.RELEASED)
                        .reason("manual DND episode over, DND left as the user set it (off)")
                        .steps(DndStep.MANUAL_EPISODE_OVER, ChatStep.UNCHANGED),
                row("held, DND not wanted, PBX shows the written value: prior restored, unconfirmed until removed")
                        .old(held(false, true)).actual(true, null)
                        .write(false, null).pre(unconfirmed(held(false, true))).post(null).kind(Kind.RESTORED)
                        .reason("restored prior DND off").steps(DndStep.RESTORED, ChatStep.UNCHANGED),
                row("held, DND not wanted, PBX already shows the prior value: hold released without a write")
                        .old(held(false, true)).actual(false, null)
                        .hold(null).kind(Kind.RELEASED)
                        .reason("hold released, PBX already shows the user's own DND off")
                        .steps(DndStep.RELEASED_OWN, ChatStep.UNCHANGED),
                row("an episode marker means nothing while DND is not wanted")
                        .old(held(false, true)).actual(false, null).marker(OWN_ON)
                        .hold(null).kind(Kind.RELEASED)
                        .reason("hold released, PBX already shows the user's own DND off")
                        .steps(DndStep.RELEASED_OWN, ChatStep.UNCHANGED),

                // ---- DND wanted, not held ----
                row("not held, the user's own DND is the wanted one: never held, the episode is marked")
                        .want(ON).actual(true, null).holds(null, null).markerAfter(OWN_ON)
                        .steps(DndStep.ALREADY_OWN, ChatStep.UNCHANGED),
                row("not held, wanted off and already off: marked off")
                        .want(OFF).actual(false, null).holds(null, null).markerAfter(OWN_OFF)
                        .steps(DndStep.ALREADY_OWN, ChatStep.UNCHANGED),
                row("not held, differs from wanted: hold started, unconfirmed until the write succeeds")
                        .want(ON).actual(false, null)
                        .write(true, null).pre(unconfirmed(fresh(held(false, true)))).post(fresh(held(false, true)))
                        .kind(Kind.HOLD_STARTED).reason(WHY).steps(DndStep.HOLD_STARTED, ChatStep.UNCHANGED),
                row("marked episode, RESPECT, own DND changed by hand: manual DND kept")
                        .want(ON).actual(false, null).marker(OWN_ON)
                        .hold(fresh(manual(true))).kind(Kind.MANUAL_KEPT)
                        .reason("manual DND kept (off by hand during the episode)")
                        .steps(DndStep.MANUAL_KEPT_IN_EPISODE, ChatStep.UNCHANGED),
                row("marked episode, TEAMS_LEADS, own DND changed by hand: hold started")
                        .want(ON).actual(false, null).marker(OWN_ON).mode(TEAMS_LEADS)
                        .write(true, null).pre(unconfirmed(fresh(held(false, true)))).post(fresh(held(false, true)))
                        .kind(Kind.HOLD_STARTED).reason(WHY).steps(DndStep.HOLD_STARTED, ChatStep.UNCHANGED),
                row("a marker for the other value belongs to another episode: hold started")
                        .want(ON).actual(false, null).marker(OWN_OFF)
                        .write(true, null).pre(unconfirmed(fresh(held(false, true)))).post(fresh(held(false, true)))
                        .kind(Kind.HOLD_STARTED).reason(WHY).steps(DndStep.HOLD_STARTED, ChatStep.UNCHANGED),
                row("chat-only hold, DND wanted and differing: the DND hold joins it, keeping its start")
                        .old(chatOnly(false, "own", "Busy")).want(ON).chat("Busy").actual(false, "Busy")
                        .write(true, "Busy").pre(unconfirmed(withChat(held(false, true), "own", "Busy")))
                        .post(withChat(held(false, true), "own", "Busy"))
                        .kind(Kind.HOLD_STARTED).reason(WHY).steps(DndStep.HOLD_STARTED, ChatStep.UNCHANGED),

                // ---- DND wanted, held ----
                row("held, PBX shows the written value, now the prior value is wanted: written, the DND hold ends")
                        .old(held(false, true)).want(OFF).actual(true, null)
                        .write(false, null).pre(unconfirmed(held(false, true))).post(null).kind(Kind.HOLD_UPDATED)
                        .reason(WHY).steps(DndStep.BACK_TO_PRIOR, ChatStep.UNCHANGED),
                row("held unconfirmed, PBX shows the written value: the earlier write happened, now confirmed")
                        .old(unconfirmed(held(false, true))).want(ON).actual(true, null)
                        .hold(held(false, true)).reason("").steps(DndStep.CONFIRMED, ChatStep.UNCHANGED),
                row("held confirmed, PBX shows the written value: nothing to do")
                        .old(held(false, true)).want(ON).actual(true, null).marker(OWN_ON)
                        .hold(held(false, true)).steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),
                row("held, PBX shows the prior value which is now wanted: hold released")
                        .old(held(false, true)).want(OFF).actual(false, null)
                        .hold(null).kind(Kind.RELEASED)
                        .reason("hold released, PBX already shows the desired DND off")
                        .steps(DndStep.RELEASED_DESIRED, ChatStep.UNCHANGED),
                row("held unconfirmed, PBX still shows the prior value: the write never happened, written again")
                        .old(unconfirmed(held(false, true))).want(ON).actual(false, null)
                        .write(true, null).pre(unconfirmed(held(false, true))).post(held(false, true))
                        .kind(Kind.HOLD_STARTED).reason(WHY + " (write retried)")
                        .steps(DndStep.WRITE_RETRIED, ChatStep.UNCHANGED),
                row("held confirmed, RESPECT, changed back by hand: manual DND kept")
                        .old(held(false, true)).want(ON).actual(false, null)
                        .hold(manual(false, true)).kind(Kind.MANUAL_KEPT)
                        .reason("manual DND kept (off by hand during the hold)")
                        .steps(DndStep.MANUAL_KEPT_IN_HOLD, ChatStep.UNCHANGED),
                row("held confirmed, TEAMS_LEADS, changed back by hand: the wanted value is enforced")
                        .old(held(false, true)).want(ON).actual(false, null).mode(TEAMS_LEADS)
                        .write(true, null).pre(unconfirmed(held(false, true))).post(held(false, true))
                        .kind(Kind.ENFORCED).reason(WHY + " (manual DND off overridden: manualDnd TEAMS_LEADS)")
                        .steps(DndStep.ENFORCED, ChatStep.UNCHANGED),

                // ---- DND wanted, manual ----
                row("manual hold while DND is wanted: hands off, whatever the PBX shows")
                        .old(manual(true)).want(ON).actual(false, null).mode(TEAMS_LEADS).marker(OWN_ON)
                        .hold(manual(true)).steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),

                // ---- chat status ----
                row("chat held, not wanted any more, PBX shows the written text: prior text restored")
                        .old(chatOnly(false, "own", "Busy")).actual(false, "Busy")
                        .write(false, "own").pre(chatOnly(false, "own", "Busy")).post(null).kind(Kind.RESTORED)
                        .reason("restored prior chat status \"own\"").steps(DndStep.UNCHANGED, ChatStep.RESTORED),
                row("chat held with no prior text, restored: the text is cleared")
                        .old(chatOnly(false, null, "Busy")).actual(false, "Busy")
                        .write(false, null).pre(chatOnly(false, null, "Busy")).post(null).kind(Kind.RESTORED)
                        .reason("restored prior chat status (none)").steps(DndStep.UNCHANGED, ChatStep.RESTORED),
                row("chat held, not wanted, PBX already shows the prior text: released")
                        .old(chatOnly(false, "own", "Busy")).actual(false, "own")
                        .hold(null).kind(Kind.RELEASED).reason("chat status already the user's own")
                        .steps(DndStep.UNCHANGED, ChatStep.RELEASED),
                row("chat held, not wanted, PBX shows a third text: the hand-made text is kept")
                        .old(chatOnly(false, "own", "Busy")).actual(false, "Lunch")
                        .hold(null).kind(Kind.MANUAL_KEPT).reason("manual chat status kept")
                        .steps(DndStep.UNCHANGED, ChatStep.MANUAL_KEPT),
                row("chat not held, wanted and differing: hold started with the PBX's text as prior")
                        .chat("Busy").actual(false, "own")
                        .write(false, "Busy").hold(fresh(chatOnly(false, "own", "Busy")))
                        .kind(Kind.HOLD_STARTED).reason(WHY).steps(DndStep.UNCHANGED, ChatStep.HOLD_STARTED),
                row("chat held, a new text wanted: written, the prior text kept")
                        .old(chatOnly(false, "own", "Busy")).chat("In a call").actual(false, "Busy")
                        .write(false, "In a call").hold(chatOnly(false, "own", "In a call"))
                        .kind(Kind.HOLD_UPDATED).reason(WHY).steps(DndStep.UNCHANGED, ChatStep.HOLD_UPDATED),
                row("chat held, the user set another text during the hold: Teams leads, the user's text is restored later")
                        .old(chatOnly(false, "own", "Busy")).chat("Busy").actual(false, "Lunch")
                        .write(false, "Busy").hold(chatOnly(false, "Lunch", "Busy"))
                        .kind(Kind.HOLD_UPDATED).reason(WHY).steps(DndStep.UNCHANGED, ChatStep.HOLD_UPDATED),
                row("chat held, the PBX already shows the newly wanted text: the hold follows without a write")
                        .old(chatOnly(false, "own", "Busy")).chat("In a call").actual(false, "In a call")
                        .hold(chatOnly(false, "own", "In a call")).reason("")
                        .steps(DndStep.UNCHANGED, ChatStep.FOLLOWED),
                row("chat not held, the PBX already shows the wanted text: nothing held")
                        .chat("Busy").actual(false, "Busy").holds(null, null)
                        .steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),

                // ---- both at once ----
                row("DND and chat start together: one write, the policy's reason once")
                        .want(ON).chat("Busy").actual(false, "own")
                        .write(true, "Busy").pre(unconfirmed(fresh(withChat(held(false, true), "own", "Busy"))))
                        .post(fresh(withChat(held(false, true), "own", "Busy")))
                        .kind(Kind.HOLD_STARTED).reason(WHY).steps(DndStep.HOLD_STARTED, ChatStep.HOLD_STARTED),
                row("DND and chat restored together: both reasons, DND first")
                        .old(withChat(held(false, true), "own", "Busy")).actual(true, "Busy")
                        .write(false, "own").pre(unconfirmed(withChat(held(false, true), "own", "Busy"))).post(null)
                        .kind(Kind.RESTORED).reason("restored prior DND off; restored prior chat status \"own\"")
                        .steps(DndStep.RESTORED, ChatStep.RESTORED),
                row("enforced DND and an updated chat text: the most telling kind, both reasons")
                        .old(withChat(held(false, true), "own", "Busy")).want(ON).chat("In a call")
                        .actual(false, "Busy").mode(TEAMS_LEADS)
                        .write(true, "In a call").pre(unconfirmed(withChat(held(false, true), "own", "In a call")))
                        .post(withChat(held(false, true), "own", "In a call")).kind(Kind.ENFORCED)
                        .reason(WHY + " (manual DND off overridden: manualDnd TEAMS_LEADS); " + WHY)
                        .steps(DndStep.ENFORCED, ChatStep.HOLD_UPDATED),
                row("manual DND kept and a chat hold started: MANUAL_KEPT wins")
                        .want(ON).chat("Busy").actual(false, "own").marker(OWN_ON)
                        .write(false, "Busy").hold(fresh(withChat(manual(true), "own", "Busy")))
                        .kind(Kind.MANUAL_KEPT).reason("manual DND kept (off by hand during the episode); " + WHY)
                        .steps(DndStep.MANUAL_KEPT_IN_EPISODE, ChatStep.HOLD_STARTED),
                row("DND released and the chat text kept by hand: MANUAL_KEPT wins over RELEASED")
                        .old(withChat(held(false, true), "own", "Busy")).actual(false, "Lunch")
                        .hold(null).kind(Kind.MANUAL_KEPT)
                        .reason("hold released, PBX already shows the user's own DND off; manual chat status kept")
                        .steps(DndStep.RELEASED_OWN, ChatStep.MANUAL_KEPT),

                // ---- a chat status the sink could not read (the STARFACE bridge does not answer) ----
                row("chat unknown, call over: DND restored, the chat hold kept for when the text can be read")
                        .old(withChat(held(false, true), "own", "Busy")).actual(PbxState.chatUnknown(true))
                        .write(new PbxState(false, null, false)).pre(unconfirmed(withChat(held(false, true), "own", "Busy")))
                        .post(chatOnly(true, "own", "Busy")).kind(Kind.RESTORED).reason("restored prior DND off")
                        .steps(DndStep.RESTORED, ChatStep.DEFERRED),
                row("chat unknown, DND wanted: the DND hold starts, no chat text is written or remembered")
                        .want(ON).chat("Busy").actual(PbxState.chatUnknown(false))
                        .write(new PbxState(true, null, false)).pre(unconfirmed(fresh(held(false, true))))
                        .post(fresh(held(false, true))).kind(Kind.HOLD_STARTED).reason(WHY)
                        .steps(DndStep.HOLD_STARTED, ChatStep.DEFERRED),
                row("chat unknown, the wanted text written before: nothing owed, nothing to do")
                        .old(withChat(held(false, true), "own", "Busy")).want(ON).chat("Busy")
                        .actual(PbxState.chatUnknown(true)).marker(OWN_ON)
                        .hold(withChat(held(false, true), "own", "Busy"))
                        .steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),

                // ---- the Hold encoding ----
                row("a chat-only hold records the actual DND as prior and written")
                        .old(chatOnly(false, "own", "Busy")).chat("Busy").actual(true, "Busy")
                        .hold(chatOnly(true, "own", "Busy")).reason("")
                        .steps(DndStep.UNCHANGED, ChatStep.UNCHANGED),
                row("a record that holds neither DND nor chat is dropped")
                        .old(new Hold(U, Hold.Kind.HELD, true, true, "own", null, true, SINCE)).actual(true, null)
                        .holds(null, null).reason("").steps(DndStep.UNCHANGED, ChatStep.UNCHANGED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row r) {
        Input in = r.input();
        Decision d = Reconciler.decide(in);

        assertThat(d.write()).as("write").isEqualTo(r.write);
        assertThat(d.pre()).as("pre").isEqualTo(r.pre);
        assertThat(d.post()).as("post").isEqualTo(r.post);
        assertThat(d.kind()).as("kind").isEqualTo(r.kind);
        assertThat(d.reason()).as("reason").isEqualTo(r.reason);
        assertThat(d.marker()).as("marker").isEqualTo(r.markerAfter);
        if (r.dndStep != null) {
            assertThat(Reconciler.decideDnd(in).step()).as("DND step").isEqualTo(r.dndStep);
            assertThat(Reconciler.decideChat(in).step()).as("chat step").isEqualTo(r.chatStep);
            assertThat(d.chatDeferred()).as("chat deferred").isEqualTo(r.chatStep == ChatStep.DEFERRED);
        }
    }

    @Test
    void everyStepHasARow() {
        Set<DndStep> dnd = rows().stream().map(r -> r.dndStep).filter(s -> s != null).collect(Collectors.toSet());
        Set<ChatStep> chat = rows().stream().map(r -> r.chatStep).filter(s -> s != null).collect(Collectors.toSet());
        assertThat(dnd).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(DndStep.class));
        assertThat(chat).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(ChatStep.class));
    }

    @Test
    void nothingDecidedWithoutAnActualStateWhenSomethingIsHeldOrWanted() {
        Input in = new Input(U, null, ON, null, null, EpisodeMarker.NONE, RESPECT, NOW, WHY);
        assertThatThrownBy(() -> Reconciler.decide(in)).isInstanceOf(NullPointerException.class)
                .hasMessage("actual");
    }

    @Test
    void theEnginesFormsConvert() {
        assertThat(Want.of((Boolean) null)).isEqualTo(USERS_OWN);
        assertThat(Want.of(Boolean.TRUE)).isEqualTo(ON);
        assertThat(Want.of(false)).isEqualTo(OFF);
        assertThatThrownBy(USERS_OWN::dnd).isInstanceOf(IllegalStateException.class);
        for (Boolean b : new Boolean[] {null, true, false}) {
            assertThat(EpisodeMarker.of(b).ownDnd()).isEqualTo(b);
        }
        assertThat(OWN_ON.matches(ON)).isTrue();
        assertThat(OWN_ON.matches(OFF)).isFalse();
        assertThat(OWN_OFF.matches(USERS_OWN)).isFalse();
        assertThat(EpisodeMarker.NONE.matches(ON)).isFalse();
    }

    // ---- holds ----

    private static Hold held(boolean prior, boolean written) {
        return new Hold(U, Hold.Kind.HELD, prior, written, null, null, true, SINCE);
    }

    private static Hold manual(boolean dnd) {
        return manual(dnd, dnd);
    }

    private static Hold manual(boolean prior, boolean written) {
        return new Hold(U, Hold.Kind.MANUAL, prior, written, null, null, true, SINCE);
    }

    private static Hold chatOnly(boolean actualDnd, String prior, String written) {
        return new Hold(U, Hold.Kind.HELD, actualDnd, actualDnd, prior, written, true, SINCE);
    }

    private static Hold withChat(Hold h, String prior, String written) {
        return new Hold(h.pbxUserId(), h.kind(), h.priorDnd(), h.writtenDnd(), prior, written, h.confirmed(), h.since());
    }

    private static Hold unconfirmed(Hold h) {
        return new Hold(h.pbxUserId(), h.kind(), h.priorDnd(), h.writtenDnd(), h.priorChatStatus(),
                h.writtenChatStatus(), false, h.since());
    }

    /** A hold that begins with this decision. */
    private static Hold fresh(Hold h) {
        return new Hold(h.pbxUserId(), h.kind(), h.priorDnd(), h.writtenDnd(), h.priorChatStatus(),
                h.writtenChatStatus(), h.confirmed(), NOW);
    }

    // ---- rows ----

    private static Row row(String name) {
        return new Row(name);
    }

    /** One row of the table: the input with defaults (nothing held or wanted, RESPECT), then what is expected. */
    static final class Row {
        final String name;
        Hold old;
        Want want = USERS_OWN;
        String wantChat;
        PbxState actual;
        EpisodeMarker marker = EpisodeMarker.NONE;
        ManualDndMode mode = RESPECT;

        PbxState write;
        Hold pre;
        Hold post;
        Kind kind;
        String reason;
        EpisodeMarker markerAfter = EpisodeMarker.NONE;
        DndStep dndStep;
        ChatStep chatStep;

        Row(String name) {
            this.name = name;
        }

        Input input() {
            return new Input(U, old, want, wantChat, actual, marker, mode, NOW, WHY);
        }

        Row old(Hold h) {
            old = h;
            return this;
        }

        Row want(Want w) {
            want = w;
            return this;
        }

        Row chat(String text) {
            wantChat = text;
            return this;
        }

        Row actual(boolean dnd, String chat) {
            actual = new PbxState(dnd, chat);
            return this;
        }

        Row actual(PbxState state) {
            actual = state;
            return this;
        }

        Row marker(EpisodeMarker m) {
            marker = m;
            return this;
        }

        Row mode(ManualDndMode m) {
            mode = m;
            return this;
        }

        Row write(boolean dnd, String chat) {
            write = new PbxState(dnd, chat);
            return this;
        }

        Row write(PbxState state) {
            write = state;
            return this;
        }

        Row pre(Hold h) {
            pre = h;
            return this;
        }

        Row post(Hold h) {
            post = h;
            return this;
        }

        /** The same hold before and after (no write, or a write that does not change the hold). */
        Row hold(Hold h) {
            return holds(h, h);
        }

        Row holds(Hold before, Hold after) {
            pre = before;
            post = after;
            return this;
        }

        Row kind(Kind k) {
            kind = k;
            return this;
        }

        Row reason(String r) {
            reason = r;
            return this;
        }

        Row markerAfter(EpisodeMarker m) {
            markerAfter = m;
            return this;
        }

        Row steps(DndStep dnd, ChatStep chat) {
            dndStep = dnd;
            chatStep = chat;
            return this;
        }

        /** For the early return: neither decision runs. */
        Row noSteps() {
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
