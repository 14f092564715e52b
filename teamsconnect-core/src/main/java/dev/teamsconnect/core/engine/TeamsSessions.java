package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.HumanDuration;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceWriter;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.TeamsSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PBX-to-Teams direction ({@link PbxToTeams}): decides per user whether the product's presence session should
 * exist in Teams (a DND set at the phone, a PBX call), keeps the sessions in the {@link StateStore} (write-ahead,
 * like holds), sends {@code setPresence}/{@code clearPresence} on a thread of its own (a slow or throttled write never
 * delays a DND change), renews sessions before they end, reads every user's DND spread over
 * {@link PbxToTeams#readInterval()} below every change and recheck, and tells the cycle which presence is the echo
 * of its own session, so that it never becomes a reason to hold DND.
 *
 * <p>Loop safety (docs/architecture.md, "Both directions without loops"):
 * <ul>
 *   <li>a session is only ever caused by a DND the engine did not write, or by a PBX call: the engine's own DND
 *       writes never create one;</li>
 *   <li>the session's echo in Teams ({@link SessionEcho}) is no Teams call: the cycle sees a neutral Available
 *       instead, so no hold is started from it and none kept alive by it;</li>
 *   <li>a cleared session stays in the store until its echo is over, so an instance that starts in between knows
 *       the echo too. The price: a Teams call that starts exactly where a session ends, with the same pair and no
 *       other presence between, is taken up at its next presence change or when the session would have
 *       expired.</li>
 * </ul>
 *
 * <p>Touched on the cycle thread, except the writer's queue and outcomes (its own thread) and the DND hints.
 */
final class TeamsSessions {

    private static final Logger LOG = LoggerFactory.getLogger(TeamsSessions.class);

    /** After a missing permission, writing is tried again this often (and reported once). */
    static final Duration PERMISSION_RETRY = Duration.ofMinutes(15);
    /** After any other failed write, this user's session is tried again after this long. */
    static final Duration FAILURE_RETRY = Duration.ofSeconds(30);

    private final PbxToTeams settings;
    private final Clock clock;
    private final StateStore store;
    private final PbxSink sink;
    private final UserDirectory directory;

    // cycle thread
    private final TeamsWriter writer;
    private final DndScan scan;
    private boolean callState;
    private final Map<String, TeamsSession> sessions = new LinkedHashMap<>();
    private final Set<String> echoesOver = new HashSet<>();
    private final Map<String, Instant> retryAt = new HashMap<>();
    private final Set<String> resend = new HashSet<>();
    private final Set<String> inFlight = new HashSet<>();
    private Set<String> onCall = Set.of();
    private String permissionProblem;

    private volatile int active; // read by the snapshot

    TeamsSessions(PbxToTeams settings, Clock clock, StateStore store, PbxSink sink,
                  UserDirectory directory, boolean dryRun, java.util.concurrent.Executor executor) {
        this.settings = settings;
        this.clock = clock;
        this.store = store;
        this.sink = sink;
        this.directory = directory;
        this.writer = settings.enabled() ? new TeamsWriter(settings.sessionLength(), dryRun, clock, executor) : null;
        this.scan = new DndScan(settings, clock, sink, directory);
    }

    private static final TeamsWriter.Intent.Kind SET = TeamsWriter.Intent.Kind.SET;
    private static final TeamsWriter.Intent.Kind RENEW = TeamsWriter.Intent.Kind.RENEW;
    private static final TeamsWriter.Intent.Kind CLEAR = TeamsWriter.Intent.Kind.CLEAR;

    boolean enabled() {
        return settings.enabled();
    }

    /** Registers for the sink's DND events; before the sink opens. */
    void beforeSinkOpen() {
        if (settings.dnd() != PbxToTeams.Show.OFF) {
            sink.onDndChanged(scan::hint);
        }
    }

    /**
     * After load and claim: takes the sessions of the store (each is set again at the first evaluation if its cause
     * still holds, cleared otherwise: a record may be a write-ahead whose {@code setPresence} never happened) and the
     * writer.
     */
    void open(java.util.Optional<PresenceWriter> presenceWriter) {
        Map<String, TeamsSession> loaded = store.loadSessions();
        sessions.clear();
        sessions.putAll(loaded);
        for (TeamsSession s : loaded.values()) {
            if (s.active()) {
                resend.add(s.pbxUserId());
                scan.hint(List.of(s.pbxUserId())); // read in the first scan: renewed or cleared at once
            }
        }
        countActive();
        if (active > 0) {
            LOG.info("{} Teams presence session(s) loaded from store '{}': renewed or cleared in the first cycle",
                    active, store.id());
        }
        if (!settings.enabled()) {
            return;
        }
        presenceWriter.ifPresent(writer::writer);
        if (!writer.canWrite()) {
            LOG.warn("pbxToTeams is on, but the presence source cannot write presence: nothing goes to Teams");
        }
    }

    /** After the sink opened: which of its capabilities this direction uses. */
    void sinkOpened(Set<Capability> capabilities) {
        scan.sinkReportsChanges(capabilities.contains(Capability.DND_EVENTS));
        callState = capabilities.contains(Capability.PBX_CALLS);
        if (settings.calls() != PbxToTeams.Show.OFF && !callState) {
            LOG.warn("pbxToTeams.calls is on, but PBX sink '{}' reports no call state: PBX calls do not show in Teams",
                    sink.id());
        }
    }

    /** The active sessions now, by PBX user id (a copy; cleared ones whose echo may still show are left out). */
    Map<String, TeamsSession> sessions() {
        if (active == 0) {
            return Map.of();
        }
        Map<String, TeamsSession> m = new HashMap<>();
        sessions.forEach((id, s) -> {
            if (s.active()) {
                m.put(id, s);
            }
        });
        return m;
    }

    private void countActive() {
        int n = 0;
        for (TeamsSession s : sessions.values()) {
            if (s.active()) {
                n++;
            }
        }
        active = n;
    }

    /**
     * Whether {@code p} is the echo of this product's own session for the user ({@link SessionEcho}); a cleared
     * session whose echo is over is removed from the store at the next {@link #reconcile}.
     */
    boolean isEcho(String pbxUserId, TeamsPresence p, Instant now) {
        TeamsSession s = p == null ? null : sessions.get(pbxUserId);
        if (s == null) {
            return false;
        }
        SessionEcho.Verdict v = SessionEcho.of(s, p, now);
        if (v == SessionEcho.Verdict.GONE) {
            echoesOver.add(pbxUserId);
        }
        return v == SessionEcho.Verdict.ECHO;
    }

    /**
     * The sessions' step of a cycle: takes in what the writer did, reads who is on a PBX call, decides each user's
     * session from what is known of their PBX DND, commits the new records write-ahead and hands the writes to the
     * writer's thread. Never waits for a write.
     */
    void reconcile(Instant now, Map<String, Hold> holds, List<String> errors) {
        if (writer == null) {
            forgetGone(errors); // pbxToTeams off: sessions of an earlier run only end (at their expiry)
            return;
        }
        drainOutcomes(now);
        if (!writer.canWrite()) {
            return;
        }
        if (callState && settings.calls() != PbxToTeams.Show.OFF) {
            try {
                onCall = Set.copyOf(sink.usersOnCall());
            } catch (TeamsConnectException e) {
                errors.add("sink.usersOnCall: " + e.getMessage());
            }
        }
        List<MappedUser> mapped = directory.mapped();
        if (mapped == null) {
            return;
        }
        Map<String, TeamsSession> upserts = new LinkedHashMap<>();
        Set<String> removals = new HashSet<>(echoesOver);
        List<TeamsWriter.Intent> intents = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (MappedUser m : mapped) {
            String id = m.pbx().id();
            seen.add(id);
            decide(m.pbx(), m.teams().id(), holds.get(id), now, upserts, intents);
        }
        for (TeamsSession s : List.copyOf(sessions.values())) {
            if (seen.contains(s.pbxUserId()) || inFlight.contains(s.pbxUserId())) {
                continue;
            }
            if (s.active()) {
                // no longer mapped: the session ends
                intents.add(new TeamsWriter.Intent(s.pbxUserId(), s.pbxUserId(), s, CLEAR,
                        "user no longer mapped to a Teams user"));
            } else {
                removals.add(s.pbxUserId()); // no presence of theirs is read any more: no echo to recognise
            }
        }
        upserts.keySet().forEach(removals::remove);
        if (!upserts.isEmpty() || !removals.isEmpty()) {
            try {
                store.commitSessions(upserts.values(), removals);
            } catch (TeamsConnectException e) {
                errors.add("store.commitSessions: " + e.getMessage() + " (no Teams presence written this cycle)");
                return;
            }
            echoesOver.clear();
            removals.forEach(sessions::remove);
            sessions.putAll(upserts);
            countActive();
        }
        intents.forEach(this::enqueue);
    }

    private void enqueue(TeamsWriter.Intent intent) {
        inFlight.add(intent.pbxUserId());
        writer.enqueue(intent);
    }

    /** Removes the sessions whose echo is over from the store (without pbxToTeams, nothing else is written). */
    private void forgetGone(List<String> errors) {
        if (echoesOver.isEmpty()) {
            return;
        }
        try {
            store.commitSessions(List.of(), List.copyOf(echoesOver));
        } catch (TeamsConnectException e) {
            errors.add("store.commitSessions: " + e.getMessage());
            return;
        }
        echoesOver.forEach(sessions::remove);
        echoesOver.clear();
        countActive();
    }

    private void decide(PbxUser user, String teamsUserId, Hold hold, Instant now, Map<String, TeamsSession> upserts,
                        List<TeamsWriter.Intent> intents) {
        String id = user.id();
        if (inFlight.contains(id)) {
            return; // decided again once the writer is done with this user
        }
        Instant retry = retryAt.get(id);
        if (retry != null && now.isBefore(retry)) {
            return;
        }
        TeamsSession current = sessions.get(id);
        if (current != null && !current.active()) {
            current = null; // cleared: only its echo is left
        }
        Boolean dnd = scan.knownDnd(id);
        TeamsSession.Cause cause = null;
        PbxToTeams.Show show = PbxToTeams.Show.OFF;
        if (settings.dnd() != PbxToTeams.Show.OFF && Boolean.TRUE.equals(dnd) && !writtenByEngine(hold)) {
            cause = TeamsSession.Cause.PBX_DND;
            show = settings.dnd();
        } else if (settings.calls() != PbxToTeams.Show.OFF && onCall.contains(id)) {
            cause = TeamsSession.Cause.PBX_CALL;
            show = settings.calls();
        }
        if (cause == null) {
            if (current != null && (dnd != null || current.cause() == TeamsSession.Cause.PBX_CALL
                    || settings.dnd() == PbxToTeams.Show.OFF)) {
                boolean byHand = current.cause() == TeamsSession.Cause.PBX_DND && Boolean.FALSE.equals(dnd);
                String why = current.cause() == TeamsSession.Cause.PBX_CALL ? "PBX call ended"
                        : settings.dnd() == PbxToTeams.Show.OFF ? "pbxToTeams.dnd is off"
                        : byHand ? "DND switched off at the phone"
                        : "the DND on the PBX is the engine's own now";
                intents.add(new TeamsWriter.Intent(id, user.label(), current, CLEAR, why));
            }
            return;
        }
        String why = cause == TeamsSession.Cause.PBX_DND ? "DND set at the phone" : "PBX call";
        Instant expires = now.plus(settings.sessionLength());
        if (current == null || current.cause() != cause || current.availability() != show.availability()
                || !current.teamsUserId().equals(teamsUserId)) {
            TeamsSession s = new TeamsSession(id, teamsUserId, cause, show.availability(), show.activity(),
                    current != null && current.cause() == cause ? current.since() : now, expires);
            upserts.put(id, s);
            intents.add(new TeamsWriter.Intent(id, user.label(), s, SET, why));
            resend.remove(id);
            return;
        }
        Duration margin = settings.sessionLength().dividedBy(4);
        if (resend.remove(id) || !now.isBefore(current.expiresAt().minus(margin))) {
            TeamsSession s = current.renewedUntil(expires);
            upserts.put(id, s);
            intents.add(new TeamsWriter.Intent(id, user.label(), s, RENEW, why));
        }
    }

    /** Whether the DND on the PBX is the engine's own (a hold it wrote over the user's DND off). */
    private static boolean writtenByEngine(Hold hold) {
        return hold != null && hold.kind() == Hold.Kind.HELD && hold.writtenDnd() && !hold.priorDnd();
    }

    /** Takes in what the writer did (cycle thread). */
    private void drainOutcomes(Instant now) {
        List<TeamsSession> cleared = new ArrayList<>();
        for (TeamsWriter.Outcome o : writer.takeOutcomes()) {
            TeamsWriter.Intent i = o.intent();
            String id = i.pbxUserId();
            inFlight.remove(id);
            TeamsSession s = i.session();
            if (o.failure() != null) {
                boolean permission = o.failure() instanceof TerminalException
                        && !(o.failure() instanceof UnknownUserException);
                if (permission) {
                    if (permissionProblem == null) {
                        LOG.error("Teams presence cannot be written: {}. The Teams -> PBX sync goes on; writing is "
                                + "tried again every {}", o.failure().getMessage(), HumanDuration.of(PERMISSION_RETRY));
                    }
                    permissionProblem = o.failure().getMessage();
                    retryAt.put(id, now.plus(PERMISSION_RETRY));
                } else {
                    retryAt.put(id, now.plus(FAILURE_RETRY));
                }
                if (i.kind() != CLEAR) {
                    resend.add(id); // set again at the next try, whatever the expiry says
                }
                continue;
            }
            retryAt.remove(id);
            if (permissionProblem != null) {
                LOG.info("Teams presence can be written again");
                permissionProblem = null;
            }
            if (i.kind() == CLEAR) {
                cleared.add(s.clearedAt(o.at()));
            }
        }
        if (!cleared.isEmpty()) {
            // kept as cleared until their echo is over (isEcho)
            cleared.forEach(t -> sessions.put(t.pbxUserId(), t));
            countActive();
            try {
                store.commitSessions(cleared, List.of());
            } catch (TeamsConnectException e) {
                // the store still says active: the next start clears those sessions again (harmless)
                LOG.warn("Cleared Teams sessions could not be recorded in store '{}': {}", store.id(), e.getMessage());
            }
        }
    }

    /**
     * The shutdown: clears every session the product set (bounded by {@code timeout}), removes the
     * cleared ones from the store and stops the writer. Sessions not cleared by then stay in the store (the next
     * start clears them) and end by themselves at their expiry.
     */
    void clearAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (writer == null) {
            return;
        }
        if (writer.canWrite() && active > 0) {
            writer.awaitIdle(deadline);
            drainOutcomes(clock.instant());
            for (TeamsSession s : List.copyOf(sessions.values())) {
                if (!s.active() || inFlight.contains(s.pbxUserId())) {
                    continue;
                }
                PbxUser u = directory.pbxUser(s.pbxUserId());
                enqueue(new TeamsWriter.Intent(s.pbxUserId(), u == null ? s.pbxUserId() : u.label(), s, CLEAR,
                        "shutdown"));
            }
            writer.awaitIdle(deadline);
            drainOutcomes(clock.instant());
            if (active > 0) {
                LOG.warn("{} Teams presence session(s) not cleared at shutdown (failed, or the deadline passed): they stay"
                        + " in the store and end by themselves within {}", active,
                        HumanDuration.of(settings.sessionLength()));
            }
        }
        writer.stop();
    }

    /** Stops the writer's thread without clearing anything (the sessions stay in the store). */
    void stopWriter() {
        if (writer != null) {
            writer.stop();
        }
    }

    /**
     * The DND scan of the cycle ({@link DndScan#scan}), when there is something to write to.
     *
     * @return the PBX reads made
     */
    int scan(Instant now, Instant stopAt, List<String> errors) {
        return writer == null || !writer.canWrite() ? 0 : scan.scan(now, stopAt, errors);
    }

    /** The counters and the current problem, for the snapshot. */
    EngineSnapshot.Sessions stats() {
        return writer == null ? EngineSnapshot.Sessions.NONE : writer.stats(active, permissionProblem);
    }

    @Override
    public String toString() {
        return "TeamsSessions[" + Objects.toString(settings) + ", sessions=" + sessions.size() + "]";
    }
}
