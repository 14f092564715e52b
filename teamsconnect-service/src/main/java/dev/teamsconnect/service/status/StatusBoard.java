package dev.teamsconnect.service.status;

import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.AuditListener;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The service's live status, fed by the sync engine and read by the HTTP endpoints. Thread-safe: the engine writes
 * from its sync thread while HTTP threads read; every method is non-blocking.
 *
 * <p>Feed it three ways: register it as the engine's {@link AuditListener} (each decision updates the user's last
 * change, reason, hold and PBX DND); call {@link #signIn} after each sign-in attempt, {@link #progress} whenever
 * a batch or phase of a cycle completes and {@link #cycleFinished} after each cycle; and call {@link #user},
 * {@link #presence} and {@link #pbxDnd} for what the engine reads.
 */
public final class StatusBoard implements StatusProvider, AuditListener {

    /** Which side a sign-in state belongs to. */
    public enum Side { SOURCE, SINK }

    private final ConcurrentHashMap<String, UserStatus> users = new ConcurrentHashMap<>();
    private volatile SideStatus source;
    private volatile SideStatus sink;
    private volatile boolean running;
    private volatile Instant lastSuccessfulCycle;
    private volatile Instant lastCycle;
    private volatile Instant runningSince;
    private volatile Instant lastProgress;
    private final Clock clock;

    /** A board on the system clock. */
    public StatusBoard(String sourceId, String sinkId) {
        this(sourceId, sinkId, Clock.systemUTC());
    }

    /**
     * @param clock gives the time {@link #running(boolean) running(true)} is called, where the wait for the first
     *              progress starts
     */
    public StatusBoard(String sourceId, String sinkId, Clock clock) {
        this.source = SideStatus.notYet(sourceId);
        this.sink = SideStatus.notYet(sinkId);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Records a sign-in result; {@code detail} (why it failed, how to fix it) must not contain secrets. */
    public void signIn(Side side, SignInState state, String detail, Instant at) {
        if (side == Side.SOURCE) {
            source = new SideStatus(source.providerId(), state, detail, at);
        } else {
            sink = new SideStatus(sink.providerId(), state, detail, at);
        }
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

    /** Registers or updates a synced user's identity. */
    public void user(String pbxUserId, String pbxLogin, String teamsUser, String displayName) {
        update(pbxUserId, u -> u.withIdentity(pbxLogin, teamsUser, displayName));
    }

    /** Records the Teams presence as read and the category decided. */
    public void presence(String pbxUserId, String availability, String activity,
                         dev.teamsconnect.core.model.PresenceCategory category) {
        update(pbxUserId, u -> u.withPresence(availability, activity, category));
    }

    /** Records the PBX DND as read. */
    public void pbxDnd(String pbxUserId, boolean dnd) {
        update(pbxUserId, u -> u.withPbxDnd(dnd));
    }

    /** Forgets a user (no longer in scope). */
    public void remove(String pbxUserId) {
        users.remove(pbxUserId);
    }

    private void update(String pbxUserId, UnaryOperator<UserStatus> change) {
        Objects.requireNonNull(pbxUserId, "pbxUserId");
        users.compute(pbxUserId, (id, old) -> change.apply(old == null ? UserStatus.of(id) : old));
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
        update(event.pbxUserId(), u -> {
            UserStatus s = u;
            if (event.userLabel() != null && (u.displayName() == null || u.displayName().equals(u.pbxUserId()))) {
                s = s.withIdentity(s.pbxLogin(), s.teamsUser(), event.userLabel());
            }
            if (event.category() != null) {
                s = s.withPresence(s.availability(), s.activity(), event.category());
            }
            boolean written = switch (event.kind()) {
                case HOLD_STARTED, HOLD_UPDATED, RESTORED, ENFORCED -> true;
                default -> false;
            };
            if (written && event.to() != null) {
                s = s.withPbxDnd(event.to().dnd());
            }
            boolean held = switch (event.kind()) {
                case HOLD_STARTED, HOLD_UPDATED, ENFORCED -> true;
                case RESTORED, RELEASED, MANUAL_KEPT -> false;
                // a failure, skip or dry run changes nothing on the PBX
                default -> s.held();
            };
            return s.withDecision(event.at(), event.reason(), held);
        });
    }

    @Override
    public HealthSnapshot health() {
        return new HealthSnapshot(running, lastSuccessfulCycle, lastCycle, source, sink, runningSince, lastProgress);
    }

    @Override
    public List<UserStatus> users() {
        List<UserStatus> list = new ArrayList<>(users.values());
        list.sort(Comparator.comparing((UserStatus u) -> u.teamsUser() == null ? "\uffff" : u.teamsUser())
                .thenComparing(UserStatus::pbxUserId));
        return list;
    }

    /** How many users the engine currently holds (for the holds gauge). */
    public int holds() {
        return (int) users.values().stream().filter(UserStatus::held).count();
    }
}
