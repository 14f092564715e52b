package dev.teamsconnect.testkit;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxSink;
import java.util.List;

/**
 * The tests every {@link PbxSink} must pass. A plugin's test class extends this kit and implements the hooks
 * against its backend (an emulator, a local receiver, an in-memory fake):
 *
 * <pre>{@code
 * class StarfacePbxSinkCompatibilityTest extends PbxSinkCompatibilityKit { ... }
 * }</pre>
 */
public abstract class PbxSinkCompatibilityKit {

    /** A user the kit asks the backend to hold before a test. */
    public record SeedUser(String login, String email, String displayName, boolean dnd) {
    }

    /**
     * A new sink over a backend that holds exactly {@code users} (and nothing else). Called once per test;
     * the kit closes the sink after the test. The sink has not been opened yet.
     */
    protected abstract PbxSink createSink(List<SeedUser> users);

    /** Changes a user's DND on the backend as if the user pressed the key on the phone (not through the sink). */
    protected abstract void setDndOutOfBand(PbxUser user, boolean dnd);

    /** The backend's own DND value for the user, read without the sink. */
    protected abstract boolean backendDnd(PbxUser user);
}
