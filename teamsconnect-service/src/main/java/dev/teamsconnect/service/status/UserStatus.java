package dev.teamsconnect.service.status;

import dev.teamsconnect.core.model.PresenceCategory;
import java.time.Instant;
import java.util.Objects;

/**
 * One synced user as shown on /status. Holds no credentials by construction.
 *
 * @param pbxUserId    the PBX user id (the key)
 * @param pbxLogin     the PBX login, or {@code null}
 * @param teamsUser    the matched Teams mail or UPN, or {@code null} when not matched
 * @param displayName  a readable name
 * @param availability the Teams availability as received (e.g. {@code Busy}), or {@code null} when not read yet
 * @param activity     the Teams activity as received (e.g. {@code InACall}), or {@code null}
 * @param category     the category the policy decided on, or {@code null}
 * @param pbxDnd       the PBX DND as last read or written, or {@code null} when unknown
 * @param held         whether the engine holds this user's DND (will restore the user's own value later)
 * @param lastChange   when the engine last decided something for this user, or {@code null}
 * @param lastReason   the reason of that decision, e.g. "Teams Busy/InACall -> DND on (policy IN_A_CALL)"
 */
public record UserStatus(String pbxUserId, String pbxLogin, String teamsUser, String displayName, String availability,
                         String activity, PresenceCategory category, Boolean pbxDnd, boolean held, Instant lastChange,
                         String lastReason) {

    public UserStatus {
        Objects.requireNonNull(pbxUserId, "pbxUserId");
    }

    public static UserStatus of(String pbxUserId) {
        return new UserStatus(pbxUserId, null, null, pbxUserId, null, null, null, null, false, null, null);
    }

    public UserStatus withIdentity(String login, String teams, String name) {
        return new UserStatus(pbxUserId, login, teams, name == null ? displayName : name, availability, activity, category,
                pbxDnd, held, lastChange, lastReason);
    }

    public UserStatus withPresence(String newAvailability, String newActivity, PresenceCategory newCategory) {
        return new UserStatus(pbxUserId, pbxLogin, teamsUser, displayName, newAvailability, newActivity, newCategory, pbxDnd,
                held, lastChange, lastReason);
    }

    public UserStatus withPbxDnd(Boolean dnd) {
        return new UserStatus(pbxUserId, pbxLogin, teamsUser, displayName, availability, activity, category, dnd, held,
                lastChange, lastReason);
    }

    public UserStatus withDecision(Instant at, String reason, boolean isHeld) {
        return new UserStatus(pbxUserId, pbxLogin, teamsUser, displayName, availability, activity, category, pbxDnd, isHeld,
                at, reason);
    }
}
