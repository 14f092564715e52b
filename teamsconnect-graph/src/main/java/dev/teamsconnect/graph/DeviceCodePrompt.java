package dev.teamsconnect.graph;

import java.time.Duration;

/**
 * What an admin needs to finish a device code sign-in: open {@code verificationUri} and enter {@code userCode}.
 *
 * @param message         Microsoft's ready-made sentence with both, as it is logged
 * @param userCode        the short code to type in
 * @param verificationUri the page to open
 * @param expiresIn       how long the code stays valid
 */
public record DeviceCodePrompt(String message, String userCode, String verificationUri, Duration expiresIn) {
}
