package dev.teamsconnect.testkit.graph;

import java.time.Instant;

/**
 * One {@code setPresence} or {@code clearPresence} request that reached the {@link GraphEmulator}'s endpoint (past
 * the token check, the permission check, the rate limit and the scripted faults), with its answer.
 *
 * @param kind               {@code SET} or {@code CLEAR}
 * @param userId             the user id of the path
 * @param clientId           the app whose token sent it
 * @param sessionId          the {@code sessionId} of the body (null when absent)
 * @param availability       the body's availability (null for clear or when absent)
 * @param activity           the body's activity (null for clear or when absent)
 * @param expirationDuration the body's {@code expirationDuration} exactly as sent (null when absent)
 * @param status             the HTTP status the emulator answered
 * @param at                 when it arrived, on the emulator clock
 * @param receivedNanos      when it arrived, {@link System#nanoTime()} (for delay measurements within one JVM)
 */
public record PresenceWrite(Kind kind, String userId, String clientId, String sessionId, String availability,
        String activity, String expirationDuration, int status, Instant at, long receivedNanos) {

    /** Which of the two calls. */
    public enum Kind { SET, CLEAR }

    /** Whether Graph accepted it (200). */
    public boolean accepted() {
        return status == 200;
    }
}
