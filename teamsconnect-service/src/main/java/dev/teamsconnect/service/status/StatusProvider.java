package dev.teamsconnect.service.status;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.spi.SignInPrompt;
import java.util.List;
import java.util.Optional;

/**
 * What the page and the /health and /status endpoints show. Called on HTTP threads, concurrently with the sync:
 * implementations must be thread-safe and return quickly (no network I/O). {@link StatusBoard} is the standard
 * implementation that the engine wiring feeds; the defaults below are "nothing known yet".
 */
public interface StatusProvider {

    /** The facts for /health. */
    HealthSnapshot health();

    /** All known users for /status, in a stable order. */
    List<UserStatus> users();

    /** A sign-in that waits for a person (a device code), if any. */
    default Optional<SignInPrompt> signInPrompt() {
        return Optional.empty();
    }

    /** The report of the last cycle, or {@code null}. */
    default CycleReport lastReport() {
        return null;
    }

    /** The recent cycles for the charts, oldest first. */
    default List<StatusBoard.CyclePoint> cycles() {
        return List.of();
    }

    /** The mapping of the last user refresh, or {@code null}. */
    default MappingReport mapping() {
        return null;
    }

    /** What the engine noticed of a second presence sync on the PBX. */
    default dev.teamsconnect.core.engine.EngineSnapshot.SecondSync secondSync() {
        return dev.teamsconnect.core.engine.EngineSnapshot.SecondSync.NONE;
    }

    /** The Teams presence sessions of pbxToTeams: counters and why presence cannot be written, if so. */
    default dev.teamsconnect.core.engine.EngineSnapshot.Sessions teamsSessions() {
        return dev.teamsconnect.core.engine.EngineSnapshot.Sessions.NONE;
    }

    /** The recent decisions, newest first. */
    default List<StatusBoard.Change> recentChanges() {
        return List.of();
    }

    /** Each status output's delivery figures, in configuration order; empty without outputs. */
    default List<dev.teamsconnect.core.output.OutputStats> outputs() {
        return List.of();
    }
}
