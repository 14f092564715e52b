package dev.teamsconnect.core.error;

/**
 * The one unchecked base exception of TeamsConnect. Subclasses say whether retrying can help:
 * {@link RetryableException} (I/O, 429, 5xx: back off and try again) and {@link TerminalException}
 * (bad credentials, bad config: report and stop hammering). Messages never contain secrets.
 */
public class TeamsConnectException extends RuntimeException {

    public TeamsConnectException(String message) {
        super(message);
    }

    public TeamsConnectException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same call may succeed later without anyone changing anything. */
    public boolean isRetryable() {
        return false;
    }
}
