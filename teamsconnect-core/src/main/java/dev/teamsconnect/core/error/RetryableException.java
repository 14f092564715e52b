package dev.teamsconnect.core.error;

import java.time.Duration;
import java.util.Optional;

/** A failure that may go away by itself: I/O errors, timeouts, 429 and 5xx answers. */
public class RetryableException extends TeamsConnectException {

    private final Duration retryAfter;

    public RetryableException(String message) {
        this(message, null, null);
    }

    public RetryableException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /**
     * @param retryAfter how long the other side asked us to wait (e.g. HTTP {@code Retry-After}), or {@code null}
     */
    public RetryableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
