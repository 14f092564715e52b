package dev.teamsconnect.core.output;

import java.time.Instant;

/**
 * What one output's delivery did since start, for metrics and the status page. Immutable.
 *
 * @param name            the output's name (its type, with {@code -2}, {@code -3}... when a type is configured more
 *                        than once)
 * @param type            the provider id, e.g. {@code webhook}
 * @param delivered       user statuses the output accepted (re-publishes included)
 * @param failed          failed calls ({@code open}, {@code publish}, {@code remove})
 * @param removed         users removed from the output after they left the scope
 * @param dropped         statuses not queued because {@link OutputSettings#maxQueued()} users were waiting
 * @param queued          users waiting for delivery (or removal) now
 * @param lastDeliveredAt when the output last accepted a call, or null
 * @param lastError       the last failure's message (no secrets: outputs never put one in a message), or null
 * @param lastErrorAt     when, or null
 * @param failing         whether the last call failed (delivery is being retried)
 */
public record OutputStats(String name, String type, long delivered, long failed, long removed, long dropped, int queued,
                          Instant lastDeliveredAt, String lastError, Instant lastErrorAt, boolean failing) {
}
