package dev.teamsconnect.core.model;

import java.time.Instant;

/**
 * One observation of a Teams user's presence.
 *
 * @param userId          the Teams user's object id
 * @param availability    parsed availability; {@link Availability#UNKNOWN} for values this version does not know
 * @param rawAvailability the string as received (kept so unknown values can be logged and shown)
 * @param activity        parsed activity; {@link Activity#UNKNOWN} for values this version does not know
 * @param rawActivity     the string as received
 * @param statusMessage   the user's Teams status message text, or {@code null}
 * @param outOfOffice     whether automatic replies (out of office) are on
 * @param sequenceNumber  Graph's lexicographically sortable version of this presence, or {@code null};
 *                        a presence with a smaller sequence number than one already seen is stale
 * @param observedAt      when this presence was read
 */
public record TeamsPresence(
        String userId,
        Availability availability,
        String rawAvailability,
        Activity activity,
        String rawActivity,
        String statusMessage,
        boolean outOfOffice,
        String sequenceNumber,
        Instant observedAt) {

    public TeamsPresence {
        userId = Checks.requireText(userId, "TeamsPresence.userId");
        Checks.requireNonNull(availability, "TeamsPresence.availability");
        Checks.requireNonNull(activity, "TeamsPresence.activity");
        Checks.requireNonNull(observedAt, "TeamsPresence.observedAt");
        rawAvailability = rawAvailability == null ? availability.wireValue() : rawAvailability;
        rawActivity = rawActivity == null ? activity.wireValue() : rawActivity;
        statusMessage = Checks.blankToNull(statusMessage);
        sequenceNumber = Checks.blankToNull(sequenceNumber);
    }

    /** Parses wire strings at the adapter edge: unknown values are kept, never thrown away. */
    public static TeamsPresence parse(String userId, String availability, String activity, String statusMessage,
                                      boolean outOfOffice, String sequenceNumber, Instant observedAt) {
        return new TeamsPresence(userId, Availability.parse(availability), availability, Activity.parse(activity),
                activity, statusMessage, outOfOffice, sequenceNumber, observedAt);
    }

    /** A presence from known values, for tests and in-memory sources. */
    public static TeamsPresence of(String userId, Availability availability, Activity activity, Instant observedAt) {
        return new TeamsPresence(userId, availability, null, activity, null, null, false, null, observedAt);
    }

    /**
     * Whether this presence is older than {@code other} by sequence number. Without sequence numbers on
     * both sides nothing is stale. Graph's numbers sort lexicographically; a shorter number sorts first.
     */
    public boolean isOlderThan(TeamsPresence other) {
        if (sequenceNumber == null || other.sequenceNumber == null) {
            return false;
        }
        if (sequenceNumber.length() != other.sequenceNumber.length()) {
            return sequenceNumber.length() < other.sequenceNumber.length();
        }
        return sequenceNumber.compareTo(other.sequenceNumber) < 0;
    }

    /** "Busy/InACall" as Graph spells it, raw strings for unknown values. */
    public String label() {
        return rawAvailability + "/" + rawActivity;
    }
}
