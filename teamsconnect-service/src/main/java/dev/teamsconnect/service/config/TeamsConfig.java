package dev.teamsconnect.service.config;

import java.time.Duration;

/**
 * Not a config section any more: the {@code teams} section is owned by the Graph plugin. Only the default poll
 * interval is left here for one remaining caller.
 *
 * @param pollInterval the poll interval
 * @deprecated use {@code GraphPresenceSource.DEFAULT_POLL_INTERVAL} or {@code EngineWiring.pollInterval()}
 */
@Deprecated(forRemoval = true)
public record TeamsConfig(Duration pollInterval) {

    /** The poll interval when a source gives none. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
}
