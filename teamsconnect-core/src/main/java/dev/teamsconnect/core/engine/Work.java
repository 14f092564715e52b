package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;

/**
 * One user to reconcile this cycle.
 *
 * @param pbx        the PBX user
 * @param tracked    whether the user is mapped (has a {@link UserTrack} to update); a release of a user no longer
 *                   mapped is not
 * @param wantDnd    the DND wanted
 * @param wantChat   the chat status wanted, or null
 * @param reason     why
 * @param category   the presence category acted on, or null for a release
 * @param presence   the presence acted on, or null for a release
 * @param release    whether this gives the user's own state back (shutdown, fail-open, no longer mapped, release)
 * @param steady     wanted the same as last cycle and settled then: a recheck, reconciled after the changes
 * @param recheckDue when the recheck was due (rechecks go oldest first), or null
 */
record Work(PbxUser pbx, boolean tracked, Want wantDnd, String wantChat, String reason, PresenceCategory category,
            TeamsPresence presence, boolean release, boolean steady, Instant recheckDue) {

    /** Gives the user's own state back; a MANUAL hold keeps its value (it only says "hands off"). */
    static Work release(PbxUser user, boolean tracked, Hold h, String reason) {
        // MANUAL holds stay: a restart in the same episode must still respect them
        Want keepDnd = h.kind() == Hold.Kind.MANUAL ? Want.of(h.writtenDnd())
                : Want.USERS_OWN;
        return new Work(user, tracked, keepDnd, null, reason, null, null, true, false, null);
    }
}
