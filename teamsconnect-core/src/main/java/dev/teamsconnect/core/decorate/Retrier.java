package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import java.time.Duration;
import java.util.Random;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a call under a {@link RetryPolicy}. Only retryable {@link TeamsConnectException}s are retried. */
final class Retrier {

    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Random random;

    Retrier(RetryPolicy policy, Sleeper sleeper, Random random) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.random = random;
    }

    <T> T call(String what, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (TeamsConnectException e) {
                if (!e.isRetryable() || attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration wait = policy.backoff(attempt, random);
                if (e instanceof RetryableException r && r.retryAfter().isPresent()) {
                    Duration asked = r.retryAfter().get();
                    if (asked.compareTo(policy.maxBackoff()) > 0) {
                        throw e; // the other side wants a longer pause than we wait within a cycle
                    }
                    wait = asked.compareTo(wait) > 0 ? asked : wait;
                }
                LOG.debug("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, policy.maxAttempts(),
                        wait.toMillis(), e.getMessage());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }
}
