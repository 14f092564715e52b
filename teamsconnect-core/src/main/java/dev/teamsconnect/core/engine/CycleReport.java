package dev.teamsconnect.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one cycle did. Immutable.
 *
 * @param cycle           the cycle number, from 1
 * @param startedAt       when the cycle began (engine clock)
 * @param duration        how long it took (engine clock)
 * @param teamsUsers      Teams users listed (at the last user refresh)
 * @param pbxUsers        PBX users in scope (at the last user refresh)
 * @param matched         mapped users
 * @param presenceRead    users whose presence was read and classified this cycle
 * @param skipped         users skipped because their presence could not be read (or was UNKNOWN)
 * @param stateReads      PBX states read (only users who have a hold or whose desired state overrides something)
 * @param writes          PBX writes that succeeded (or would have, in a dry run)
 * @param failures        failed calls and per-user failures this cycle
 * @param holds           holds after the cycle
 * @param usersRefreshed  whether the user lists were refreshed and re-matched in this cycle
 * @param errors          one line per failure of a whole step (e.g. "sink.readStates: ..."); empty when all went well
 */
public record CycleReport(long cycle, Instant startedAt, Duration duration, int teamsUsers, int pbxUsers, int matched,
                          int presenceRead, int skipped, int stateReads, int writes, int failures, int holds,
                          boolean usersRefreshed, List<String> errors) {

    public CycleReport {
        errors = List.copyOf(errors);
    }

    /** Whether every step of the cycle worked (per-user failures count as failures too). */
    public boolean success() {
        return failures == 0 && errors.isEmpty();
    }

    /** The one summary line the engine logs per cycle. */
    public String summary() {
        return "cycle " + cycle + ": " + matched + " mapped, " + presenceRead + " presence read, " + skipped
                + " skipped, " + stateReads + " PBX reads, " + writes + " writes, " + failures + " failures, " + holds
                + " holds, " + duration.toMillis() + " ms" + (errors.isEmpty() ? "" : "; errors: " + String.join(" | ", errors));
    }
}
