package dev.teamsconnect.core.error;

/** The other side does not know this user (e.g. HTTP 404 for one user id). Affects that user only. */
public class UnknownUserException extends TerminalException {

    private final String userId;

    public UnknownUserException(String userId, String message) {
        super(message);
        this.userId = userId;
    }

    public String userId() {
        return userId;
    }
}
