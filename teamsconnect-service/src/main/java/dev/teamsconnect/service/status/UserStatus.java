package dev.teamsconnect.service.status;

import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.Objects;

/**
 * One synced user as shown on /status and the page, taken at one moment. Holds no credentials by construction.
 *
 * @param pbxUserId    the PBX user id (the key)
 * @param pbxLogin     the PBX login, or {@code null}
 * @param teamsUser    the matched Teams mail or UPN, or {@code null} when not matched (yet)
 * @param displayName  a readable name
 * @param availability the Teams availability as received (e.g. {@code Busy}), or {@code null} when not read yet
 * @param activity     the Teams activity as received (e.g. {@code InACall}), or {@code null}
 * @param category     the category the policy decided on, or {@code null}
 * @param pbxDnd       the PBX DND as last read from or written to the PBX, or {@code null} when not read yet
 * @param pbxDndAt     when {@code pbxDnd} was last read or written, or {@code null} when not read yet
 * @param pbxDndWritten whether {@code pbxDnd} is what TeamsConnect wrote (true) or what it read (false)
 * @param hold         the user's entry in the state file (the store), or {@code null}: the one source of "held"
 * @param lastKind     the kind of the engine's last decision for this user, or {@code null}
 * @param lastChange   when the engine last decided something for this user, or {@code null}
 * @param lastReason   the reason of that decision, e.g. "Teams Busy/InACall -> DND on (policy IN_A_CALL)"
 * @param teamsSession the presence session TeamsConnect keeps in Teams for this user (pbxToTeams), as the state store
 *                     has it, or {@code null}
 */
public record UserStatus(String pbxUserId, String pbxLogin, String teamsUser, String displayName, String availability,
                         String activity, PresenceCategory category, Boolean pbxDnd, Instant pbxDndAt,
                         boolean pbxDndWritten, Hold hold, AuditEvent.Kind lastKind, Instant lastChange,
                         String lastReason, dev.teamsconnect.core.spi.TeamsSession teamsSession) {

    public UserStatus {
        Objects.requireNonNull(pbxUserId, "pbxUserId");
    }

    /** Whether the state file has an entry for this user (kind held or manual), as {@code teamsconnect_holds} counts. */
    public boolean held() {
        return hold != null;
    }

    /** {@code held}, {@code manual} or {@code null}. */
    public String holdKind() {
        return hold == null ? null : hold.kind().code();
    }

    /** Why the PBX DND is what it is; never {@code null}. */
    public DndReason dndReason() {
        if (hold != null) {
            return hold.kind() == Hold.Kind.MANUAL ? DndReason.MANUAL : DndReason.TEAMSCONNECT;
        }
        return pbxDnd == null ? DndReason.NOT_READ_YET : DndReason.OWN;
    }

    /** {@link #dndReason()} in plain English words (the page shows its own translation). */
    public String dndReasonText() {
        return switch (dndReason()) {
            case TEAMSCONNECT -> "DND " + onOff(hold.writtenDnd()) + " set by TeamsConnect"
                    + (availability == null ? "" : " because Teams shows " + presence())
                    + "; the user's own setting (DND " + onOff(hold.priorDnd()) + ") comes back afterwards";
            case MANUAL -> "changed by hand during a Teams call or meeting; TeamsConnect keeps its hands off until it is"
                    + " over";
            case OWN -> "the user's own setting (DND " + onOff(pbxDnd) + "); TeamsConnect has not changed it";
            case NOT_READ_YET -> "not read yet: TeamsConnect reads a user's PBX DND only when Teams asks for DND or it"
                    + " holds one";
        };
    }

    /** The last decision failed or skipped the user: its reason, else {@code null}. */
    public String problem() {
        return lastKind == AuditEvent.Kind.FAILED || lastKind == AuditEvent.Kind.SKIPPED ? lastReason : null;
    }

    /** "Busy/InACall", "Busy" or {@code null}. */
    public String presence() {
        return availability == null ? null : activity == null ? availability : availability + "/" + activity;
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}
