package dev.teamsconnect.testkit.graph;

import java.time.Instant;

/**
 * A presence change scripted on the {@link GraphEmulator}, with the time the emulator applied it.
 *
 * @param userId         the user's object id
 * @param availability   the availability string as Graph will send it
 * @param activity       the activity string as Graph will send it
 * @param sequenceNumber the sequence number the change got
 * @param at             when the change was applied (emulator clock)
 */
public record PresenceChange(String userId, String availability, String activity, String sequenceNumber, Instant at) {
}
