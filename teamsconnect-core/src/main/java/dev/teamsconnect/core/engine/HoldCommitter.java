package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.FailureCounts;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead protocol: for a round of users it reads the PBX state, asks the {@link Reconciler}, commits every
 * new or changed hold to the {@link StateStore} before the PBX write it covers, writes, and keeps the outcome
 * (confirmed and ended holds) to commit with the next round's write-ahead or at the end of the cycle. It owns the
 * holds in memory; the store has them durably.
 *
 * <p>Touched only on the cycle thread (the engine's cycle lock).
 */
final class HoldCommitter {

    private static final Logger LOG = LoggerFactory.getLogger(HoldCommitter.class);

    /** Users per round of PBX reads and writes: the unit after which a stop or a deadline is noticed. */
    static final int CHUNK = 256;

    private final PbxSink sink;
    private final StateStore store;
    private final UserDirectory directory;
    private final StatusPublisher publisher;
    private final FailureCounts failures;
    private final ManualDndMode mode;
    private final Clock clock;
    private final BooleanSupplier stopRequested;
    private final SecondSyncDetector secondSync;

    private final Map<String, Hold> holds = new LinkedHashMap<>();
    private final Map<String, Hold> holdsView = Collections.unmodifiableMap(holds);
    // outcomes of PBX writes (confirmed holds, ended holds) not yet in the store: see reconcileChunk, step 4
    private final Map<String, Hold> pendingConfirmed = new LinkedHashMap<>();
    private final Set<String> pendingEnded = new LinkedHashSet<>();
    private Duration recheckInterval = Duration.ZERO;

    HoldCommitter(PbxSink sink, StateStore store, UserDirectory directory, StatusPublisher publisher,
                  FailureCounts failures, ManualDndMode mode, Clock clock, BooleanSupplier stopRequested,
                  SecondSyncDetector secondSync) {
        this.sink = sink;
        this.store = store;
        this.directory = directory;
        this.publisher = publisher;
        this.failures = failures;
        this.mode = mode;
        this.clock = clock;
        this.stopRequested = stopRequested;
        this.secondSync = secondSync;
    }

    /** Loads the holds and claims the store for this engine and the sink's PBX (holds of another PBX are refused). */
    Map<String, Hold> load() {
        Map<String, Hold> loaded = store.load();
        store.claim(sink.identity());
        holds.clear();
        holds.putAll(loaded);
        return loaded;
    }

    /** The holds now, by PBX user id (read-only view). */
    Map<String, Hold> holds() {
        return holdsView;
    }

    /** The sink's read budget for settled users (zero: every cycle). */
    void recheckInterval(Duration value) {
        this.recheckInterval = value;
    }

    /**
     * Reconciles {@code work} in chunks of {@link #CHUNK} users, until {@code stopAt} (engine clock) or, with
     * {@code honourStop}, a stop request. Each chunk is complete in itself (read, write-ahead, write, confirm), so
     * stopping between chunks loses nothing: the users not reached keep their state and their holds.
     *
     * @return how many users were reconciled
     */
    int reconcile(List<Work> work, Instant now, CycleCounters c, Instant stopAt, boolean honourStop) {
        int done = 0;
        while (done < work.size()) {
            if ((honourStop && stopRequested.getAsBoolean()) || !clock.instant().isBefore(stopAt)) {
                break;
            }
            int end = Math.min(work.size(), done + CHUNK);
            reconcileChunk(work.subList(done, end), now, c);
            done = end;
            publisher.progress(clock.instant());
        }
        return done;
    }

    /**
     * When a settled user's PBX state is read again: the sink's budget, plus up to a quarter of it by user, so that
     * users who settled in the same cycle are not all re-read in one burst. Never sooner than the budget: the PBX
     * sees at most (users settled) / recheckInterval reads per second.
     */
    private Instant recheckDue(String pbxUserId, Instant settled) {
        if (recheckInterval.isZero()) {
            return settled;
        }
        long spread = recheckInterval.toMillis() * (Math.floorMod(pbxUserId.hashCode() * 31 + 17, 256)) / 1024;
        return settled.plus(recheckInterval).plusMillis(spread);
    }

    private record Planned(Work work, Hold old, PbxState actual, Reconciler.Decision decision) {
    }

    /** Reads the PBX state of the given users, decides, commits holds write-ahead, writes, commits the outcome. */
    private void reconcileChunk(List<Work> work, Instant now, CycleCounters c) {
        if (work.isEmpty()) {
            return;
        }
        BatchResult<PbxState> states;
        try {
            states = sink.readStates(work.stream().map(Work::pbx).toList());
        } catch (TeamsConnectException e) {
            c.errors.add("sink.readStates: " + e.getMessage());
            return;
        }
        c.stateReads += states.values().size();
        if (!states.failures().isEmpty()) {
            failures.add("user.read", states.failures().size());
            c.failures += states.failures().size();
        }
        List<Planned> planned = plan(work, states, now, c);
        if (planned.isEmpty() || !writeAhead(planned, c)) {
            return;
        }
        apply(planned, now, c);
    }

    /** Decides for every user read; the users with nothing to do are settled. */
    private List<Planned> plan(List<Work> work, BatchResult<PbxState> states, Instant now, CycleCounters c) {
        List<Planned> planned = new ArrayList<>();
        List<String> vanished = new ArrayList<>();
        for (Work w : work) {
            String id = w.pbx().id();
            PbxState actual = states.values().get(id);
            if (actual == null) {
                TeamsConnectException f = states.failures().get(id);
                userFailure(w, now, "PBX state read failed: " + (f == null ? "no state returned" : f.getMessage()));
                if (f instanceof UnknownUserException && holds.containsKey(id)) {
                    vanished.add(id);
                }
                continue;
            }
            UserTrack track = w.tracked() ? directory.track(id) : null;
            Hold old = holds.get(id);
            Reconciler.Decision d = Reconciler.decide(new Reconciler.Input(id, old, w.wantDnd(), w.wantChat(), actual,
                    track == null ? EpisodeMarker.NONE : track.pbx().marker(), mode, now, w.reason()));
            boolean nothing = d.isNothing() && Objects.equals(d.pre(), old);
            // a chat text owed while the chat status cannot be read: not settled, so read again next cycle, as after a
            // failed write, and the text is written as soon as it can be read, not only at the recheck
            boolean settled = nothing && !d.chatDeferred();
            if (track != null) {
                secondSync.observe(w, track, old, actual, now);
                UserTrack.PbxSide side = track.pbx().read(actual, now).decided(d.marker());
                directory.update(id, t -> t.withPbx(settled ? side.settled(actual, now, recheckDue(id, now)) : side));
            }
            if (!nothing) {
                planned.add(new Planned(w, old, actual, d));
            }
        }
        dropHoldsOfDeletedUsers(vanished, c);
        return planned;
    }

    /** 1. write-ahead: every new or changed hold is durable before the PBX write it covers. */
    private boolean writeAhead(List<Planned> planned, CycleCounters c) {
        List<Hold> preUpserts = new ArrayList<>();
        List<String> preRemovals = new ArrayList<>();
        for (Planned p : planned) {
            Hold pre = p.decision().pre();
            if (!Objects.equals(pre, p.old())) {
                if (pre == null) {
                    preRemovals.add(p.work().pbx().id());
                } else {
                    preUpserts.add(pre);
                }
            }
        }
        if (preUpserts.isEmpty() && preRemovals.isEmpty()) {
            return true;
        }
        // the confirmations of earlier rounds ride along: one commit instead of two
        Map<String, Hold> upserts = new LinkedHashMap<>(pendingConfirmed);
        Set<String> removals = new LinkedHashSet<>(pendingEnded);
        for (String id : preRemovals) {
            upserts.remove(id);
            removals.add(id);
        }
        for (Hold h : preUpserts) {
            removals.remove(h.pbxUserId());
            upserts.put(h.pbxUserId(), h);
        }
        try {
            store.commit(upserts.values(), removals);
        } catch (TeamsConnectException e) {
            c.errors.add("store.commit: " + e.getMessage() + " (no PBX writes for these users this cycle)");
            return false;
        }
        pendingConfirmed.clear();
        pendingEnded.clear();
        preRemovals.forEach(holds::remove);
        preUpserts.forEach(h -> holds.put(h.pbxUserId(), h));
        return true;
    }

    /** 2. decisions without a write are done; 3. the PBX writes; 4. their outcome is kept for the next commit. */
    private void apply(List<Planned> planned, Instant now, CycleCounters c) {
        List<PbxChange> changes = new ArrayList<>();
        Map<String, Planned> byUser = new HashMap<>();
        for (Planned p : planned) {
            Reconciler.Decision d = p.decision();
            if (d.write() == null) {
                if (d.kind() != null) {
                    record(p.work(), now, d.kind(), p.actual(), p.actual(), d.reason());
                }
            } else {
                changes.add(new PbxChange(p.work().pbx(), p.actual(), d.write(), p.work().presence(),
                        p.work().category(), d.reason(), now));
                byUser.put(p.work().pbx().id(), p);
            }
        }
        if (changes.isEmpty()) {
            return;
        }
        BatchResult<PbxState> written;
        try {
            written = sink.applyAll(changes);
        } catch (TeamsConnectException e) {
            c.errors.add("sink.applyAll: " + e.getMessage());
            for (PbxChange ch : changes) {
                userFailure(byUser.get(ch.user().id()).work(), now, "PBX write failed: " + e.getMessage()
                        + "; retried next cycle");
            }
            return;
        }
        for (PbxChange ch : changes) {
            String id = ch.user().id();
            Planned p = byUser.get(id);
            if (!written.values().containsKey(id)) {
                TeamsConnectException f = written.failures().get(id);
                failures.increment("user.write");
                c.failures++;
                userFailure(p.work(), now, "PBX write failed: " + (f == null ? "no result" : f.getMessage())
                        + "; retried next cycle");
                continue;
            }
            c.writes++;
            record(p.work(), now, p.decision().kind(), ch.from(), ch.to(), p.decision().reason());
            if (p.work().tracked()) {
                // the PBX acknowledged the write: settled, no confirming read (the PBX budget: at most a read and a
                // write per change); a change by hand is noticed at the next recheck. Not settled while a chat text is
                // deferred (the DND was written, the chat status could not be read): read again next cycle
                boolean deferred = p.decision().chatDeferred();
                directory.update(id, t -> t.withPbx(deferred ? t.pbx().read(ch.to(), now)
                        : t.pbx().settled(ch.to(), now, recheckDue(id, now))));
            }
            // 4. the outcome: confirmed holds, ended holds. Committed with the next round's write-ahead, at the latest
            // at the end of the cycle: until then the store has the write-ahead records, which a restart settles from
            // the PBX state exactly as after a crash between the write and its confirmation (docs/architecture.md)
            Hold post = p.decision().post();
            if (Objects.equals(post, p.decision().pre())) {
                continue;
            }
            if (post == null) {
                pendingConfirmed.remove(id);
                pendingEnded.add(id);
                holds.remove(id);
            } else {
                pendingEnded.remove(id);
                pendingConfirmed.put(id, post);
                holds.put(id, post);
            }
        }
    }

    /** Commits the confirmations not yet committed with a write-ahead (end of a cycle, of a release). */
    void commitConfirmations(CycleCounters c) {
        if (pendingConfirmed.isEmpty() && pendingEnded.isEmpty()) {
            return;
        }
        try {
            store.commit(List.copyOf(pendingConfirmed.values()), List.copyOf(pendingEnded));
            pendingConfirmed.clear();
            pendingEnded.clear();
        } catch (TeamsConnectException e) {
            // the store keeps the write-ahead holds; they are committed with the next write-ahead, and a restart
            // settles them from the PBX state
            c.errors.add("store.commit: " + e.getMessage() + " (after the PBX writes)");
        }
    }

    /**
     * The PBX says these held users do not exist (deleted by an administrator): there is no DND left to restore, and
     * a kept hold would only be retried forever (or applied to whoever gets the id next). Dropped from the store.
     */
    void dropHoldsOfDeletedUsers(Collection<String> ids, CycleCounters c) {
        if (ids.isEmpty()) {
            return;
        }
        ids.forEach(pendingConfirmed::remove);
        ids.forEach(pendingEnded::remove);
        try {
            store.commit(List.of(), ids);
        } catch (TeamsConnectException e) {
            c.errors.add("store.commit: " + e.getMessage());
            return;
        }
        for (String id : ids) {
            Hold h = holds.remove(id);
            LOG.warn("PBX user id {} no longer exists on the PBX; its hold ({}) is dropped, there is nothing to restore",
                    id, h == null ? "none" : h.kind().code());
        }
    }

    private void record(Work w, Instant now, AuditEvent.Kind kind, PbxState from, PbxState to, String decision) {
        String label = w.pbx().label();
        String reason = w.release() ? decision + " (" + w.reason() + ")" : decision;
        if (from.equals(to)) {
            LOG.info("{}: {} ({})", label, reason, kind);
        } else {
            LOG.info("{}: {} -> {}: {} ({})", label, describe(from), describe(to), reason, kind);
        }
        if (w.tracked()) {
            directory.update(w.pbx().id(), t -> t.withLast(new UserTrack.LastChange(kind, reason, now)));
        }
        publisher.emit(new AuditEvent(now, kind, w.pbx().id(), label, w.category(), from, to, reason));
    }

    private void userFailure(Work w, Instant now, String reason) {
        UserTrack t = w.tracked() ? directory.track(w.pbx().id()) : null;
        if (t == null || !t.pbx().failing()) {
            LOG.warn("{}: {}", w.pbx().label(), reason);
        } else {
            LOG.debug("{}: {}", w.pbx().label(), reason);
        }
        if (t != null) {
            directory.update(w.pbx().id(), u -> u.withPbx(u.pbx().failed())
                    .withLast(new UserTrack.LastChange(AuditEvent.Kind.FAILED, reason, now)));
        }
        publisher.emit(new AuditEvent(now, AuditEvent.Kind.FAILED, w.pbx().id(), w.pbx().label(), w.category(), null,
                null, reason));
    }

    private static String describe(PbxState s) {
        return "DND " + Reconciler.onOff(s.dnd()) + (s.chatStatus() == null ? "" : ", chat \"" + s.chatStatus() + "\"");
    }

    /** The store's id, for messages. */
    String storeId() {
        return store.id();
    }
}
