package dev.teamsconnect.testkit;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxSink;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** Proves the sink kit against the in-memory fake (and the fake against the kit). */
class InMemoryPbxSinkCompatibilityTest extends PbxSinkCompatibilityKit {

    private InMemoryPbxSink pbx;

    @Override
    protected PbxSink createSink(List<SeedUser> users) {
        pbx = InMemoryPbxSink.create(Clock.fixed(Instant.parse("2026-01-05T09:00:00Z"), ZoneOffset.UTC));
        int id = 1000;
        for (SeedUser u : users) {
            pbx.addUser(String.valueOf(++id), u.login(), u.email(), u.displayName(), u.dnd());
        }
        return pbx;
    }

    @Override
    protected void setDndOutOfBand(PbxUser user, boolean dnd) {
        pbx.pressDndKey(user.id(), dnd);
    }

    @Override
    protected boolean backendDnd(PbxUser user) {
        return pbx.dnd(user.id());
    }
}
