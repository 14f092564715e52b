package dev.teamsconnect.graph;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.testkit.PresenceSourceCompatibilityKit;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The source compatibility kit against the Graph emulator, through the real msal4j and Graph SDK over HTTPS. */
class GraphPresenceSourceCompatibilityTest extends PresenceSourceCompatibilityKit {

    private GraphEmulator emulator;

    @Override
    protected PresenceSource createSource(List<SeedUser> users) {
        emulator = GraphTestSupport.emulator();
        for (SeedUser u : users) {
            EmulatedUser e = emulator.addUser(u.mail(), u.displayName(), u.enabled());
            emulator.setPresence(e.id(), u.availability(), u.activity());
        }
        return GraphTestSupport.secretSource(emulator).build();
    }

    @Override
    protected void changePresence(String userId, Availability availability, Activity activity) {
        emulator.setPresence(userId, availability, activity);
    }

    @AfterEach
    void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }
}
