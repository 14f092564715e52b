package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.model.PresenceCategory;

import java.time.Instant;
import java.util.Objects;

/**
 * One user's status as a {@link StatusOutput} receives it: what Teams shows, what the engine wants on the PBX, what
 * the PBX shows, and why. Outputs are level-triggered: the same status may be delivered again (a re-publish), and a
 * receiver must treat it as the current state, not as an event.
 *
 * @param pbxUserId    the PBX user id (stable; the key of an output's per-user state)
 * @param label        a readable name (the PBX user's name or login), never blank
 * @param teamsUserId  the Teams (Entra) user id, or {@code null} when the user is not matched
 * @param availability the Teams availability as Graph spells it (e.g. {@code Busy}), or {@code null} when unknown
 * @param activity     the Teams activity as Graph spells it (e.g. {@code InACall}), or {@code null} when unknown
 * @param category     the classified Teams presence, or {@code null} when unknown
 * @param wantedDnd    the DND the engine wants on the PBX, or {@code null} when it has no opinion yet
 * @param pbxDnd       the DND the PBX shows as last read or written, or {@code null} when not known
 * @param holdKind     the user's hold, or {@code null} when the engine holds nothing for them
 * @param reason       why the PBX is in its state (the engine's last decision), or {@code null}
 * @param at           when this status was taken
 */
public record OutputStatus(String pbxUserId, String label, String teamsUserId, String availability, String activity,
                           PresenceCategory category, Boolean wantedDnd, Boolean pbxDnd, Hold.Kind holdKind,
                           String reason, Instant at) {

    public OutputStatus {
        if (pbxUserId == null || pbxUserId.isBlank()) {
            throw new IllegalArgumentException("OutputStatus.pbxUserId must not be blank");
        }
        if (label == null || label.isBlank()) {
            label = pbxUserId;
        }
        Objects.requireNonNull(at, "OutputStatus.at");
    }

    /** Whether this status says the same as {@code other}, ignoring when each was taken. */
    public boolean sameAs(OutputStatus other) {
        return other != null && pbxUserId.equals(other.pbxUserId) && label.equals(other.label)
                && Objects.equals(teamsUserId, other.teamsUserId) && Objects.equals(availability, other.availability)
                && Objects.equals(activity, other.activity) && category == other.category
                && Objects.equals(wantedDnd, other.wantedDnd) && Objects.equals(pbxDnd, other.pbxDnd)
                && holdKind == other.holdKind && Objects.equals(reason, other.reason);
    }
}
