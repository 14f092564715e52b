package dev.teamsconnect.testkit;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.PresenceSource;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Proves the source kit against the in-memory fake (and the fake against the kit). */
class InMemoryPresenceSourceCompatibilityTest extends PresenceSourceCompatibilityKit {

    private InMemoryPresenceSource teams;

    @Override
    protected PresenceSource createSource(List<SeedUser> users) {
        teams = InMemoryPresenceSource.create(Clock.fixed(Instant.parse("2026-01-05T09:00:00Z"), ZoneOffset.UTC));
        int n = 0;
        for (SeedUser u : users) {
            String id = String.format("00000000-0000-4000-8000-%012d", ++n);
            teams.addUser(new TeamsUser(id, u.mail(), u.mail(), u.displayName(), u.enabled()));
            teams.setPresence(id, u.availability(), u.activity());
        }
        return teams;
    }

    @Override
    protected void changePresence(String userId, Availability availability, Activity activity) {
        teams.setPresence(userId, availability, activity);
    }
}
