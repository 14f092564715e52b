package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;

import java.time.Duration;

/**
 * Writes presence into Teams for the PBX-to-Teams direction ({@code pbxToTeams}): the product's own presence session
 * per user. For Microsoft Graph that is {@code POST /users/{id}/presence/setPresence} and {@code .../clearPresence}
 * with the app's client id as {@code sessionId}. Obtained from {@link PresenceSource#presenceWriter()}.
 *
 * <p>Contract:
 * <ul>
 *   <li>Threading: one call at a time, from a thread of the engine's that is not its sync thread, so a slow or
 *       throttled write never delays a DND change.</li>
 *   <li>Pacing: the writer shares its backend's request budget with the source's reads and waits out a
 *       {@code Retry-After} itself, within its own deadline; then it throws a
 *       {@link dev.teamsconnect.core.error.RetryableException}.</li>
 *   <li>Failures: a permission that is missing (Graph 403) is a {@link dev.teamsconnect.core.error.TerminalException}
 *       whose message names the permission and the fix; an unknown user an
 *       {@link dev.teamsconnect.core.error.UnknownUserException}. Never a secret in a message.</li>
 *   <li>Idempotence: setting the same session again renews it; clearing a session that no longer exists (it expired)
 *       is not an error.</li>
 * </ul>
 */
public interface PresenceWriter {

    /** The shortest session the backend accepts (Graph: PT5M). */
    Duration MIN_SESSION = Duration.ofMinutes(5);
    /** The longest session the backend accepts (Graph: PT4H). */
    Duration MAX_SESSION = Duration.ofHours(4);

    /**
     * Sets or renews the product's session for one user.
     *
     * @param teamsUserId  the Teams (Entra) user id
     * @param availability one of the pairs the backend accepts (Graph: Available/Available, Busy/InACall,
     *                     Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting)
     * @param activity     the activity of that pair
     * @param expiration   how long the session lasts unless renewed, within {@link #MIN_SESSION}..{@link #MAX_SESSION}
     */
    void setPresence(String teamsUserId, Availability availability, Activity activity, Duration expiration);

    /** Ends the product's session for one user. */
    void clearPresence(String teamsUserId);

    /**
     * What {@code check} should tell about writing, after the source's {@link PresenceSource#open()}: for Graph,
     * whether the app's token carries {@code Presence.ReadWrite.All} (a {@link CheckNote.Level#PROBLEM} with the fix
     * when not). The service asks only when {@code pbxToTeams} is on. Never throws; default: nothing.
     */
    default java.util.List<CheckNote> checkNotes() {
        return java.util.List.of();
    }
}
