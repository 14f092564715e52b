package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.HumanDuration;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceWriter;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.TeamsSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 *   <li>while a session exists, and after it was cleared until Teams shows a presence that the session would have
 *       outranked (at the latest until it would have expired), a presence that is exactly the session's pair is taken for the session's echo, not for
 *       a Teams call: the cycle sees a neutral Available instead (the echo says nothing about the user's Teams state:
 *       no hold is started from it and none kept alive by it). Graph may report a cleared session late, and Microsoft documents no bound for that delay, so the
 *       echo ends with the first presence that proves the session gone, not after a guessed time; the cleared session stays in the store
 *       until then, so an instance that starts in between knows the echo too. The price: a Teams call that starts
 *       exactly where a session ends, with the same pair and no other presence between, is taken up at its next
 *       presence change or when the cleared session would have expired.</li>
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
    /** The most PBX reads of the DND scan per round. */
    static final int SCAN_CHUNK = HoldCommitter.CHUNK;

    private final PbxToTeams settings;
    private final Clock clock;
    private final StateStore store;
    private final PbxSink sink;
    private final UserDirectory directory;
    private final boolean dryRun;

    // cycle thread
    private PresenceWriter writer;
    private boolean dndEvents;
    private boolean callState;
    private final Map<String, TeamsSession> sessions = new LinkedHashMap<>();
    private final Set<String> echoesOver = new HashSet<>();
    private final Map<String, Observed> scanned = new HashMap<>();
    private final Map<String, Instant> retryAt = new HashMap<>();
    private final Set<String> resend = new HashSet<>();
    private final Set<String> inFlight = new HashSet<>();
    private Set<String> onCall = Set.of();
    private int scanCursor;
    private double scanCredit;
    private Instant lastScanAt;
    private Instant permissionRetryAt;
    private String permissionProblem;

    // shared with the writer's thread
    private final Set<String> hinted = ConcurrentHashMap.newKeySet();
    private final Map<String, Intent> queued = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final java.util.concurrent.Executor worker;
    private final ExecutorService ownWorker; // null when the engine's builder gave the executor
    private final AtomicLong setCount = new AtomicLong();
    private final AtomicLong renewedCount = new AtomicLong();
    private final AtomicLong clearedCount = new AtomicLong();
    private final AtomicLong failedCount = new AtomicLong();
    private volatile int active;

    TeamsSessions(PbxToTeams settings, Clock clock, StateStore store, PbxSink sink,
                  UserDirectory directory, boolean dryRun, java.util.concurrent.Executor executor) {
        this.settings = settings;
        this.clock = clock;
        this.store = store;
        this.sink = sink;
        this.directory = directory;
        this.dryRun = dryRun;
        this.ownWorker = settings.enabled() && executor == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "teamsconnect-teams-writer");
            t.setDaemon(true);
            return t;
        }) : null;
        this.worker = !settings.enabled() ? null : executor != null ? executor : ownWorker;
    }

    /** An intent for the writer's thread. */
    private record Intent(String pbxUserId, String label, TeamsSession session, Kind kind, String reason) {
        enum Kind { SET, RENEW, CLEAR }
    }

    /** What the writer's thread did with an intent: failure null = done. */
    private record Outcome(Intent intent, TeamsConnectException failure, Instant at) {
    }

    /** A DND read by the scan. */
    private record Observed(boolean dnd, Instant at) {
    }

    boolean enabled() {
        return settings.enabled();
    }

    /** Registers for the sink's DND events; before the sink opens. */
    void beforeSinkOpen() {
        if (settings.dnd() != PbxToTeams.Show.OFF) {
            sink.onDndChanged(ids -> hinted.addAll(ids));
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
                hinted.add(s.pbxUserId()); // their DND is read in the first scan: renewed or cleared at once
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
        writer = presenceWriter.orElse(null);
        if (writer == null) {
            LOG.warn("pbxToTeams is on, but the presence source cannot write presence: nothing goes to Teams");
        }
    }

    /** After the sink opened: which of its capabilities this direction uses. */
    void sinkOpened(Set<Capability> capabilities) {
        dndEvents = capabilities.contains(Capability.DND_EVENTS);
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
     * Whether {@code p} is the echo of this product's own session for the user: exactly the session's pair, while the
     * session exists or, after its clear, until the first other presence.
     */
    boolean isEcho(String pbxUserId, TeamsPresence p, Instant now) {
        if (p == null || sessions.isEmpty()) {
            return false;
        }
        TeamsSession s = sessions.get(pbxUserId);
        if (s == null) {
            return false;
        }
        if (s.active()) {
            return matches(s, p);
        }
        if (!now.isBefore(s.expiresAt())) {
            echoesOver.add(pbxUserId); // it would have expired: gone from Teams whatever Graph reported
            return false;
        }
        if (matches(s, p)) {
            return true;
        }
        if (rank(p.availability()) < rank(s.availability())) {
            // Teams shows something the session would have outranked: the cleared session is gone from Teams. A
            // presence of the same rank or above (the user's own Do-not-disturb over a Busy session) proves nothing
            echoesOver.add(pbxUserId);
        }
        return false;
    }

    /** Graph's documented order of presence sessions: DoNotDisturb > Busy > Available > Away (graph-presence.md). */
    static int rank(dev.teamsconnect.core.model.Availability a) {
        return switch (a) {
            case DO_NOT_DISTURB -> 4;
            case BUSY, BUSY_IDLE -> 3;
            case AVAILABLE, AVAILABLE_IDLE -> 2;
            case AWAY, BE_RIGHT_BACK -> 1;
            default -> 0;
        };
    }

    private static boolean matches(TeamsSession s, TeamsPresence p) {
        return p.availability() == s.availability() && p.activity() == s.activity();
    }

    /**
     * The sessions' step of a cycle: takes in what the writer did, reads who is on a PBX call, decides each user's
     * session from what is known of their PBX DND, commits the new records write-ahead and hands the writes to the
     * writer's thread. Never waits for a write.
     */
    void reconcile(Instant now, Map<String, Hold> holds, List<String> errors) {
        if (worker == null) {
            return;
        }
        drainOutcomes(now);
        if (writer == null) {
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
        List<Intent> intents = new ArrayList<>();
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
                intents.add(new Intent(s.pbxUserId(), s.pbxUserId(), s, Intent.Kind.CLEAR,
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

    private void decide(PbxUser user, String teamsUserId, Hold hold, Instant now, Map<String, TeamsSession> upserts,
                        List<Intent> intents) {
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
        Boolean dnd = knownDnd(id);
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
                intents.add(new Intent(id, user.label(), current, Intent.Kind.CLEAR, why));
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
            intents.add(new Intent(id, user.label(), s, Intent.Kind.SET, why));
            resend.remove(id);
            return;
        }
        Duration margin = settings.sessionLength().dividedBy(4);
        if (resend.remove(id) || !now.isBefore(current.expiresAt().minus(margin))) {
            TeamsSession s = current.renewedUntil(expires);
            upserts.put(id, s);
            intents.add(new Intent(id, user.label(), s, Intent.Kind.RENEW, why));
        }
    }

    /** Whether the DND on the PBX is the engine's own (a hold it wrote over the user's DND off). */
    private static boolean writtenByEngine(Hold hold) {
        return hold != null && hold.kind() == Hold.Kind.HELD && hold.writtenDnd() && !hold.priorDnd();
    }

    /** The user's PBX DND as last read or written, from the cycle or the scan, whichever is newer; null: unknown. */
    private Boolean knownDnd(String pbxUserId) {
        UserTrack t = directory.track(pbxUserId);
        PbxState state = t == null ? null : t.pbx().state();
        Instant at = t == null ? null : t.pbx().exchangedAt();
        Observed o = scanned.get(pbxUserId);
        if (o != null && (state == null || at == null || !o.at().isBefore(at))) {
            return o.dnd();
        }
        return state == null ? null : state.dnd();
    }

    /**
     * Reads users' DND for {@code pbxToTeams.dnd}, spread evenly over {@code readInterval}: this cycle's share (users
     * x elapsed / readInterval, what was not read before carried over up to one interval's worth), oldest first by a
     * cursor through the users, until {@code stopAt}. With a sink that reports DND changes itself only the users it
     * named are read. Runs after the changes and rechecks, so it never delays them.
     *
     * @return the PBX reads made
     */
    int scan(Instant now, Instant stopAt, List<String> errors) {
        if (worker == null || writer == null || settings.dnd() == PbxToTeams.Show.OFF) {
            return 0;
        }
        List<MappedUser> mapped = directory.mapped();
        if (mapped == null || mapped.isEmpty()) {
            return 0;
        }
        // users named by the sink's events (or loaded with a session) first, then this cycle's share of everybody
        List<PbxUser> due = new ArrayList<>();
        Set<String> named = new HashSet<>(hinted);
        hinted.removeAll(named);
        for (String id : named) {
            PbxUser u = directory.pbxUser(id);
            if (u != null) {
                due.add(u);
            }
        }
        int share = 0;
        if (!dndEvents) {
            Duration elapsed = lastScanAt == null ? Duration.ZERO : Duration.between(lastScanAt, now);
            lastScanAt = now;
            scanCredit = Math.min(mapped.size(),
                    scanCredit + mapped.size() * (double) elapsed.toMillis() / settings.readInterval().toMillis());
            share = (int) Math.min(mapped.size(), Math.floor(scanCredit));
        }
        int reads = 0;
        int namedLeft = due.size();
        int shareLeft = share;
        while (namedLeft > 0 || shareLeft > 0) {
            if (!clock.instant().isBefore(stopAt)) {
                break;
            }
            List<PbxUser> chunk = new ArrayList<>(SCAN_CHUNK);
            int fromNamed = Math.min(namedLeft, SCAN_CHUNK);
            chunk.addAll(due.subList(due.size() - namedLeft, due.size() - namedLeft + fromNamed));
            int fromShare = Math.min(shareLeft, SCAN_CHUNK - fromNamed);
            for (int i = 0; i < fromShare; i++) {
                scanCursor = scanCursor % mapped.size();
                chunk.add(mapped.get(scanCursor++).pbx());
            }
            BatchResult<PbxState> r;
            try {
                r = sink.readStates(chunk);
            } catch (TeamsConnectException e) {
                errors.add("sink.readStates (DND scan): " + e.getMessage());
                break;
            }
            namedLeft -= fromNamed;
            shareLeft -= fromShare;
            scanCredit -= fromShare;
            Instant at = clock.instant();
            r.values().forEach((id, st) -> scanned.put(id, new Observed(st.dnd(), at)));
            reads += r.values().size();
        }
        // named users not reached are read first next time
        due.subList(due.size() - namedLeft, due.size()).forEach(u -> hinted.add(u.id()));
        return reads;
    }

    private void enqueue(Intent intent) {
        inFlight.add(intent.pbxUserId());
        synchronized (queued) {
            queued.put(intent.pbxUserId(), intent);
        }
        if (draining.compareAndSet(false, true)) {
            try {
                worker.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                draining.set(false);
            }
        }
    }

    /** The writer's thread: sends the queued intents one after another, latest per user. */
    private void drain() {
        try {
            while (true) {
                Intent next;
                synchronized (queued) {
                    var it = queued.values().iterator();
                    if (!it.hasNext()) {
                        draining.set(false);
                        return;
                    }
                    next = it.next();
                    it.remove();
                }
                outcomes.add(new Outcome(next, send(next), clock.instant()));
            }
        } catch (RuntimeException e) {
            draining.set(false);
            LOG.error("Teams presence writer failed", e);
        }
    }

    private TeamsConnectException send(Intent i) {
        TeamsSession s = i.session();
        try {
            if (dryRun) {
                LOG.info("{}: dry run: Teams presence session would be {}: {}/{} ({})", i.label(),
                        i.kind() == Intent.Kind.CLEAR ? "cleared" : "set", s.availability().wireValue(),
                        s.activity().wireValue(), i.reason());
            } else if (i.kind() == Intent.Kind.CLEAR) {
                writer.clearPresence(s.teamsUserId());
            } else {
                writer.setPresence(s.teamsUserId(), s.availability(), s.activity(), settings.sessionLength());
            }
            return null;
        } catch (TeamsConnectException e) {
            return e;
        } catch (RuntimeException e) {
            return new TeamsConnectException("presence writer failed: " + e) {
            };
        }
    }

    /** Takes in what the writer did (cycle thread). */
    private void drainOutcomes(Instant now) {
        List<TeamsSession> cleared = new ArrayList<>();
        Outcome o;
        while ((o = outcomes.poll()) != null) {
            Intent i = o.intent();
            String id = i.pbxUserId();
            inFlight.remove(id);
            TeamsSession s = i.session();
            if (o.failure() != null) {
                failedCount.incrementAndGet();
                boolean permission = o.failure() instanceof TerminalException
                        && !(o.failure() instanceof UnknownUserException);
                if (permission) {
                    if (permissionProblem == null) {
                        LOG.error("Teams presence cannot be written: {}. The Teams -> PBX sync goes on; writing is "
                                + "tried again every {}", o.failure().getMessage(), HumanDuration.of(PERMISSION_RETRY));
                    }
                    permissionProblem = o.failure().getMessage();
                    permissionRetryAt = now.plus(PERMISSION_RETRY);
                    retryAt.put(id, permissionRetryAt);
                } else {
                    LOG.warn("{}: Teams presence session could not be {}: {}", i.label(),
                            i.kind() == Intent.Kind.CLEAR ? "cleared" : "set", o.failure().getMessage());
                    retryAt.put(id, now.plus(FAILURE_RETRY));
                }
                if (i.kind() != Intent.Kind.CLEAR) {
                    resend.add(id); // set again at the next try, whatever the expiry says
                }
                continue;
            }
            retryAt.remove(id);
            if (permissionProblem != null) {
                LOG.info("Teams presence can be written again");
                permissionProblem = null;
            }
            switch (i.kind()) {
                case SET -> {
                    setCount.incrementAndGet();
                    LOG.info("{}: Teams presence session set: {}/{} until {} ({})", i.label(),
                            s.availability().wireValue(), s.activity().wireValue(), s.expiresAt(), i.reason());
                }
                case RENEW -> {
                    renewedCount.incrementAndGet();
                    LOG.debug("{}: Teams presence session renewed until {}", i.label(), s.expiresAt());
                }
                case CLEAR -> {
                    clearedCount.incrementAndGet();
                    LOG.info("{}: Teams presence session cleared ({})", i.label(), i.reason());
                    cleared.add(s.clearedAt(o.at()));
                }
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
        if (worker == null) {
            return;
        }
        if (writer != null && active > 0) {
            waitForWriter(deadline);
            drainOutcomes(clock.instant());
            for (TeamsSession s : List.copyOf(sessions.values())) {
                if (!s.active() || inFlight.contains(s.pbxUserId())) {
                    continue;
                }
                PbxUser u = directory.pbxUser(s.pbxUserId());
                enqueue(new Intent(s.pbxUserId(), u == null ? s.pbxUserId() : u.label(), s, Intent.Kind.CLEAR,
                        "shutdown"));
            }
            waitForWriter(deadline);
            drainOutcomes(clock.instant());
            if (active > 0) {
                LOG.warn("{} Teams presence session(s) not cleared before the shutdown deadline: they stay in the store"
                        + " and end by themselves within {}", active, HumanDuration.of(settings.sessionLength()));
            }
        }
        stopWriter();
    }

    /** Waits (real time: the writer's thread works in real time) until the writer is idle or the deadline. */
    private void waitForWriter(long deadlineNanos) {
        while (draining.get() || !isQueueEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean isQueueEmpty() {
        synchronized (queued) {
            return queued.isEmpty();
        }
    }

    /** Stops the writer's thread without clearing anything (the sessions stay in the store). */
    void stopWriter() {
        if (ownWorker == null) {
            return;
        }
        ownWorker.shutdownNow();
        try {
            ownWorker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The counters and the current problem, for the snapshot. */
    EngineSnapshot.Sessions stats() {
        return new EngineSnapshot.Sessions(active, setCount.get(), renewedCount.get(), clearedCount.get(),
                failedCount.get(), permissionProblem);
    }

    /** For tests: whether the writer has nothing queued or running. */
    boolean idle() {
        return !draining.get() && isQueueEmpty();
    }

    @Override
    public String toString() {
        return "TeamsSessions[" + Objects.toString(settings) + ", sessions=" + sessions.size() + "]";
    }
}
