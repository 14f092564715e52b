package dev.teamsconnect.starface.bridge;

import java.util.Objects;

/**
 * One thing the bridge heard inside the PBX.
 *
 * @param seq       the event's sequence number, increasing from 1 within one bridge run
 * @param type      what happened
 * @param accountId the user
 * @param active    for {@link Type#CALL}: the user is on a call now; for {@link Type#DND}: DND is on now
 */
public record BridgeEvent(long seq, Type type, int accountId, boolean active) {

    public enum Type {
        /** A user's call began or ended (the PBX's telephony state). */
        CALL,
        /** A user's DND setting changed (STARFACE's DND-changed event). */
        DND
    }

    public BridgeEvent {
        Objects.requireNonNull(type, "type");
    }
}
