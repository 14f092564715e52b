package dev.teamsconnect.testkit;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.List;

/**
 * The tests every {@link PresenceSource} must pass. A plugin's test class extends this kit and implements the
 * hooks against its backend (an emulator, a file, an in-memory fake).
 */
public abstract class PresenceSourceCompatibilityKit {

    /** A user the kit asks the backend to hold before a test, with its initial presence. */
    public record SeedUser(String mail, String displayName, boolean enabled, Availability availability, Activity activity) {
    }

    /**
     * A new source over a backend that holds exactly {@code users}. Called once per test; the kit closes the
     * source after the test. The source has not been opened yet.
     */
    protected abstract PresenceSource createSource(List<SeedUser> users);

    /**
     * Changes a user's presence on the backend, as Teams would (not through the source). {@code userId} is the id
     * the source reported for that user in {@code listUsers()}.
     */
    protected abstract void changePresence(String userId, Availability availability, Activity activity);
}
