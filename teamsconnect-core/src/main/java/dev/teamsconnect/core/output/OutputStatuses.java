package dev.teamsconnect.core.output;

import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.spi.OutputStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns the engine's {@link EngineSnapshot} into the {@link OutputStatus} of each user. */
public final class OutputStatuses {

    private OutputStatuses() {
    }

    /** One status per mapped user, keyed by PBX user id, in the snapshot's order; {@code at} is when it was taken. */
    public static Map<String, OutputStatus> of(EngineSnapshot snapshot) {
        Map<String, OutputStatus> out = new LinkedHashMap<>(Math.max(16, snapshot.users().size() * 2));
        for (EngineSnapshot.UserStatus u : snapshot.users()) {
            out.put(u.pbxUserId(), of(u, snapshot));
        }
        return out;
    }

    /** The status of one user of {@code snapshot}. */
    public static OutputStatus of(EngineSnapshot.UserStatus u, EngineSnapshot snapshot) {
        String availability = null;
        String activity = null;
        if (u.presence() != null) {
            // the snapshot carries Graph's two values as "Availability/Activity" (TeamsPresence.label())
            int slash = u.presence().indexOf('/');
            availability = slash < 0 ? u.presence() : u.presence().substring(0, slash);
            activity = slash < 0 ? null : u.presence().substring(slash + 1);
        }
        return new OutputStatus(u.pbxUserId(), u.pbxLabel(), u.teamsUserId(), blankToNull(availability),
                blankToNull(activity), u.category(), u.desiredDnd(), u.pbxDnd(),
                u.hold() == null ? null : u.hold().kind(), u.lastChangeReason(), snapshot.takenAt());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
