package dev.teamsconnect.core.model;

/**
 * The part of a PBX user's state that the engine reads and may write.
 *
 * @param dnd        do-not-disturb on the phone
 * @param chatStatus the chat status text, or {@code null} where the user has none or the sink does not support
 *                   {@link Capability#CHAT_STATUS}
 * @param chatKnown  false when a sink with {@link Capability#CHAT_STATUS} could read the DND but not the chat status
 *                   this time (the STARFACE bridge does not answer): the engine then decides and writes DND as usual
 *                   and leaves the chat status, and what it remembers of it, as they are. In a state to write, false
 *                   means "do not write the chat status".
 */
public record PbxState(boolean dnd, String chatStatus, boolean chatKnown) {

    public PbxState {
        if (!chatKnown && chatStatus != null) {
            throw new IllegalArgumentException("a chat status that is not known has no text");
        }
    }

    /** A state whose chat status is known ({@code null}: none). */
    public PbxState(boolean dnd, String chatStatus) {
        this(dnd, chatStatus, true);
    }

    public static PbxState dnd(boolean dnd) {
        return new PbxState(dnd, null);
    }

    /** The DND, read; the chat status could not be read this time. */
    public static PbxState chatUnknown(boolean dnd) {
        return new PbxState(dnd, null, false);
    }

    public PbxState withDnd(boolean value) {
        return new PbxState(value, chatStatus, chatKnown);
    }

    public PbxState withChatStatus(String value) {
        return new PbxState(dnd, value);
    }
}
