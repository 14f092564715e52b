package dev.teamsconnect.service.status;

import java.time.Instant;
import java.util.Objects;

/**
 * The facts /health is computed from.
 *
 * @param running              whether the sync loop is running (false before start and after stop)
 * @param lastSuccessfulCycle  when the last cycle finished without a failure of a whole side, or {@code null}
 * @param lastCycle            when the last cycle finished at all, or {@code null}
 * @param source               the presence source's sign-in state
 * @param sink                 the PBX sink's sign-in state
 */
public record HealthSnapshot(boolean running, Instant lastSuccessfulCycle, Instant lastCycle, SideStatus source,
                             SideStatus sink) {

    public HealthSnapshot {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
    }
}
