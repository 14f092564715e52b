package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.TeamsConnectException;
import java.util.Map;

/**
 * The outcome of a call that covers many users: the values that were read (or the users that were written),
 * and per-user failures. A failure for one user (e.g. a 404) never hides the results for the others.
 * A failure of the whole call is thrown instead.
 *
 * @param values   results by user id; for writes the applied state
 * @param failures failures by user id
 */
public record BatchResult<T>(Map<String, T> values, Map<String, TeamsConnectException> failures) {

    public BatchResult {
        values = Map.copyOf(values);
        failures = Map.copyOf(failures);
    }

    public static <T> BatchResult<T> of(Map<String, T> values) {
        return new BatchResult<>(values, Map.of());
    }
}
