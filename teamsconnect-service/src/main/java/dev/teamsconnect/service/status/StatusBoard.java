package dev.teamsconnect.service.status;

import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditListener;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.SignInPrompt;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service's live status, fed by the sync engine and read by the HTTP endpoints and the page. Thread-safe: the
 * engine writes from its sync thread while HTTP threads read; every method is non-blocking.
 *
 * <p>Each fact has one source:
 * <ul>
 *   <li>holds ("held", kind, since): the state store, as loaded at start and committed afterwards
 *       ({@link #holdsLoaded}, {@link #holdsCommitted}), so /status after a restart equals the state file;</li>
 *   <li>the PBX DND and when it was last known: what the PBX sink read or wrote ({@link #pbxRead},
 *       {@link #pbxWritten}); a user whose DND was never read is shown as "not read yet";</li>
 *   <li>the last decision and its reason: the engine's audit events ({@link #onEvent});</li>
 *   <li>identity and presence: the engine's snapshot after each cycle ({@link #user}, {@link #presence});</li>
 *   <li>sign-in state, device-code prompts, cycles and the mapping: {@link #signIn}, {@link #signInPrompt},
 *       {@link #cycle}, {@link #mapping}.</li>
 * </ul>
 */
public final class StatusBoard implements StatusProvider, AuditListener {

    /** Which side a sign-in state belongs to. */
    public enum Side { SOURCE, SINK }

    /** How many recent decisions are kept for the page. */
    public static final int RECENT_CHANGES = 100;
    /** How many finished cycles are kept for the page's charts. */
    public static final int CYCLES_KEPT = 120;

    /**
     * One finished cycle for the charts.
     *
     * @param at         when it began
     * @param duration   how long it took
     * @param success    whether every step worked
     * @param writes     PBX writes in it
     * @param toPbx      from the start of the cycle (when presence is read) to its last PBX write, or {@code null}
     *                   without writes; a change in Teams waits up to one poll interval more for the read
     */
    public record CyclePoint(Instant at, Duration duration, boolean success, int writes, Duration toPbx) {
    }

    /** One decision of the engine, for the page's recent changes. */
    public record Change(Instant at, AuditEvent.Kind kind, String pbxUserId, String user, String reason) {
    }

    /** Mutable per-user facts; every access holds the entry's monitor. */
    private static final class Entry {
        final String pbxUserId;
        String pbxLogin;
        String teamsUser;
        String displayName;
        String availability;
        String activity;
        PresenceCategory category;
        Boolean pbxDnd;
        Instant pbxDndAt;
        boolean pbxDndWritten;
        Hold hold;
        AuditEvent.Kind lastKind;
        Instant lastChange;
        String lastReason;
        dev.teamsconnect.core.spi.TeamsSession teamsSession;

        Entry(String pbxUserId) {
            this.pbxUserId = pbxUserId;
            this.displayName = pbxUserId;
        }

        UserStatus snapshot() {
            return new UserStatus(pbxUserId, pbxLogin, teamsUser, displayName, availability, activity, category, pbxDnd,
                    pbxDndAt, pbxDndWritten, hold, lastKind, lastChange, lastReason, teamsSession);
        }
    }

    private final ConcurrentHashMap<String, Entry> users = new ConcurrentHashMap<>();
    private volatile SideStatus source;
    private volatile SideStatus sink;
    private volatile boolean running;
    private volatile Instant lastSuccessfulCycle;
    private volatile Instant lastCycle;
    private volatile Instant runningSince;
    private volatile Instant lastProgress;
    private volatile SignInPrompt prompt;
    private volatile CycleReport lastReport;
    private volatile MappingReport mapping;
    private volatile Instant lastWriteAt;
    private volatile boolean holdsKnown;
    private volatile dev.teamsconnect.core.engine.EngineSnapshot.Sessions teamsSessions =
            dev.teamsconnect.core.engine.EngineSnapshot.Sessions.NONE;
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    private final ArrayDeque<CyclePoint> cycles = new ArrayDeque<>();
    private final Clock clock;
    private volatile java.util.function.Supplier<List<dev.teamsconnect.core.output.OutputStats>> outputs = List::of;

    /** A board on the system clock. */
    private volatile EngineSnapshot.SecondSync secondSync = EngineSnapshot.SecondSync.NONE;

    public StatusBoard(String sourceId, String sinkId) {
        this(sourceId, sinkId, Clock.systemUTC());
    }

    /**
     * @param clock gives the time {@link #running(boolean) running(true)} is called, where the wait for the first
     *              progress starts, and decides when a sign-in prompt has expired
     */
    public StatusBoard(String sourceId, String sinkId, Clock clock) {
        this.source = SideStatus.notYet(sourceId);
        this.sink = SideStatus.notYet(sinkId);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records a sign-in result; {@code detail} (why it failed, how to fix it) must not contain secrets. A result of
     * the source ends its sign-in prompt (the person entered the code, or it failed).
     */
    public void signIn(Side side, SignInState state, String detail, Instant at) {
        if (side == Side.SOURCE) {
            source = new SideStatus(source.providerId(), state, detail, at);
            if (state != SignInState.NOT_YET) {
                prompt = null;
            }
        } else {
            sink = new SideStatus(sink.providerId(), state, detail, at);
        }
    }

    /** A sign-in waits for a person (a device code to enter): shown until the source signs in, fails or it expires. */
    public void secondSync(EngineSnapshot.SecondSync value) {
        this.secondSync = java.util.Objects.requireNonNull(value, "secondSync");
    }

    /** What the engine noticed of a second presence sync on the PBX ({@link EngineSnapshot.SecondSync#NONE} before). */
    @Override
    public EngineSnapshot.SecondSync secondSync() {
        return secondSync;
    }

    public void signInPrompt(SignInPrompt value) {
        prompt = Objects.requireNonNull(value, "value");
    }

    /** The sign-in that waits for a person now, if any (an expired one is not shown). */
    @Override
    public java.util.Optional<SignInPrompt> signInPrompt() {
        SignInPrompt p = prompt;
        if (p == null || !clock.instant().isBefore(p.expiresAt())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(p);
    }

    /**
     * Records the end of a cycle; {@code success} is false when a whole side failed during it. The call itself is
     * progress at the board's clock's time (as well as at {@code at}, which callers may give as the cycle's start).
     */
    public void cycleFinished(Instant at, boolean success) {
        lastCycle = at;
        if (success) {
            lastSuccessfulCycle = at;
        }
        progress(at);
        progress(clock.instant());
    }

    /** Records what a cycle did, for the page (last cycle, charts); call it after {@link #cycleFinished}. */
    public void cycle(CycleReport report) {
        Objects.requireNonNull(report, "report");
        lastReport = report;
        Instant written = lastWriteAt;
        Duration toPbx = written == null || written.isBefore(report.startedAt()) ? null
                : Duration.between(report.startedAt(), written);
        synchronized (cycles) {
            if (cycles.size() == CYCLES_KEPT) {
                cycles.removeFirst();
            }
            cycles.addLast(new CyclePoint(report.startedAt(), report.duration(), report.success(), report.writes(),
                    report.writes() == 0 ? null : toPbx));
        }
    }

    /** The report of the last cycle, or {@code null} before the first. */
    @Override
    public CycleReport lastReport() {
        return lastReport;
    }

    /** The last {@value #CYCLES_KEPT} cycles, oldest first. */
    @Override
    public List<CyclePoint> cycles() {
        synchronized (cycles) {
            return List.copyOf(cycles);
        }
    }

    /** The mapping of the last user refresh (immutable), for the page's mapping problems. */
    public void mapping(MappingReport report) {
        mapping = report;
    }

    /** The mapping of the last user refresh, or {@code null} before the first. */
    @Override
    public MappingReport mapping() {
        return mapping;
    }

    /**
     * Records that the engine got on with its work: a batch, a phase or a whole cycle completed, whether it
     * succeeded or not. /health/live fails when the loop runs but this has not been called for longer than the
     * stall limit. Cheap and non-blocking; call it from the sync thread as often as needed.
     */
    public void progress(Instant at) {
        Objects.requireNonNull(at, "at");
        synchronized (this) {
            if (lastProgress == null || at.isAfter(lastProgress)) {
                lastProgress = at;
            }
        }
    }

    /** When the engine last made progress (see {@link #progress}), or {@code null} before it did. */
    public Instant lastProgress() {
        return lastProgress;
    }

    /**
     * Whether the sync loop is running. Starting it also starts the wait for the first progress, at the board's
     * clock's time.
     */
    public void running(boolean value) {
        synchronized (this) {
            if (value && !running) {
                runningSince = clock.instant();
            }
            running = value;
        }
    }

    /** Registers or updates a synced user's identity; the user is one the engine drives. */
    public void user(String pbxUserId, String pbxLogin, String teamsUser, String displayName) {
        update(pbxUserId, e -> {
            e.pbxLogin = pbxLogin;
            e.teamsUser = teamsUser;
            if (displayName != null) {
                e.displayName = displayName;
            }
        });
    }

    /** Records the Teams presence as read and the category decided. */
    public void presence(String pbxUserId, String availability, String activity, PresenceCategory category) {
        update(pbxUserId, e -> {
            e.availability = availability;
            e.activity = activity;
            e.category = category;
        });
    }

    /** Records the PBX DND as read from the PBX at {@code at}. */
    public void pbxRead(String pbxUserId, boolean dnd, Instant at) {
        update(pbxUserId, e -> {
            e.pbxDnd = dnd;
            e.pbxDndAt = at;
            e.pbxDndWritten = false;
        });
    }

    /** Records the PBX DND as written to the PBX (and acknowledged) at {@code at}. */
    public void pbxWritten(String pbxUserId, boolean dnd, Instant at) {
        update(pbxUserId, e -> {
            e.pbxDnd = dnd;
            e.pbxDndAt = at;
            e.pbxDndWritten = true;
        });
        lastWriteAt = at;
    }

    /** The holds as the state store loaded them (at start): they replace every hold shown so far. */
    public void holdsLoaded(Map<String, Hold> holds) {
        for (Entry e : users.values()) {
            synchronized (e) {
                e.hold = holds.get(e.pbxUserId);
            }
        }
        for (Hold h : holds.values()) {
            update(h.pbxUserId(), e -> e.hold = h);
        }
        holdsKnown = true;
    }

    /** The holds the state store committed: {@code upserts} are stored, the holds of {@code removals} are gone. */
    public void holdsCommitted(Collection<Hold> upserts, Collection<String> removals) {
        for (String id : removals) {
            Entry e = users.get(id);
            if (e != null) {
                synchronized (e) {
                    e.hold = null;
                }
            }
        }
        for (Hold h : upserts) {
            update(h.pbxUserId(), e -> e.hold = h);
        }
    }

    /** The Teams sessions as the state store loaded or committed them (pbxToTeams); cleared ones are not shown. */
    public void teamsSessionsStored(Collection<dev.teamsconnect.core.spi.TeamsSession> upserts,
                                    Collection<String> removals) {
        for (String id : removals) {
            Entry e = users.get(id);
            if (e != null) {
                synchronized (e) {
                    e.teamsSession = null;
                }
            }
        }
        for (dev.teamsconnect.core.spi.TeamsSession t : upserts) {
            update(t.pbxUserId(), e -> e.teamsSession = t.active() ? t : null);
        }
    }

    /** The engine's session counters and the reason Teams presence cannot be written, if any. */
    public void teamsSessions(dev.teamsconnect.core.engine.EngineSnapshot.Sessions value) {
        this.teamsSessions = java.util.Objects.requireNonNull(value, "teamsSessions");
    }

    @Override
    public dev.teamsconnect.core.engine.EngineSnapshot.Sessions teamsSessions() {
        return teamsSessions;
    }

    /** Whether the holds were loaded from the state store (false until the engine opened it). */
    public boolean holdsKnown() {
        return holdsKnown;
    }

    /** Forgets a user the engine no longer drives, unless the state file still holds them. */
    public void remove(String pbxUserId) {
        users.computeIfPresent(pbxUserId, (id, e) -> {
            synchronized (e) {
                return e.hold != null ? e : null;
            }
        });
    }

    private void update(String pbxUserId, java.util.function.Consumer<Entry> change) {
        Objects.requireNonNull(pbxUserId, "pbxUserId");
        Entry e = users.computeIfAbsent(pbxUserId, Entry::new);
        synchronized (e) {
            change.accept(e);
        }
    }

    /** Each decision also counts as {@link #progress}: a loop that decides something is not stuck. */
    @Override
    public void onEvent(AuditEvent event) {
        if (event.at() != null) {
            progress(event.at());
        }
        if (event.pbxUserId() == null) {
            return;
        }
        update(event.pbxUserId(), e -> {
            if (event.userLabel() != null && (e.displayName == null || e.displayName.equals(e.pbxUserId))) {
                e.displayName = event.userLabel();
            }
            if (event.category() != null) {
                e.category = event.category();
            }
            e.lastKind = event.kind();
            e.lastChange = event.at();
            e.lastReason = event.reason();
        });
        synchronized (recent) {
            if (recent.size() == RECENT_CHANGES) {
                recent.removeFirst();
            }
            recent.addLast(new Change(event.at(), event.kind(), event.pbxUserId(), event.userLabel(), event.reason()));
        }
    }

    /** The last {@value #RECENT_CHANGES} decisions, newest first. */
    @Override
    public List<Change> recentChanges() {
        synchronized (recent) {
            List<Change> list = new ArrayList<>(recent);
            java.util.Collections.reverse(list);
            return list;
        }
    }

    /** Where {@link #outputs()} reads the outputs' figures (the dispatcher's {@code stats()}, which never blocks). */
    public void outputs(java.util.function.Supplier<List<dev.teamsconnect.core.output.OutputStats>> value) {
        this.outputs = Objects.requireNonNull(value, "outputs");
    }

    @Override
    public List<dev.teamsconnect.core.output.OutputStats> outputs() {
        return outputs.get();
    }

    private volatile HaRole role;
    private volatile java.time.Instant roleSince;
    private volatile String roleProblem;

    /**
     * The instance's role with {@code ha.mode: active-passive} and, for a standby, why it cannot take over right now
     * (e.g. the database is unreachable), or null. "Since" moves only when the role changes.
     */
    public void role(HaRole value, String problem) {
        synchronized (this) {
            if (value != role) {
                roleSince = clock.instant();
            }
            role = value;
            roleProblem = problem;
        }
    }

    /** The role, or null without ha.mode. */
    public HaRole role() {
        return role;
    }

    /** Since when the instance has its {@link #role()}, or null. */
    public java.time.Instant roleSince() {
        return roleSince;
    }

    /** Why a standby could not take over right now, or null. */
    public String roleProblem() {
        return roleProblem;
    }

    @Override
    public HealthSnapshot health() {
        return new HealthSnapshot(running, lastSuccessfulCycle, lastCycle, source, sink, runningSince, lastProgress);
    }

    @Override
    public List<UserStatus> users() {
        List<UserStatus> list = new ArrayList<>(users.size());
        for (Entry e : users.values()) {
            synchronized (e) {
                list.add(e.snapshot());
            }
        }
        list.sort(Comparator.comparing((UserStatus u) -> u.teamsUser() == null ? "\uffff" : u.teamsUser())
                .thenComparing(UserStatus::pbxUserId));
        return list;
    }

    /** How many users the state file holds (kind held or manual), as the holds gauge counts them. */
    public int holds() {
        int n = 0;
        for (Entry e : users.values()) {
            synchronized (e) {
                if (e.hold != null) {
                    n++;
                }
            }
        }
        return n;
    }
}
