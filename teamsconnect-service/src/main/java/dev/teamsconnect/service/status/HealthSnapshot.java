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
 * @param runningSince         when the sync loop was last started, or {@code null}
 * @param lastProgress         when the engine last completed a batch, phase or cycle, or {@code null}
 */
public record HealthSnapshot(boolean running, Instant lastSuccessfulCycle, Instant lastCycle, SideStatus source,
                             SideStatus sink, Instant runningSince, Instant lastProgress) {

    public HealthSnapshot {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
    }

    /** A snapshot without progress times: only finished cycles show that the loop gets on. */
    public HealthSnapshot(boolean running, Instant lastSuccessfulCycle, Instant lastCycle, SideStatus source,
                          SideStatus sink) {
        this(running, lastSuccessfulCycle, lastCycle, source, sink, null, null);
    }

    /**
     * The latest sign of life of the loop: the last progress, the last finished cycle or the start, whichever is
     * latest; {@code null} when none is known.
     */
    public Instant lastSignOfProgress() {
        Instant latest = null;
        for (Instant i : new Instant[] {lastProgress, lastCycle, runningSince}) {
            if (i != null && (latest == null || i.isAfter(latest))) {
                latest = i;
            }
        }
        return latest;
    }
}
