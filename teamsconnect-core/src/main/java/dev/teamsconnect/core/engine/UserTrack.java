package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent;
import java.time.Instant;
import java.util.Objects;

/**
 * The engine's memory of one mapped user between cycles (not persisted; only holds are). Immutable: each change
 * makes a new track, so nothing is copied by hand and no field can be forgotten.
 *
 * @param user     the mapping
 * @param presence what the {@link PresenceTracker} keeps
 * @param pbx      what the last PBX read and write said
 * @param last     the last thing that happened to the user, for the status page
 */
record UserTrack(MappedUser user, PresenceTracker.Track presence, PbxSide pbx, LastChange last) {

    UserTrack {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(pbx, "pbx");
        Objects.requireNonNull(last, "last");
    }

    /** A user seen for the first time at {@code now}. */
    static UserTrack initial(MappedUser user, Instant now) {
        return new UserTrack(user, PresenceTracker.Track.initial(now), PbxSide.UNREAD, LastChange.NONE);
    }

    UserTrack withUser(MappedUser value) {
        return new UserTrack(value, presence, pbx, last);
    }

    UserTrack withPresence(PresenceTracker.Track value) {
        return new UserTrack(user, value, pbx, last);
    }

    UserTrack withPbx(PbxSide value) {
        return new UserTrack(user, presence, value, last);
    }

    UserTrack withLast(LastChange value) {
        return new UserTrack(user, presence, pbx, value);
    }

    /**
     * The PBX side of a user.
     *
     * @param state      the PBX state last read or written, or null before the first read
     * @param settledAt  when the state was last read with nothing to do, or written and acknowledged; null while
     *                   something is pending
     * @param recheckDue when a settled user is read again
     * @param failing    whether the last read or write failed (logged once, not every cycle)
     * @param marker     the episode marker of the last decision
     * @param exchangedAt when {@code state} was last read or written
     */
    record PbxSide(PbxState state, Instant settledAt, Instant recheckDue, boolean failing, EpisodeMarker marker,
                   Instant exchangedAt) {
        static final PbxSide UNREAD = new PbxSide(null, null, null, false, EpisodeMarker.NONE, null);

        PbxSide {
            Objects.requireNonNull(marker, "marker");
        }

        /** Read, written or not: settled when nothing is pending and the last exchange did not fail. */
        PresenceTracker.Settled settled() {
            return new PresenceTracker.Settled(state != null && !failing && settledAt != null, recheckDue);
        }

        /** Just read: not settled until the decision is done. */
        PbxSide read(PbxState actual, Instant at) {
            return new PbxSide(actual, null, recheckDue, failing, marker, at);
        }

        PbxSide decided(EpisodeMarker value) {
            return new PbxSide(state, settledAt, recheckDue, false, value, exchangedAt);
        }

        /** Read with nothing to do, or written and acknowledged, at {@code at}. */
        PbxSide settled(PbxState value, Instant at, Instant due) {
            return new PbxSide(value, at, due, failing, marker, at);
        }

        PbxSide failed() {
            return new PbxSide(state, settledAt, recheckDue, true, marker, exchangedAt);
        }

        PbxSide withMarker(EpisodeMarker value) {
            return new PbxSide(state, settledAt, recheckDue, failing, value, exchangedAt);
        }
    }

    /** The last audit-worthy thing that happened to a user: kind, reason and time, or {@link #NONE}. */
    record LastChange(AuditEvent.Kind kind, String reason, Instant at) {
        static final LastChange NONE = new LastChange(null, null, null);
    }
}
