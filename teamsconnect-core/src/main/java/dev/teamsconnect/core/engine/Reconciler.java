package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.engine.HoldParts.ChatHold;
import dev.teamsconnect.core.engine.HoldParts.DndHold;
import dev.teamsconnect.core.engine.HoldParts.DndKind;
import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The decision for one user: pure, no I/O. Given the desired state, the actual PBX state and the user's hold,
 * it says what to write and what the hold must be before the write (write-ahead) and after it succeeded.
 *
 * <p>DND and chat status are decided apart ({@link #decideDnd}, {@link #decideChat}); each says which
 * {@link DndStep} or {@link ChatStep} it took, and the audit kind and the reason text follow from the steps.
 *
 * <ul>
 *   <li>DND is {@link DndKind#NONE not held}, {@link DndKind#HELD held} (the engine wrote it and must restore the
 *       prior value) or {@link DndKind#MANUAL manual} (the user took DND over by hand during this episode; hands off
 *       until the desired DND becomes the user's own again).</li>
 *   <li>Chat status follows Teams while a category wants a text (as the reference product does); at the end the
 *       prior text is restored only if the PBX still shows the engine's text.</li>
 * </ul>
 * How one {@link Hold} record carries both (the record is shared with the SPI and the state file and stays as it
 * is) is known only to {@link HoldParts}.
 */
final class Reconciler {



    /**
     * What to decide for one user.
     *
     * @param pbxUserId     the PBX user's id
     * @param old           the user's hold, or null
     * @param wantDnd       the desired DND (already filtered by sink capability)
     * @param wantChat      the desired chat status text (already filtered), null = the user's own
     * @param actual        the PBX state just read; may be null only when nothing is held and nothing is wanted
     * @param marker        the in-memory episode marker
     * @param mode          what a hand-made DND change means
     * @param now           the time of this decision (the start of a new hold)
     * @param desiredReason the policy's reason for the desired state
     */
    record Input(String pbxUserId, Hold old, Want wantDnd, String wantChat, PbxState actual, EpisodeMarker marker,
                 ManualDndMode mode, Instant now, String desiredReason) {
        Input {
            Objects.requireNonNull(pbxUserId, "pbxUserId");
            Objects.requireNonNull(wantDnd, "wantDnd");
            Objects.requireNonNull(marker, "marker");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(now, "now");
        }

        boolean nothingHeldOrWanted() {
            return old == null && wantDnd.isUsersOwn() && wantChat == null;
        }
    }

    /**
     * @param pre    the hold to store before the write (or the final hold when there is no write); null = none
     * @param post   the hold to store once the write succeeded; null = none
     * @param write  the state to write, or null for no write
     * @param kind   the audit kind, or null when nothing happened worth an event
     * @param reason why
     * @param marker the in-memory episode marker to keep for the next decision
     * @param chatDeferred whether a chat text is owed that could not be decided because the sink could not read the
     *                     chat status ({@link ChatStep#DEFERRED}): the user is read again next cycle, not at the recheck
     */
    record Decision(Hold pre, Hold post, PbxState write, AuditEvent.Kind kind, String reason, EpisodeMarker marker,
                    boolean chatDeferred) {
        boolean isNothing() {
            return write == null && kind == null;
        }
    }


    /** What the DND decision did. */
    enum DndStep {
        /** Nothing to do (nothing held or wanted, the PBX shows what is held, or a manual DND while DND is wanted). */
        UNCHANGED(null),
        /** Not held and the user's own DND is the wanted one: never held, the episode is marked. */
        ALREADY_OWN(null),
        /** Held, the PBX shows the written value and the hold was unconfirmed: the earlier write did happen. */
        CONFIRMED(null),
        MANUAL_EPISODE_OVER(AuditEvent.Kind.RELEASED),
        RESTORED(AuditEvent.Kind.RESTORED),
        RELEASED_OWN(AuditEvent.Kind.RELEASED),
        MANUAL_KEPT_IN_EPISODE(AuditEvent.Kind.MANUAL_KEPT),
        HOLD_STARTED(AuditEvent.Kind.HOLD_STARTED),
        /** Held, and the wanted value is now the user's prior one: it is written and the DND hold ends. */
        BACK_TO_PRIOR(AuditEvent.Kind.HOLD_UPDATED),
        RELEASED_DESIRED(AuditEvent.Kind.RELEASED),
        WRITE_RETRIED(AuditEvent.Kind.HOLD_STARTED),
        MANUAL_KEPT_IN_HOLD(AuditEvent.Kind.MANUAL_KEPT),
        ENFORCED(AuditEvent.Kind.ENFORCED);

        final AuditEvent.Kind kind;

        DndStep(AuditEvent.Kind kind) {
            this.kind = kind;
        }
    }

    /** What the chat decision did. */
    enum ChatStep {
        UNCHANGED(null),
        /**
         * The sink could not read the chat status (the STARFACE bridge is away) while a text is owed: the call's text
         * is not written yet, or the user's own is still to be restored. Nothing is decided until it can be read.
         */
        DEFERRED(null),
        /** Held, and the PBX already shows the newly wanted text: the hold follows it without a write. */
        FOLLOWED(null),
        RESTORED(AuditEvent.Kind.RESTORED),
        RELEASED(AuditEvent.Kind.RELEASED),
        MANUAL_KEPT(AuditEvent.Kind.MANUAL_KEPT),
        HOLD_STARTED(AuditEvent.Kind.HOLD_STARTED),
        HOLD_UPDATED(AuditEvent.Kind.HOLD_UPDATED);

        final AuditEvent.Kind kind;

        ChatStep(AuditEvent.Kind kind) {
            this.kind = kind;
        }
    }

    /**
     * The DND decision.
     *
     * @param pre         the DND part of the hold before the write
     * @param post        the DND part of the hold after the write
     * @param writes      whether DND is written
     * @param writeValue  the value written (only when {@code writes})
     * @param preConfirmed whether the hold before the write is confirmed
     * @param marker      the episode marker afterwards
     */
    record DndDecision(DndStep step, DndHold pre, DndHold post, boolean writes, boolean writeValue,
                       boolean preConfirmed, EpisodeMarker marker) {
    }

    /**
     * The chat decision.
     *
     * @param writes     whether the chat status is written
     * @param writeValue the text written (only when {@code writes}; null clears it)
     */
    record ChatDecision(ChatStep step, ChatHold pre, ChatHold post, boolean writes, String writeValue) {
    }

    private Reconciler() {
    }

    /** The whole decision for one user: the DND and the chat decision, and the holds and write they make. */
    static Decision decide(Input in) {
        if (in.nothingHeldOrWanted()) {
            return new Decision(null, null, null, null, null, EpisodeMarker.NONE, false);
        }
        Objects.requireNonNull(in.actual(), "actual");
        DndDecision dnd = decideDnd(in);
        ChatDecision chat = decideChat(in);
        PbxState actual = in.actual();
        Hold old = in.old();

        PbxState write = null;
        if (dnd.writes() || chat.writes()) {
            write = new PbxState(dnd.writes() ? dnd.writeValue() : actual.dnd(),
                    chat.writes() ? chat.writeValue() : actual.chatStatus(), chat.writes() || actual.chatKnown());
        }
        Instant since = old == null ? in.now() : old.since();
        Hold pre = HoldParts.toHold(in.pbxUserId(), dnd.pre(), chat.pre(), dnd.preConfirmed(), since, actual.dnd());
        Hold post = write == null ? pre
                : HoldParts.toHold(in.pbxUserId(), dnd.post(), chat.post(), true, since, actual.dnd());
        boolean chatDeferred = chat.step() == ChatStep.DEFERRED;
        if (write == null && Objects.equals(pre, old)) {
            return new Decision(old, old, null, null, null, dnd.marker(), chatDeferred);
        }
        return new Decision(pre, post, write, max(dnd.step().kind, chat.step().kind), reason(in, dnd, chat),
                dnd.marker(), chatDeferred);
    }

    /** The DND part of the decision; {@code in.actual()} must not be null. */
    static DndDecision decideDnd(Input in) {
        Hold old = in.old();
        boolean actual = in.actual().dnd();
        Want want = in.wantDnd();
        DndHold cur = HoldParts.dndOf(old, actual);
        boolean confirmed = old == null || old.confirmed();
        EpisodeMarker marker = in.marker().matches(want) ? in.marker() : EpisodeMarker.NONE;

        if (want.isUsersOwn()) {
            return switch (cur.kind()) {
                case NONE -> keep(DndStep.UNCHANGED, cur, confirmed, marker);
                case MANUAL -> keep(DndStep.MANUAL_EPISODE_OVER, cur.as(DndKind.NONE), confirmed, marker);
                case HELD -> actual == cur.written()
                        // unconfirmed until the hold is removed: if that removal is lost, the PBX showing prior is
                        // the engine's own restore, not a hand-made change (see WRITE_RETRIED)
                        ? write(DndStep.RESTORED, cur, cur.as(DndKind.NONE), cur.prior(), marker)
                        // actual == prior (a boolean has no third value): nothing to restore
                        : keep(DndStep.RELEASED_OWN, cur.as(DndKind.NONE), confirmed, marker);
            };
        }
        boolean w = want.dnd();
        return switch (cur.kind()) {
            case NONE -> startEpisode(in, cur, w, confirmed, marker);
            case HELD -> keepHolding(in, cur, w, confirmed);
            case MANUAL -> keep(DndStep.UNCHANGED, cur, confirmed, EpisodeMarker.NONE); // DND wanted: hands off
        };
    }

    /** DND {@code w} is wanted and not held. */
    private static DndDecision startEpisode(Input in, DndHold cur, boolean w, boolean confirmed,
                                            EpisodeMarker marker) {
        boolean actual = in.actual().dnd();
        if (actual == w) {
            return keep(DndStep.ALREADY_OWN, cur, confirmed, EpisodeMarker.own(w));
        }
        if (in.mode() == ManualDndMode.RESPECT && marker != EpisodeMarker.NONE) {
            // the episode began with the user's own DND == desired, and now it differs: changed by hand
            return keep(DndStep.MANUAL_KEPT_IN_EPISODE, new DndHold(DndKind.MANUAL, w, w), confirmed,
                    EpisodeMarker.NONE);
        }
        DndHold held = new DndHold(DndKind.HELD, actual, w);
        return write(DndStep.HOLD_STARTED, held, held, w, EpisodeMarker.NONE);
    }

    /** DND {@code w} is wanted and held. */
    private static DndDecision keepHolding(Input in, DndHold cur, boolean w, boolean confirmed) {
        boolean actual = in.actual().dnd();
        EpisodeMarker none = EpisodeMarker.NONE;
        if (actual == cur.written()) {
            if (w != cur.written()) {
                // the desired value is now the user's own prior value: write it, the DND hold ends (unconfirmed
                // until then, as for a restore)
                return write(DndStep.BACK_TO_PRIOR, cur, cur.as(DndKind.NONE), w, none);
            }
            // an unconfirmed hold: the earlier write did happen (e.g. a crash before it was confirmed)
            return keep(confirmed ? DndStep.UNCHANGED : DndStep.CONFIRMED, cur, true, none);
        }
        if (actual == w) {
            // == prior: the wanted value is the user's own
            return keep(DndStep.RELEASED_DESIRED, cur.as(DndKind.NONE), confirmed, none);
        }
        // here actual == prior always (prior != written for a held DND); the check states what the branch means
        if (!confirmed && actual == cur.prior()) {
            // the earlier write never happened (crash or failure): write again
            return write(DndStep.WRITE_RETRIED, cur, cur, w, none);
        }
        if (in.mode() == ManualDndMode.RESPECT) {
            return keep(DndStep.MANUAL_KEPT_IN_HOLD, cur.as(DndKind.MANUAL), confirmed, none);
        }
        return write(DndStep.ENFORCED, cur, cur, w, none);
    }

    /** A DND decision without a DND write: the hold is the same before and after a (chat) write. */
    private static DndDecision keep(DndStep step, DndHold hold, boolean confirmed, EpisodeMarker marker) {
        return new DndDecision(step, hold, hold, false, false, confirmed, marker);
    }

    /** A DND decision with a write: the hold before it is unconfirmed until the write succeeds. */
    private static DndDecision write(DndStep step, DndHold pre, DndHold post, boolean value, EpisodeMarker marker) {
        return new DndDecision(step, pre, post, true, value, false, marker);
    }

    /** The chat part of the decision; {@code in.actual()} must not be null. */
    static ChatDecision decideChat(Input in) {
        ChatHold cur = HoldParts.chatOf(in.old());
        if (!in.actual().chatKnown()) {
            // the sink read the DND but not the chat status: nothing to decide on, so the chat hold stays as it is;
            // deferred while a text is owed, so that it is written as soon as the chat status can be read again (a text
            // already written for the wanted state owes nothing, so an outage does not re-read every held user)
            boolean owed = in.wantChat() != null ? !in.wantChat().equals(cur.written()) : cur.held();
            return new ChatDecision(owed ? ChatStep.DEFERRED : ChatStep.UNCHANGED, cur, cur, false, null);
        }
        String actual = in.actual().chatStatus();
        String want = in.wantChat();
        if (want == null) {
            if (!cur.held()) {
                return new ChatDecision(ChatStep.UNCHANGED, cur, cur, false, null);
            }
            if (Objects.equals(actual, cur.written())) {
                return new ChatDecision(ChatStep.RESTORED, cur, ChatHold.NONE, true, cur.prior());
            }
            ChatStep step = Objects.equals(actual, cur.prior()) ? ChatStep.RELEASED : ChatStep.MANUAL_KEPT;
            return new ChatDecision(step, ChatHold.NONE, ChatHold.NONE, false, null);
        }
        if (!Objects.equals(actual, want)) {
            // Teams leads while a text is wanted; a text the user set meanwhile (the PBX shows neither the engine's
            // text nor the wanted one) is their newest own choice, so it is the one restored afterwards
            boolean byHand = cur.held() && !Objects.equals(actual, cur.written());
            ChatHold held = cur.held() && !byHand ? new ChatHold(cur.prior(), want) : new ChatHold(actual, want);
            ChatStep step = cur.held() ? ChatStep.HOLD_UPDATED : ChatStep.HOLD_STARTED;
            return new ChatDecision(step, held, held, true, want);
        }
        if (cur.held() && !want.equals(cur.written())) {
            ChatHold followed = new ChatHold(cur.prior(), want); // PBX already shows the new text
            return new ChatDecision(ChatStep.FOLLOWED, followed, followed, false, null);
        }
        return new ChatDecision(ChatStep.UNCHANGED, cur, cur, false, null);
    }


    // ---- the reason text ----

    /** The reason text: the DND part first, then the chat part unless it says the same. */
    static String reason(Input in, DndDecision dnd, ChatDecision chat) {
        List<String> reasons = new ArrayList<>(2);
        String actual = onOff(in.actual().dnd());
        String desired = in.desiredReason();
        switch (dnd.step()) {
            case UNCHANGED, ALREADY_OWN, CONFIRMED -> { }
            case MANUAL_EPISODE_OVER -> reasons.add("manual DND episode over, DND left as the user set it (" + actual + ")");
            case RESTORED -> reasons.add("restored prior DND " + onOff(dnd.pre().prior()));
            case RELEASED_OWN -> reasons.add("hold released, PBX already shows the user's own DND " + actual);
            case MANUAL_KEPT_IN_EPISODE -> reasons.add("manual DND kept (" + actual + " by hand during the episode)");
            case HOLD_STARTED, BACK_TO_PRIOR -> reasons.add(desired);
            case RELEASED_DESIRED -> reasons.add("hold released, PBX already shows the desired DND " + actual);
            case WRITE_RETRIED -> reasons.add(desired + " (write retried)");
            case MANUAL_KEPT_IN_HOLD -> reasons.add("manual DND kept (" + actual + " by hand during the hold)");
            case ENFORCED -> reasons.add(desired + " (manual DND " + actual + " overridden: manualDnd TEAMS_LEADS)");
        }
        switch (chat.step()) {
            case UNCHANGED, DEFERRED, FOLLOWED -> { }
            case RESTORED -> reasons.add("restored prior chat status " + quoted(chat.pre().prior()));
            case RELEASED -> reasons.add("chat status already the user's own");
            case MANUAL_KEPT -> reasons.add("manual chat status kept");
            case HOLD_STARTED, HOLD_UPDATED -> {
                if (!reasons.contains(desired)) {
                    reasons.add(desired);
                }
            }
        }
        return String.join("; ", reasons);
    }

    // Several things may happen to one user in one decision; the event carries the most telling kind.
    private static final List<AuditEvent.Kind> RANK = List.of(AuditEvent.Kind.RELEASED, AuditEvent.Kind.HOLD_UPDATED,
            AuditEvent.Kind.RESTORED, AuditEvent.Kind.HOLD_STARTED, AuditEvent.Kind.MANUAL_KEPT, AuditEvent.Kind.ENFORCED);

    private static AuditEvent.Kind max(AuditEvent.Kind a, AuditEvent.Kind b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return RANK.indexOf(b) > RANK.indexOf(a) ? b : a;
    }

    static String onOff(boolean dnd) {
        return dnd ? "on" : "off";
    }

    private static String quoted(String s) {
        return s == null ? "(none)" : "\"" + s + "\"";
    }
}
