package dev.teamsconnect.core.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A sign-in that waits for a person, e.g. a device code to enter on a Microsoft page: shown by the host where an
 * admin looks (the log, the status page), not only in the log. Holds no secret: the user code alone signs nobody in
 * without the person's own credentials, and it expires.
 *
 * @param message         the source's ready-made sentence with both, as it is logged
 * @param userCode        the short code to type in
 * @param verificationUri the page to open
 * @param expiresAt       when the code stops working
 */
public record SignInPrompt(String message, String userCode, String verificationUri, Instant expiresAt) {

    public SignInPrompt {
        Objects.requireNonNull(userCode, "userCode");
        Objects.requireNonNull(verificationUri, "verificationUri");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
