package dev.teamsconnect.core.error;

/**
 * A failure that will not go away by retrying: rejected credentials, missing permissions, bad configuration.
 * The engine reports it (log, health, audit) and does not hammer the other side with it.
 */
public class TerminalException extends TeamsConnectException {

    public TerminalException(String message) {
        super(message);
    }

    public TerminalException(String message, Throwable cause) {
        super(message, cause);
    }
}
