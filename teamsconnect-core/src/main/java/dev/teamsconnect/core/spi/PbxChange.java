package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import java.time.Instant;
import java.util.Objects;

/**
 * One write the engine asks a sink to make: bring {@code user} from {@code from} to {@code to}.
 * The sink writes the fields it supports; {@code from} is what the engine last read.
 *
 * @param user     the PBX user
 * @param from     the state the engine read before deciding
 * @param to       the state to write
 * @param presence the Teams presence behind the decision, or {@code null} (e.g. a release on shutdown)
 * @param category the category behind the decision, or {@code null}
 * @param reason   a human-readable reason, e.g. "Teams Busy/InACall -> DND on (policy IN_A_CALL)"
 * @param at       when the engine decided
 */
public record PbxChange(PbxUser user, PbxState from, PbxState to, TeamsPresence presence,
                        PresenceCategory category, String reason, Instant at) {

    public PbxChange {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }
}
