package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PresenceCategory;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision of the engine about one user, for the audit trail ("why is X on DND?").
 *
 * @param at          when the engine decided
 * @param kind        what happened
 * @param pbxUserId   the PBX user, or {@code null} for engine-wide events
 * @param userLabel   a readable name for the user, or {@code null}
 * @param category    the Teams category behind the decision, or {@code null}
 * @param from        the PBX state before, or {@code null}
 * @param to          the PBX state after (or the one that would have been written), or {@code null}
 * @param reason      e.g. "Teams Busy/InACall -> DND on (policy IN_A_CALL)", "manual DND kept"
 */
public record AuditEvent(Instant at, Kind kind, String pbxUserId, String userLabel, PresenceCategory category,
                         PbxState from, PbxState to, String reason) {

    public enum Kind {
        /** The engine turned DND (or chat status) on and started a hold. */
        HOLD_STARTED,
        /** The engine changed a held user's state (e.g. a new chat status text). */
        HOLD_UPDATED,
        /** The hold ended and the user's own prior state was written back. */
        RESTORED,
        /** The hold ended with nothing to write (the PBX already shows the user's own state). */
        RELEASED,
        /** A hand-made change was seen and is respected. */
        MANUAL_KEPT,
        /** A hand-made change was overwritten ({@code manualDnd: teams-leads}). */
        ENFORCED,
        /** A dry run: the change that would have been written. */
        DRY_RUN,
        /** A write or read for this user failed; it is retried next cycle. */
        FAILED,
        /** This user was skipped this cycle (unreadable presence, unknown user). */
        SKIPPED
    }

    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }
}
