package dev.teamsconnect.service.status;

import java.time.Instant;
import java.util.Objects;

/**
 * The sign-in state of one side.
 *
 * @param providerId the plugin id, e.g. {@code graph} or {@code starface}
 * @param state      signed in or not
 * @param detail     why it failed and how to fix it, or {@code null}; must not contain secrets (it is served on
 *                   /health)
 * @param since      when the state was last set, or {@code null} before the first attempt
 */
public record SideStatus(String providerId, SignInState state, String detail, Instant since) {

    public SideStatus {
        Objects.requireNonNull(providerId, "providerId");
        Objects.requireNonNull(state, "state");
    }

    public static SideStatus notYet(String providerId) {
        return new SideStatus(providerId, SignInState.NOT_YET, null, null);
    }
}
