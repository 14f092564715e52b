package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.Hold;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A read-only picture of the engine for a status page, taken at the end of a cycle. Immutable, so any thread may
 * read it while cycles run.
 *
 * @param takenAt when it was taken (engine clock)
 * @param stats   engine-wide figures
 * @param users   one entry per mapped user, sorted by PBX label
 */
public record EngineSnapshot(Instant takenAt, Stats stats, List<UserStatus> users) {

    public EngineSnapshot {
        users = List.copyOf(users);
    }

    /**
     * @param cycles          cycles run
     * @param failedCycles    cycles with at least one failure
     * @param lastCycleAt     when the last cycle began, or null
     * @param lastSuccessAt   when the last cycle without any failure began, or null
     * @param writes          PBX writes since start
     * @param failuresByKind  failures since start by kind, e.g. {@code sink.applyAll}, {@code source.readPresence},
     *                        {@code store.commit}, {@code user.write}, {@code policy}
     * @param holds           holds now (held and manual)
     * @param mappedUsers     mapped users now
     * @param lastCycle       the report of the last cycle, or null
     * @param secondSync      what the engine noticed of a second presence sync on the PBX
     * @param sessions        the PBX-to-Teams direction's presence sessions
     */
    public record Stats(long cycles, long failedCycles, Instant lastCycleAt, Instant lastSuccessAt, long writes,
                        Map<String, Long> failuresByKind, int holds, int mappedUsers, CycleReport lastCycle,
                        SecondSync secondSync, Sessions sessions) {
        public Stats {
            failuresByKind = Map.copyOf(failuresByKind);
            Objects.requireNonNull(secondSync, "secondSync");
            Objects.requireNonNull(sessions, "sessions");
        }
    }

    /**
     * The Teams presence sessions of the PBX-to-Teams direction ({@code pbxToTeams}).
     *
     * @param active  sessions now (set, or being set or cleared)
     * @param set     sessions set since start
     * @param renewed renewals since start
     * @param cleared sessions cleared since start
     * @param failed  failed set, renew or clear requests since start
     * @param problem why presence cannot be written now (a missing permission, with the fix), or null
     */
    public record Sessions(int active, long set, long renewed, long cleared, long failed, String problem) {
        /** Nothing written. */
        public static final Sessions NONE = new Sessions(0, 0, 0, 0, 0, null);
    }

    /**
     * What the engine knows of a second presence sync on the same PBX (see docs/troubleshooting.md).
     *
     * @param foreignChanges DND changes the engine did not make, of users it acts on, since start
     * @param inStep         of those, the ones in step with Teams presence
     * @param suspectedAt    when a pattern of a second sync was last seen, or null
     * @param hint           what was seen and what to do, or null
     */
    public record SecondSync(long foreignChanges, long inStep, Instant suspectedAt, String hint) {
        /** Nothing seen. */
        public static final SecondSync NONE = new SecondSync(0, 0, null, null);

        /** How long a suspicion counts as current: as long as the engine's warning about it lasts. */
        public static final Duration CURRENT_FOR = SecondSyncDetector.WARN_EVERY;

        /** Whether a second sync was suspected within {@code window} before {@code now}. */
        public boolean suspectedWithin(Duration window, Instant now) {
            return suspectedAt != null && !suspectedAt.isBefore(now.minus(window));
        }

        /** Whether a second sync was suspected within {@link #CURRENT_FOR} before {@code now}. */
        public boolean suspected(Instant now) {
            return suspectedWithin(CURRENT_FOR, now);
        }
    }


    /**
     * @param pbxUserId       the PBX user id
     * @param pbxLabel        the PBX user's name and login
     * @param teamsUserId     the Teams user id
     * @param teamsLabel      the Teams user's name and address
     * @param presence        the last Teams presence read ("Busy/InACall"), or null
     * @param category        the category the engine acts on (after debounce), or null
     * @param desiredDnd      the DND the engine wants now (after grace), null = the user's own
     * @param pbxDnd          the last PBX DND the engine read or wrote, or null when it had no need to read it
     * @param pbxChatStatus   the last PBX chat status the engine read or wrote, or null
     * @param hold            the user's hold, or null
     * @param lastChangeKind  the kind of the last decision for this user, or null
     * @param lastChangeReason why, or null
     * @param lastChangeAt    when, or null
     * @param teamsSession    the presence session the product keeps in Teams for this user, or null
     */
    public record UserStatus(String pbxUserId, String pbxLabel, String teamsUserId, String teamsLabel, String presence,
                             PresenceCategory category, Boolean desiredDnd, Boolean pbxDnd, String pbxChatStatus,
                             Hold hold, AuditEvent.Kind lastChangeKind, String lastChangeReason, Instant lastChangeAt,
                             dev.teamsconnect.core.spi.TeamsSession teamsSession) {
    }

    /** The entry for one PBX user, or null. */
    public UserStatus user(String pbxUserId) {
        for (UserStatus u : users) {
            if (u.pbxUserId().equals(pbxUserId)) {
                return u;
            }
        }
        return null;
    }
}
