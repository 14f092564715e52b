package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The decision for one user: pure, no I/O. Given the desired state, the actual PBX state and the user's hold,
 * it says what to write and what the hold must be before the write (write-ahead) and after it succeeded.
 *
 * <p>How one {@link Hold} record carries both fields (the record is shared with the SPI and stays as it is):
 * <ul>
 *   <li>DND is held when {@code kind == HELD} and {@code priorDnd != writtenDnd} (a DND hold always changes the
 *       value; {@code priorDnd == writtenDnd} means "DND not held by this record").</li>
 *   <li>{@code kind == MANUAL}: the user took DND over by hand during this episode; hands off until the desired
 *       DND becomes the user's own again.</li>
 *   <li>The chat status is held when {@code writtenChatStatus != null}. Chat status follows Teams while a
 *       category wants a text (as the reference product does); at the end the prior text is restored only if the
 *       PBX still shows the engine's text.</li>
 * </ul>
 */
final class Reconciler {

    /**
     * @param pre        the hold to store before the write (or the final hold when there is no write); null = none
     * @param post       the hold to store once the write succeeded; null = none
     * @param write      the state to write, or null for no write
     * @param kind       the audit kind, or null when nothing happened worth an event
     * @param reason     why
     * @param ownEpisode the user's own DND value for an episode that started without a hold (in-memory marker), or null
     */
    record Decision(Hold pre, Hold post, PbxState write, AuditEvent.Kind kind, String reason, Boolean ownEpisode) {
        boolean isNothing() {
            return write == null && kind == null;
        }
    }

    private enum DndMode { NONE, HELD, MANUAL }

    private Reconciler() {
    }

    /**
     * @param old        the user's hold, or null
     * @param wantDnd    desired DND (already filtered by sink capability), null = the user's own
     * @param wantChat   desired chat status text (already filtered), null = the user's own
     * @param actual     the PBX state just read; may be null only when {@code old == null} and nothing is wanted
     * @param ownEpisode in-memory marker: the DND value the user already had when the current episode began
     * @param desiredReason the policy's reason for the desired state
     */
    static Decision decide(String pbxUserId, Hold old, Boolean wantDnd, String wantChat, PbxState actual,
                           Boolean ownEpisode, ManualDndMode mode, Instant now, String desiredReason) {
        if (old == null && wantDnd == null && wantChat == null) {
            return new Decision(null, null, null, null, null, null);
        }
        Objects.requireNonNull(actual, "actual");
        List<String> reasons = new ArrayList<>();
        AuditEvent.Kind kind = null;

        // ---- DND ----
        DndMode dnd = old == null ? DndMode.NONE
                : old.kind() == Hold.Kind.MANUAL ? DndMode.MANUAL
                : old.priorDnd() != old.writtenDnd() ? DndMode.HELD : DndMode.NONE;
        DndMode dndPre = dnd;
        DndMode dndPost = dnd;
        boolean priorDnd = old == null ? actual.dnd() : old.priorDnd();
        boolean writtenDnd = old == null ? actual.dnd() : old.writtenDnd();
        boolean preWrittenDnd = writtenDnd;
        Boolean writeDnd = null;
        boolean confirmed = old == null || old.confirmed();
        boolean dndWriteNeedsConfirm = false;
        Boolean marker = wantDnd != null && wantDnd.equals(ownEpisode) ? ownEpisode : null;

        if (wantDnd == null) {
            if (dnd == DndMode.MANUAL) {
                dndPre = dndPost = DndMode.NONE;
                kind = max(kind, AuditEvent.Kind.RELEASED);
                reasons.add("manual DND episode over, DND left as the user set it (" + onOff(actual.dnd()) + ")");
            } else if (dnd == DndMode.HELD) {
                if (actual.dnd() == writtenDnd) {
                    writeDnd = priorDnd;
                    dndPost = DndMode.NONE;
                    // unconfirmed until the hold is removed: if that removal is lost, the PBX showing prior is
                    // the engine's own restore, not a hand-made change (see the HELD branch below)
                    dndWriteNeedsConfirm = true;
                    kind = max(kind, AuditEvent.Kind.RESTORED);
                    reasons.add("restored prior DND " + onOff(priorDnd));
                } else {
                    // actual == prior (a boolean has no third value): nothing to restore
                    dndPre = dndPost = DndMode.NONE;
                    kind = max(kind, AuditEvent.Kind.RELEASED);
                    reasons.add("hold released, PBX already shows the user's own DND " + onOff(actual.dnd()));
                }
            }
        } else if (dnd == DndMode.NONE) {
            if (actual.dnd() == wantDnd) {
                marker = wantDnd; // the user's own DND already matches: never held
            } else if (mode == ManualDndMode.RESPECT && marker != null) {
                // the episode began with the user's own DND == desired, and now it differs: changed by hand
                dndPre = dndPost = DndMode.MANUAL;
                priorDnd = writtenDnd = preWrittenDnd = wantDnd;
                marker = null;
                kind = max(kind, AuditEvent.Kind.MANUAL_KEPT);
                reasons.add("manual DND kept (" + onOff(actual.dnd()) + " by hand during the episode)");
            } else {
                dndPre = dndPost = DndMode.HELD;
                priorDnd = actual.dnd();
                writtenDnd = preWrittenDnd = wantDnd;
                writeDnd = wantDnd;
                dndWriteNeedsConfirm = true;
                marker = null;
                kind = max(kind, AuditEvent.Kind.HOLD_STARTED);
                reasons.add(desiredReason);
            }
        } else if (dnd == DndMode.HELD) {
            marker = null;
            if (actual.dnd() == writtenDnd) {
                if (wantDnd != writtenDnd) {
                    // the desired value is now the user's own prior value: write it, the DND hold ends
                    writeDnd = wantDnd;
                    dndPost = DndMode.NONE;
                    dndWriteNeedsConfirm = true; // as for a restore
                    kind = max(kind, AuditEvent.Kind.HOLD_UPDATED);
                    reasons.add(desiredReason);
                } else if (!confirmed) {
                    confirmed = true; // the earlier write did happen (e.g. a crash before it was confirmed)
                }
            } else if (actual.dnd() == wantDnd) {
                dndPre = dndPost = DndMode.NONE; // == prior: wanted value is the user's own
                kind = max(kind, AuditEvent.Kind.RELEASED);
                reasons.add("hold released, PBX already shows the desired DND " + onOff(actual.dnd()));
            } else if (!old.confirmed() && actual.dnd() == priorDnd) {
                writeDnd = wantDnd; // the earlier write never happened (crash or failure): write again
                dndWriteNeedsConfirm = true;
                kind = max(kind, AuditEvent.Kind.HOLD_STARTED);
                reasons.add(desiredReason + " (write retried)");
            } else if (mode == ManualDndMode.RESPECT) {
                dndPre = dndPost = DndMode.MANUAL;
                kind = max(kind, AuditEvent.Kind.MANUAL_KEPT);
                reasons.add("manual DND kept (" + onOff(actual.dnd()) + " by hand during the hold)");
            } else {
                writeDnd = wantDnd;
                dndWriteNeedsConfirm = true;
                kind = max(kind, AuditEvent.Kind.ENFORCED);
                reasons.add(desiredReason + " (manual DND " + onOff(actual.dnd()) + " overridden: manualDnd TEAMS_LEADS)");
            }
        } else {
            marker = null; // MANUAL while DND is wanted: hands off
        }

        // ---- chat status ----
        boolean chatHeld = old != null && old.writtenChatStatus() != null;
        String priorChat = chatHeld ? old.priorChatStatus() : null;
        String writtenChat = chatHeld ? old.writtenChatStatus() : null;
        String preWrittenChat = writtenChat;
        String prePriorChat = priorChat;
        boolean writeChat = false;
        String chatValue = null;
        if (wantChat == null) {
            if (chatHeld) {
                if (Objects.equals(actual.chatStatus(), writtenChat)) {
                    writeChat = true;
                    chatValue = priorChat;
                    kind = max(kind, AuditEvent.Kind.RESTORED);
                    reasons.add("restored prior chat status " + quoted(priorChat));
                } else {
                    kind = max(kind, Objects.equals(actual.chatStatus(), priorChat) ? AuditEvent.Kind.RELEASED
                            : AuditEvent.Kind.MANUAL_KEPT);
                    reasons.add(Objects.equals(actual.chatStatus(), priorChat) ? "chat status already the user's own"
                            : "manual chat status kept");
                    preWrittenChat = null;
                    prePriorChat = null;
                }
                writtenChat = null;
                priorChat = null;
            }
        } else if (!Objects.equals(actual.chatStatus(), wantChat)) {
            if (!chatHeld) {
                priorChat = actual.chatStatus();
                prePriorChat = priorChat;
                kind = max(kind, AuditEvent.Kind.HOLD_STARTED);
            } else {
                kind = max(kind, AuditEvent.Kind.HOLD_UPDATED);
            }
            writeChat = true;
            chatValue = wantChat;
            writtenChat = wantChat;
            preWrittenChat = wantChat;
            if (!reasons.contains(desiredReason)) {
                reasons.add(desiredReason);
            }
        } else if (chatHeld && !wantChat.equals(writtenChat)) {
            writtenChat = preWrittenChat = wantChat; // PBX already shows the new text
        }

        PbxState write = null;
        if (writeDnd != null || writeChat) {
            write = new PbxState(writeDnd != null ? writeDnd : actual.dnd(), writeChat ? chatValue : actual.chatStatus());
        }
        Instant since = old == null ? now : old.since();
        boolean preConfirmed = dndWriteNeedsConfirm ? false : confirmed;
        Hold pre = hold(pbxUserId, dndPre, priorDnd, preWrittenDnd, actual.dnd(), prePriorChat, preWrittenChat,
                preConfirmed, since);
        Hold post = write == null ? pre
                : hold(pbxUserId, dndPost, priorDnd, writtenDnd, actual.dnd(), priorChat, writtenChat, true, since);
        if (Objects.equals(pre, old) && write == null) {
            kind = null;
        }
        if (write == null && Objects.equals(pre, old) && kind == null) {
            return new Decision(old, old, null, null, null, marker);
        }
        return new Decision(pre, post, write, kind, String.join("; ", reasons), marker);
    }

    private static Hold hold(String id, DndMode dnd, boolean prior, boolean written, boolean actualDnd,
                             String priorChat, String writtenChat, boolean confirmed, Instant since) {
        if (dnd == DndMode.NONE && writtenChat == null) {
            return null;
        }
        return switch (dnd) {
            case NONE -> new Hold(id, Hold.Kind.HELD, actualDnd, actualDnd, priorChat, writtenChat, confirmed, since);
            case HELD -> new Hold(id, Hold.Kind.HELD, prior, written, priorChat, writtenChat, confirmed, since);
            case MANUAL -> new Hold(id, Hold.Kind.MANUAL, prior, written, priorChat, writtenChat, true, since);
        };
    }

    // Several things may happen to one user in one decision; the event carries the most telling kind.
    private static final List<AuditEvent.Kind> RANK = List.of(AuditEvent.Kind.RELEASED, AuditEvent.Kind.HOLD_UPDATED,
            AuditEvent.Kind.RESTORED, AuditEvent.Kind.HOLD_STARTED, AuditEvent.Kind.MANUAL_KEPT, AuditEvent.Kind.ENFORCED);

    private static AuditEvent.Kind max(AuditEvent.Kind a, AuditEvent.Kind b) {
        return a == null || RANK.indexOf(b) > RANK.indexOf(a) ? b : a;
    }

    static String onOff(boolean dnd) {
        return dnd ? "on" : "off";
    }

    private static String quoted(String s) {
        return s == null ? "(none)" : "\"" + s + "\"";
    }
}
