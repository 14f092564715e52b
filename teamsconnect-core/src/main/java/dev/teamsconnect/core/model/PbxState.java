package dev.teamsconnect.core.model;

/**
 * The part of a PBX user's state that the engine reads and may write.
 *
 * @param dnd        do-not-disturb on the phone
 * @param chatStatus the chat status text, or {@code null} where the user has none or the sink does not support
 *                   {@link Capability#CHAT_STATUS}
 */
public record PbxState(boolean dnd, String chatStatus) {

    public static PbxState dnd(boolean dnd) {
        return new PbxState(dnd, null);
    }

    public PbxState withDnd(boolean value) {
        return new PbxState(value, chatStatus);
    }

    public PbxState withChatStatus(String value) {
        return new PbxState(dnd, value);
    }
}
