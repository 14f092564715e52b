package dev.teamsconnect.core.error;

/**
 * The state store cannot be read or written. A corrupt or foreign state file is never treated as empty:
 * the engine refuses to start and the message says which file, what is wrong, and the way out.
 */
public class StateStoreException extends TerminalException {

    public StateStoreException(String message) {
        super(message);
    }

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
