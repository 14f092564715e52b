package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;

import java.time.Instant;
import java.util.Objects;

/**
 * A presence session that TeamsConnect set in Teams for one user ({@code pbxToTeams}: Graph {@code setPresence} with
 * the app's id as session id), remembered in the {@link StateStore} so that a restart renews or clears it instead of
 * losing track. Persisted <em>before</em> the {@code setPresence} it covers, like a {@link Hold}: a crash between the
 * two leaves a session record without a session, which the next start clears (harmless), never a session without a
 * record. A session the product lost track of anyway ends by itself at {@link #expiresAt()}.
 *
 * @param pbxUserId    the PBX user whose state is the cause (the key, as for holds)
 * @param teamsUserId  the Teams (Entra) user id the session is set on
 * @param cause        why the session exists
 * @param availability the availability the session sets
 * @param activity     the activity the session sets
 * @param since        when the cause began (kept across renewals)
 * @param expiresAt    when Graph ends the session unless it is renewed
 * @param clearedAt    when the product cleared the session, or null while it is active. A cleared session is kept
 *                     until Teams shows something other than its presence (or it would have expired): Graph may
 *                     report a cleared session late, and until then its presence is the product's own echo, also
 *                     for an instance that starts in between
 */
public record TeamsSession(String pbxUserId, String teamsUserId, Cause cause, Availability availability,
                           Activity activity, Instant since, Instant expiresAt, Instant clearedAt) {

    /** Why a session exists. Persisted by {@link #code()}, never by ordinal. */
    public enum Cause {
        /** A DND that the user set at the phone (not written by the engine). */
        PBX_DND("pbx-dnd"),
        /** A call on the PBX, reported by a sink that knows call state. */
        PBX_CALL("pbx-call");

        private final String code;

        Cause(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Cause fromCode(String code) {
            for (Cause c : values()) {
                if (c.code.equals(code)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("unknown session cause \"" + code + "\"; expected pbx-dnd or pbx-call");
        }
    }

    public TeamsSession {
        if (pbxUserId == null || pbxUserId.isBlank()) {
            throw new IllegalArgumentException("TeamsSession.pbxUserId must not be blank");
        }
        if (teamsUserId == null || teamsUserId.isBlank()) {
            throw new IllegalArgumentException("TeamsSession.teamsUserId must not be blank");
        }
        Objects.requireNonNull(cause, "TeamsSession.cause");
        Objects.requireNonNull(availability, "TeamsSession.availability");
        Objects.requireNonNull(activity, "TeamsSession.activity");
        Objects.requireNonNull(since, "TeamsSession.since");
        Objects.requireNonNull(expiresAt, "TeamsSession.expiresAt");
    }

    /** An active session (not cleared). */
    public TeamsSession(String pbxUserId, String teamsUserId, Cause cause, Availability availability,
                        Activity activity, Instant since, Instant expiresAt) {
        this(pbxUserId, teamsUserId, cause, availability, activity, since, expiresAt, null);
    }

    /** Whether the session is set in Teams (not cleared). */
    public boolean active() {
        return clearedAt == null;
    }

    /** This session with a new expiry (a renewal). */
    public TeamsSession renewedUntil(Instant newExpiry) {
        return new TeamsSession(pbxUserId, teamsUserId, cause, availability, activity, since, newExpiry, null);
    }

    /** This session, cleared at {@code at}. */
    public TeamsSession clearedAt(Instant at) {
        return new TeamsSession(pbxUserId, teamsUserId, cause, availability, activity, since, expiresAt,
                Objects.requireNonNull(at, "at"));
    }
}
