package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.Hold;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Engine snapshots for tests that drive the output host by hand. */
final class WebhookSnapshots {

    private WebhookSnapshots() {
    }

    static EngineSnapshot of(Instant at, EngineSnapshot.UserStatus... users) {
        CycleReport cycle = new CycleReport(1, at, Duration.ZERO, users.length, users.length, users.length,
                users.length, 0, 0, 0, 0, 0, true, List.of());
        return new EngineSnapshot(at, new EngineSnapshot.Stats(1, 0, at, at, 0, Map.of(), 0, users.length, cycle,
                EngineSnapshot.SecondSync.NONE, EngineSnapshot.Sessions.NONE), List.of(users));
    }

    static EngineSnapshot.UserStatus user(String id, String presence, Boolean dnd) {
        PresenceCategory category = presence.startsWith("Busy") ? PresenceCategory.IN_A_CALL : PresenceCategory.AVAILABLE;
        Hold hold = Boolean.TRUE.equals(dnd) ? new Hold(id, Hold.Kind.HELD, false, true, null, null, true,
                Instant.EPOCH) : null;
        return new EngineSnapshot.UserStatus(id, "User " + id, "t-" + id, "Teams " + id, presence, category, dnd, dnd,
                null, hold, null, "reason " + id, Instant.EPOCH, null);
    }
}
