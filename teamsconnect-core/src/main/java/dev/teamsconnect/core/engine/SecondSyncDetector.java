package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.Hold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a second presence sync writing DND on the same PBX (STARFACE's own Microsoft Presence Sync, a second
 * TeamsConnect, another module). STARFACE allows only one presence sync at a time (shared/reference/starface-api.md,
 * "Peers and conflicts"); two make DND flicker and nobody knows why.
 *
 * <p>What it counts: a <em>foreign change</em>, a PBX DND that differs from the value the engine last read or wrote
 * for a user it holds or wants DND for, with no engine write in between. A person makes those too (the DND key
 * pressed during a call), so one is not a sign. What a second sync does and a person rarely does:
 * <ul>
 *   <li><b>in step with Teams</b>: DND switched back to the user's own value after Teams stopped wanting DND but
 *       before the engine restored it, or switched on while Teams wants DND before the engine wrote it, shortly after
 *       the engine had read it off ({@link #RECENT}); seen for {@link #USERS_IN_STEP} users or more within
 *       {@link #IN_STEP_WINDOW};</li>
 *   <li><b>taking turns</b>: {@link #TURNS} foreign changes or more of one user within {@link #TURNS_WINDOW}.</li>
 * </ul>
 * Either pattern logs one warning with the likely cause and the fix, at most once per {@link #WARN_EVERY}; the counts
 * and the last suspicion are in the {@link EngineSnapshot}. These thresholds are this project's choice: no source
 * describes how a second sync shows; docs/troubleshooting.md says what they are.
 *
 * <p>Limit: a user the engine does not act on (nothing wanted, nothing held) is not read, so a second sync that only
 * writes such users is not seen.
 */
final class SecondSyncDetector {

    private static final Logger LOG = LoggerFactory.getLogger(SecondSyncDetector.class);

    static final Duration RECENT = Duration.ofMinutes(2);
    static final Duration IN_STEP_WINDOW = Duration.ofMinutes(15);
    static final int USERS_IN_STEP = 3;
    static final Duration TURNS_WINDOW = Duration.ofHours(1);
    static final int TURNS = 3;
    static final Duration WARN_EVERY = Duration.ofHours(1);

    private final Map<String, Instant> inStepByUser = new LinkedHashMap<>();
    private final Map<String, Deque<Instant>> changesByUser = new HashMap<>();
    private long foreignChanges;
    private long inStep;
    private Instant suspectedAt;
    private Instant warnedAt;
    private String hint;

    /**
     * Looks at one read: a DND that differs from the one the engine last read or wrote, for a
     * user it holds or wants DND for, is a foreign change; whether it was in step with Teams presence.
     */
    void observe(Work w, UserTrack track, Hold old, PbxState actual, Instant now) {
        UserTrack.PbxSide before = track.pbx();
        boolean held = old != null && old.kind() == Hold.Kind.HELD && old.priorDnd() != old.writtenDnd();
        if (before.state() == null || before.state().dnd() == actual.dnd() || (!held && w.wantDnd().isUsersOwn())) {
            return;
        }
        Want presence = track.presence().fromPresence();
        boolean inStep;
        if (held) {
            // switched back to the user's own value after Teams stopped wanting the written one, before the restore
            inStep = actual.dnd() == old.priorDnd() && (presence.isUsersOwn() || presence.dnd() != old.writtenDnd());
        } else {
            // switched to the wanted value before the engine wrote it, shortly after the engine had read the other
            // (not for a MANUAL hold: the user took DND over by hand and may change their mind)
            inStep = old == null && !presence.isUsersOwn() && presence.dnd() == actual.dnd() && before.exchangedAt() != null
                    && !now.isAfter(before.exchangedAt().plus(RECENT));
        }
        foreignChange(w.pbx().id(), w.pbx().label(), inStep, now);
    }

    /**
     * A foreign change of one user's DND.
     *
     * @param label  the user, for the message
     * @param inStep whether it was in step with Teams presence
     */
    void foreignChange(String pbxUserId, String label, boolean inStep, Instant now) {
        foreignChanges++;
        Deque<Instant> turns = changesByUser.computeIfAbsent(pbxUserId, id -> new ArrayDeque<>());
        turns.addLast(now);
        while (!turns.isEmpty() && turns.peekFirst().isBefore(now.minus(TURNS_WINDOW))) {
            turns.removeFirst();
        }
        if (inStep) {
            this.inStep++;
            inStepByUser.remove(pbxUserId);
            inStepByUser.put(pbxUserId, now);
        }
        for (Iterator<Instant> it = inStepByUser.values().iterator(); it.hasNext(); ) {
            if (it.next().isBefore(now.minus(IN_STEP_WINDOW))) {
                it.remove();
            }
        }
        String seen = null;
        if (inStepByUser.size() >= USERS_IN_STEP) {
            seen = "the DND of " + inStepByUser.size() + " users changed in step with Teams presence within "
                    + IN_STEP_WINDOW.toMinutes() + " minutes before TeamsConnect wrote it";
        } else if (turns.size() >= TURNS) {
            seen = "the DND of " + label + " was changed " + turns.size() + " times within "
                    + TURNS_WINDOW.toMinutes() + " minutes by something other than TeamsConnect";
        }
        if (seen == null) {
            return;
        }
        suspectedAt = now;
        hint = seen + ". Another presence sync probably writes DND on this PBX (STARFACE allows only one): switch"
                + " off STARFACE's own Microsoft Presence Sync, or the other module or TeamsConnect instance, so that"
                + " one sync is left";
        if (warnedAt == null || !now.isBefore(warnedAt.plus(WARN_EVERY))) {
            warnedAt = now;
            LOG.warn("Second presence sync suspected: {} (docs/troubleshooting.md, \"A second presence sync\")", hint);
        }
    }

    EngineSnapshot.SecondSync state() {
        return foreignChanges == 0 ? EngineSnapshot.SecondSync.NONE : new EngineSnapshot.SecondSync(foreignChanges, inStep, suspectedAt, hint);
    }
}
