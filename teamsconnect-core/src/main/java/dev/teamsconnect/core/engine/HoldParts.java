package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;

/**
 * The two parts of a {@link Hold} as the decision sees them, and the only place that knows how the SPI record (shared
 * with the state stores and the state file, whose format {@code StateJson} maps) carries them: a DND part that is
 * {@link DndKind#NONE not held}, {@link DndKind#HELD held} or {@link DndKind#MANUAL manual}, and a chat part.
 */
final class HoldParts {

    private HoldParts() {
    }

    /** The kind of DND hold: not held, held by the engine, or taken over by hand during the episode. */
    enum DndKind { NONE, HELD, MANUAL }

    /** The DND part of a hold; {@code prior} and {@code written} mean nothing for {@link DndKind#NONE}. */
    record DndHold(DndKind kind, boolean prior, boolean written) {
        DndHold as(DndKind k) {
            return new DndHold(k, prior, written);
        }
    }

    /** The chat part of a hold: held when {@code written != null}. */
    record ChatHold(String prior, String written) {
        static final ChatHold NONE = new ChatHold(null, null);

        boolean held() {
            return written != null;
        }
    }

    // ---- the Hold encoding: the only place that knows how the SPI record carries a DND and a chat hold ----

    /**
     * The DND part of {@code old}. A {@link Hold} has no "DND not held" value: a DND hold always changes the value,
     * so a {@link Hold.Kind#HELD} record with {@code priorDnd == writtenDnd} holds the chat status only.
     */
    static DndHold dndOf(Hold old, boolean actualDnd) {
        if (old == null) {
            return new DndHold(DndKind.NONE, actualDnd, actualDnd);
        }
        DndKind kind = old.kind() == Hold.Kind.MANUAL ? DndKind.MANUAL
                : old.priorDnd() != old.writtenDnd() ? DndKind.HELD : DndKind.NONE;
        return new DndHold(kind, old.priorDnd(), old.writtenDnd());
    }

    /** The chat part of {@code old}: held when {@code writtenChatStatus != null}. */
    static ChatHold chatOf(Hold old) {
        return old == null || old.writtenChatStatus() == null ? ChatHold.NONE
                : new ChatHold(old.priorChatStatus(), old.writtenChatStatus());
    }

    /**
     * The record for a DND and a chat part, or null when neither is held. DND not held is written as
     * {@code priorDnd == writtenDnd ==} the actual DND; a MANUAL record is always confirmed (nothing to confirm).
     */
    static Hold toHold(String id, DndHold dnd, ChatHold chat, boolean confirmed, Instant since,
                               boolean actualDnd) {
        return switch (dnd.kind()) {
            case NONE -> chat.held()
                    ? new Hold(id, Hold.Kind.HELD, actualDnd, actualDnd, chat.prior(), chat.written(), confirmed, since)
                    : null;
            case HELD -> new Hold(id, Hold.Kind.HELD, dnd.prior(), dnd.written(), chat.prior(), chat.written(),
                    confirmed, since);
            case MANUAL -> new Hold(id, Hold.Kind.MANUAL, dnd.prior(), dnd.written(), chat.prior(), chat.written(),
                    true, since);
        };
    }
}
