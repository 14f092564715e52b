package dev.teamsconnect.testkit;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link PbxSink} that keeps users and their DND / chat status in memory, for engine tests and examples.
 *
 * <pre>{@code
 * InMemoryPbxSink pbx = InMemoryPbxSink.create(clock);
 * PbxUser alice = pbx.addUser("1001", "alice", "alice@example.com", "Alice", false);
 * pbx.failNextWrites("1001", 1, InMemoryPbxSink.retryable("PBX 503"));
 * pbx.pressDndKey("1001", true);             // the user toggles DND on the phone
 * assertThat(pbx.writes()).hasSize(0);       // manual changes are logged, but not as writes
 * }</pre>
 *
 * <p>Behaviour: {@code apply} writes the fields named in {@link #capabilities()} (DND, CHAT_STATUS) and ignores
 * the rest; an unknown user is an {@link UnknownUserException}. Every write and every manual change is logged
 * with the time of the injected clock ({@link #log()}). Failures can be queued per user for reads and writes,
 * or for the whole backend ({@link #failNextCalls}), which makes the next batch or single call throw.
 * After {@link #close()} every call throws a {@link TerminalException}; {@code close()} is idempotent.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor. Not registered as a
 * {@link java.util.ServiceLoader} provider; use {@link #asProvider()} where a provider is wanted.
 */
public final class InMemoryPbxSink implements PbxSink {

    /** The provider id this sink reports. */
    public static final String ID = "memory";

    /** Who changed the state. */
    public enum Origin {
        /** Through the sink ({@code apply} / {@code applyAll}). */
        SINK,
        /** By hand on the phone ({@link #pressDndKey}) or by an admin ({@link #setChatStatusByHand}). */
        MANUAL
    }

    /**
     * One change of a user's state.
     *
     * @param at     the clock's time of the change
     * @param userId the PBX user id
     * @param from   the state before
     * @param to     the state after
     * @param origin who made it
     * @param reason the change's reason ({@link PbxChange#reason()}), or "manual"
     */
    public record LogEntry(Instant at, String userId, PbxState from, PbxState to, Origin origin, String reason) {
    }

    private final Clock clock;
    private Set<Capability> capabilities = EnumSet.of(Capability.DND, Capability.CHAT_STATUS, Capability.GROUPS);
    private final Map<String, PbxUser> users = new LinkedHashMap<>();
    private final Map<String, PbxState> states = new HashMap<>();
    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    private final Map<String, Deque<TeamsConnectException>> writeFailures = new HashMap<>();
    private final Map<String, Deque<TeamsConnectException>> readFailures = new HashMap<>();
    private final Deque<TeamsConnectException> backendFailures = new ArrayDeque<>();
    private final List<LogEntry> log = new ArrayList<>();
    private final Set<String> usersOnCall = new java.util.HashSet<>();
    private final List<java.util.function.Consumer<Set<String>>> dndListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Integer> writesPerUser = new HashMap<>();
    private int readCount;
    private int writeCount;
    private int listCount;
    private int openCount;
    private boolean closed;

    private InMemoryPbxSink(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A sink whose log times come from {@code clock}; capabilities DND, CHAT_STATUS and GROUPS. */
    public static InMemoryPbxSink create(Clock clock) {
        return new InMemoryPbxSink(clock);
    }

    /** A sink on the system UTC clock. */
    public static InMemoryPbxSink create() {
        return new InMemoryPbxSink(Clock.systemUTC());
    }

    /** A retryable failure (like an I/O error or HTTP 503). */
    public static RetryableException retryable(String message) {
        return new RetryableException(message);
    }

    /** A terminal failure (like a rejected login). */
    public static TerminalException terminal(String message) {
        return new TerminalException(message);
    }

    // ---- scripting

    /** Sets what this sink declares; it then only writes those fields. */
    public synchronized InMemoryPbxSink capabilities(Set<Capability> declared) {
        this.capabilities = declared.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(declared);
        return this;
    }

    /** Adds (or replaces) a user with the given state. */
    public synchronized PbxUser addUser(PbxUser user, PbxState state) {
        users.put(user.id(), user);
        states.put(user.id(), Objects.requireNonNull(state, "state"));
        return user;
    }

    /** Adds a user with DND as given and no chat status. */
    public PbxUser addUser(String id, String login, String email, String displayName, boolean dnd) {
        return addUser(new PbxUser(id, login, email, displayName), PbxState.dnd(dnd));
    }

    public synchronized InMemoryPbxSink removeUser(String id) {
        users.remove(id);
        states.remove(id);
        groups.values().forEach(m -> m.remove(id));
        return this;
    }

    /** Puts a user into a named group (for {@link #listGroupMembers}). */
    public synchronized InMemoryPbxSink addGroupMember(String group, String userId) {
        requireKnown(userId);
        List<String> members = groups.computeIfAbsent(group, g -> new ArrayList<>());
        if (!members.contains(userId)) {
            members.add(userId);
        }
        return this;
    }

    /**
     * The user toggles DND on the phone: changes the state directly and logs it as {@link Origin#MANUAL}; with
     * {@link Capability#DND_EVENTS} declared, the listeners of {@link #onDndChanged} hear of it.
     */
    public void pressDndKey(String userId, boolean on) {
        boolean events;
        synchronized (this) {
            requireKnown(userId);
            PbxState before = states.get(userId);
            PbxState after = before.withDnd(on);
            states.put(userId, after);
            log.add(new LogEntry(clock.instant(), userId, before, after, Origin.MANUAL, "manual"));
            events = capabilities.contains(Capability.DND_EVENTS);
        }
        if (events) {
            dndListeners.forEach(l -> l.accept(Set.of(userId)));
        }
    }

    /** The user starts ({@code true}) or ends a PBX call; reported by {@link #usersOnCall()}. */
    public synchronized void setOnCall(String userId, boolean onCall) {
        requireKnown(userId);
        if (onCall) {
            usersOnCall.add(userId);
        } else {
            usersOnCall.remove(userId);
        }
    }

    @Override
    public synchronized Set<String> usersOnCall() {
        requireOpen();
        return capabilities.contains(Capability.PBX_CALLS) ? Set.copyOf(usersOnCall) : Set.of();
    }

    @Override
    public void onDndChanged(java.util.function.Consumer<Set<String>> changed) {
        dndListeners.add(Objects.requireNonNull(changed, "changed"));
    }

    /** The user sets a chat status text by hand ({@code null} clears it); logged as {@link Origin#MANUAL}. */
    public synchronized void setChatStatusByHand(String userId, String text) {
        requireKnown(userId);
        PbxState before = states.get(userId);
        PbxState after = before.withChatStatus(text);
        states.put(userId, after);
        log.add(new LogEntry(clock.instant(), userId, before, after, Origin.MANUAL, "manual"));
    }

    /** The next {@code count} writes for this user fail with {@code failure} (per user, inside a batch). */
    public synchronized InMemoryPbxSink failNextWrites(String userId, int count, TeamsConnectException failure) {
        queue(writeFailures.computeIfAbsent(userId, u -> new ArrayDeque<>()), count, failure);
        return this;
    }

    /** The next {@code count} reads of this user fail with {@code failure} (per user, inside a batch). */
    public synchronized InMemoryPbxSink failNextReads(String userId, int count, TeamsConnectException failure) {
        queue(readFailures.computeIfAbsent(userId, u -> new ArrayDeque<>()), count, failure);
        return this;
    }

    /**
     * The next {@code count} calls into the backend (listUsers, listGroupMembers, readState(s), apply(All)) throw
     * {@code failure} for the whole call, as an unreachable PBX would.
     */
    public synchronized InMemoryPbxSink failNextCalls(int count, TeamsConnectException failure) {
        queue(backendFailures, count, failure);
        return this;
    }

    // ---- inspection

    /** The user's current state, or {@code null} for an unknown user. */
    public synchronized PbxState state(String userId) {
        return states.get(userId);
    }

    /** The user's current DND flag. */
    public synchronized boolean dnd(String userId) {
        requireKnown(userId);
        return states.get(userId).dnd();
    }

    public synchronized PbxUser user(String userId) {
        return users.get(userId);
    }

    /** Every change, sink writes and manual ones, in order. */
    public synchronized List<LogEntry> log() {
        return List.copyOf(log);
    }

    /** Only the changes written through the sink, in order. */
    public synchronized List<LogEntry> writes() {
        return log.stream().filter(e -> e.origin() == Origin.SINK).toList();
    }

    /** Successful and failed write attempts through the sink (one per change). */
    public synchronized int writeCount() {
        return writeCount;
    }

    /** Write attempts for one user. */
    public synchronized int writeCount(String userId) {
        return writesPerUser.getOrDefault(userId, 0);
    }

    /** User state reads (one per user, single or in a batch), including failed ones. */
    public synchronized int readCount() {
        return readCount;
    }

    public synchronized int listUsersCount() {
        return listCount;
    }

    public synchronized int openCount() {
        return openCount;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Forgets counts and the log (users, states and queued failures stay). */
    public synchronized void resetCounters() {
        readCount = 0;
        writeCount = 0;
        listCount = 0;
        writesPerUser.clear();
        log.clear();
    }

    /** A provider with id {@code memory} that hands out this instance. */
    public PbxSinkProvider asProvider() {
        InMemoryPbxSink self = this;
        return new PbxSinkProvider() {
            @Override
            public String id() {
                return ID;
            }

            @Override
            public PbxSink create(ProviderConfig config) {
                return self;
            }
        };
    }

    // ---- PbxSink

    @Override
    public String id() {
        return ID;
    }

    @Override
    public synchronized Set<Capability> capabilities() {
        return capabilities.isEmpty() ? Set.of() : Set.copyOf(capabilities);
    }

    @Override
    public synchronized void open() {
        requireOpen();
        openCount++;
    }

    @Override
    public synchronized List<PbxUser> listUsers() {
        backendCall();
        listCount++;
        return List.copyOf(users.values());
    }

    @Override
    public synchronized List<PbxUser> listGroupMembers(String groupName) {
        if (!capabilities.contains(Capability.GROUPS)) {
            return PbxSink.super.listGroupMembers(groupName);
        }
        backendCall();
        List<String> members = groups.get(groupName);
        if (members == null) {
            throw new TerminalException("in-memory PBX has no group \"" + groupName + "\"");
        }
        return members.stream().map(users::get).toList();
    }

    @Override
    public synchronized PbxState readState(PbxUser user) {
        backendCall();
        return readOne(user);
    }

    @Override
    public synchronized BatchResult<PbxState> readStates(Collection<PbxUser> batch) {
        backendCall();
        Map<String, PbxState> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (PbxUser user : batch) {
            try {
                values.put(user.id(), readOne(user));
            } catch (TeamsConnectException e) {
                failures.put(user.id(), e);
            }
        }
        return new BatchResult<>(values, failures);
    }

    @Override
    public synchronized void apply(PbxChange change) {
        backendCall();
        applyOne(change);
    }

    @Override
    public synchronized BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        backendCall();
        Map<String, PbxState> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (PbxChange change : changes) {
            try {
                values.put(change.user().id(), applyOne(change));
            } catch (TeamsConnectException e) {
                failures.put(change.user().id(), e);
            }
        }
        return new BatchResult<>(values, failures);
    }

    /** Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    private PbxState readOne(PbxUser user) {
        readCount++;
        TeamsConnectException failure = poll(readFailures, user.id());
        if (failure != null) {
            throw failure;
        }
        PbxState state = states.get(user.id());
        if (state == null) {
            throw new UnknownUserException(user.id(), "in-memory PBX has no user " + user.id());
        }
        return capabilities.contains(Capability.CHAT_STATUS) ? state : state.withChatStatus(null);
    }

    private PbxState applyOne(PbxChange change) {
        String id = change.user().id();
        writeCount++;
        writesPerUser.merge(id, 1, Integer::sum);
        TeamsConnectException failure = poll(writeFailures, id);
        if (failure != null) {
            throw failure;
        }
        PbxState before = states.get(id);
        if (before == null) {
            throw new UnknownUserException(id, "in-memory PBX has no user " + id);
        }
        PbxState after = before;
        if (capabilities.contains(Capability.DND)) {
            after = after.withDnd(change.to().dnd());
        }
        if (capabilities.contains(Capability.CHAT_STATUS)) {
            after = after.withChatStatus(change.to().chatStatus());
        }
        states.put(id, after);
        log.add(new LogEntry(clock.instant(), id, before, after, Origin.SINK, change.reason()));
        return after;
    }

    private void backendCall() {
        requireOpen();
        TeamsConnectException failure = backendFailures.poll();
        if (failure != null) {
            throw failure;
        }
    }

    private static TeamsConnectException poll(Map<String, Deque<TeamsConnectException>> queues, String id) {
        Deque<TeamsConnectException> q = queues.get(id);
        return q == null ? null : q.poll();
    }

    private static void queue(Deque<TeamsConnectException> q, int count, TeamsConnectException failure) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, but was " + count);
        }
        Objects.requireNonNull(failure, "failure");
        for (int i = 0; i < count; i++) {
            q.add(failure);
        }
    }

    private void requireKnown(String userId) {
        if (!users.containsKey(userId)) {
            throw new IllegalArgumentException("no user " + userId + " in this in-memory PBX; add it first");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new TerminalException("in-memory PBX sink is closed");
        }
    }

    @Override
    public synchronized String toString() {
        return "InMemoryPbxSink[users=" + users.size() + ", writes=" + writeCount + "]";
    }
}
