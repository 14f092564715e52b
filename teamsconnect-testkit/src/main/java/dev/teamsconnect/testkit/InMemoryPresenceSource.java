package dev.teamsconnect.testkit;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceWriter;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link PresenceSource} that a test script drives: add users, set their presence (known enum values or raw
 * strings Graph might send), make the next reads fail, and inspect what the engine asked for.
 *
 * <pre>{@code
 * InMemoryPresenceSource teams = InMemoryPresenceSource.create(clock);
 * teams.addUser("t-alice", "alice@example.com", "Alice");
 * teams.setPresence("t-alice", Availability.BUSY, Activity.IN_A_CALL);
 * teams.failNextReads(2, InMemoryPresenceSource.retryable("Graph 503"));
 * }</pre>
 *
 * <p>Behaviour: {@code readPresence} returns the current presence of each known id with {@code observedAt} from
 * the clock and a sequence number that grows with each change; an unknown id is a per-user
 * {@link UnknownUserException} failure; a user without a presence set reports {@code PresenceUnknown}. Queued
 * read failures are thrown for the whole call (one per call). Per-user failures ({@link #failUser}) go into the
 * {@link BatchResult}. After {@link #close()} every call throws a {@link TerminalException}.
 *
 * <p>Writing ({@link #presenceWriter()}): the app's presence sessions as Graph keeps them. {@code readPresence}
 * reports the aggregate of the user's own presence and the app's session: the higher of the two in Graph's order
 * DoNotDisturb > Busy > Available > Away (the user's own on a tie), so a test sees the echo of a session as a real
 * tenant shows it. {@link #lagClears(boolean)} keeps a cleared session's presence showing until
 * {@link #catchUp()}, like Graph reporting a cleared session late.
 *
 * <p>Thread-safe: all state is guarded by this object's monitor; subscribers are called outside it. Not
 * registered as a {@link java.util.ServiceLoader} provider (so that it never makes discovery ambiguous); use
 * {@link #asProvider()} to hand it to code that wants a provider.
 */
public final class InMemoryPresenceSource implements PresenceSource {

    /** The provider id this source reports. */
    public static final String ID = "memory";

    private final Clock clock;
    private final Map<String, TeamsUser> users = new LinkedHashMap<>();
    private final Map<String, TeamsPresence> presences = new HashMap<>();
    private final Map<String, TeamsConnectException> userFailures = new HashMap<>();
    private final Deque<TeamsConnectException> readFailures = new ArrayDeque<>();
    private final Deque<TeamsConnectException> listFailures = new ArrayDeque<>();
    private final List<List<String>> requests = new ArrayList<>();
    private final List<Consumer<Set<String>>> subscribers = new CopyOnWriteArrayList<>();
    private final Map<String, AppSession> appSessions = new HashMap<>();
    private final Map<String, AppSession> lagging = new HashMap<>();
    private final List<WriteCall> writes = new ArrayList<>();
    private final Deque<TeamsConnectException> writeFailures = new ArrayDeque<>();
    private boolean lagClears;
    private boolean writable = true;

    /** One session the app keeps for a user. */
    public record AppSession(Availability availability, Activity activity, Instant expiresAt) {
    }

    /** One call of the writer: {@code set} or {@code clear}, with what it carried. */
    public record WriteCall(Instant at, String userId, String kind, Availability availability, Activity activity,
                            java.time.Duration expiration) {
    }
    private long sequence;
    private int readCount;
    private int listCount;
    private int openCount;
    private boolean closed;

    private InMemoryPresenceSource(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A source whose {@code observedAt} times come from {@code clock}. */
    public static InMemoryPresenceSource create(Clock clock) {
        return new InMemoryPresenceSource(clock);
    }

    /** A source on the system UTC clock. */
    public static InMemoryPresenceSource create() {
        return new InMemoryPresenceSource(Clock.systemUTC());
    }

    /** A retryable failure (like an I/O error or HTTP 503) for {@link #failNextReads}. */
    public static RetryableException retryable(String message) {
        return new RetryableException(message);
    }

    /** A terminal failure (like a rejected sign-in) for {@link #failNextReads}. */
    public static TerminalException terminal(String message) {
        return new TerminalException(message);
    }

    // ---- scripting

    /** Adds (or replaces) a user. The user's presence starts as PresenceUnknown unless set. */
    public synchronized InMemoryPresenceSource addUser(TeamsUser user) {
        users.put(user.id(), user);
        return this;
    }

    /** Adds an enabled user whose mail is also the userPrincipalName. */
    public InMemoryPresenceSource addUser(String id, String mail, String displayName) {
        return addUser(new TeamsUser(id, mail, mail, displayName, true));
    }

    /** Removes a user and its presence; later reads report it as unknown. */
    public synchronized InMemoryPresenceSource removeUser(String id) {
        users.remove(id);
        presences.remove(id);
        return this;
    }

    /** Sets a user's presence from known values, without status message or out-of-office flag. */
    public InMemoryPresenceSource setPresence(String id, Availability availability, Activity activity) {
        return setPresence(id, availability.wireValue(), activity.wireValue(), null, false);
    }

    /**
     * Sets a user's presence from wire strings, exactly as Graph might send them (any case, unknown values).
     * The user must have been added.
     */
    public synchronized InMemoryPresenceSource setPresence(String id, String availability, String activity,
                                                           String statusMessage, boolean outOfOffice) {
        requireKnown(id);
        sequence++;
        // Zero-padded so that the lexicographic order Graph promises holds.
        String seq = String.format("%020d", sequence);
        presences.put(id, TeamsPresence.parse(id, availability, activity, statusMessage, outOfOffice, seq,
                clock.instant()));
        return this;
    }

    /** The next {@code count} calls of {@code readPresence} throw {@code failure} (after all queued ones). */
    public synchronized InMemoryPresenceSource failNextReads(int count, TeamsConnectException failure) {
        requireCount(count);
        Objects.requireNonNull(failure, "failure");
        for (int i = 0; i < count; i++) {
            readFailures.add(failure);
        }
        return this;
    }

    /** The next {@code count} calls of {@code listUsers} throw {@code failure}. */
    public synchronized InMemoryPresenceSource failNextListUsers(int count, TeamsConnectException failure) {
        requireCount(count);
        Objects.requireNonNull(failure, "failure");
        for (int i = 0; i < count; i++) {
            listFailures.add(failure);
        }
        return this;
    }

    /** Every read of this user is a per-user failure until {@link #clearUserFailure}. */
    public synchronized InMemoryPresenceSource failUser(String id, TeamsConnectException failure) {
        userFailures.put(id, Objects.requireNonNull(failure, "failure"));
        return this;
    }

    public synchronized InMemoryPresenceSource clearUserFailure(String id) {
        userFailures.remove(id);
        return this;
    }

    /** Sends a push hint ("look at these users") to every subscriber, on the calling thread. */
    public void pushChanged(String... ids) {
        Set<String> changed = Set.of(ids);
        for (Consumer<Set<String>> s : subscribers) {
            s.accept(changed);
        }
    }

    // ---- inspection

    /** The current presence of a user as the next read would report it (ignoring failures), or {@code null}. */
    public synchronized TeamsPresence currentPresence(String id) {
        return presences.get(id);
    }

    /** How many times {@code readPresence} was called (including failed calls). */
    public synchronized int readCount() {
        return readCount;
    }

    /** How many times {@code listUsers} was called (including failed calls). */
    public synchronized int listUsersCount() {
        return listCount;
    }

    public synchronized int openCount() {
        return openCount;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** The ids asked for, one list per {@code readPresence} call, in call order. */
    public synchronized List<List<String>> requestedIds() {
        return List.copyOf(requests);
    }

    /** How many subscribers are registered. */
    public int subscriberCount() {
        return subscribers.size();
    }

    /** Forgets counts and recorded requests (users, presences and queued failures stay). */
    public synchronized void resetCounters() {
        readCount = 0;
        listCount = 0;
        requests.clear();
    }

    /** A provider with id {@code memory} that hands out this instance (for code that wants a provider). */
    public PresenceSourceProvider asProvider() {
        InMemoryPresenceSource self = this;
        return new PresenceSourceProvider() {
            @Override
            public String id() {
                return ID;
            }

            @Override
            public PresenceSource create(ProviderConfig config) {
                return self;
            }
        };
    }

    // ---- PresenceSource

    @Override
    public String id() {
        return ID;
    }

    @Override
    public synchronized void open() {
        requireOpen();
        openCount++;
    }

    @Override
    public synchronized List<TeamsUser> listUsers() {
        requireOpen();
        listCount++;
        TeamsConnectException failure = listFailures.poll();
        if (failure != null) {
            throw failure;
        }
        return List.copyOf(users.values());
    }

    @Override
    public synchronized BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        requireOpen();
        Objects.requireNonNull(userIds, "userIds");
        readCount++;
        requests.add(List.copyOf(userIds));
        TeamsConnectException failure = readFailures.poll();
        if (failure != null) {
            throw failure;
        }
        Map<String, TeamsPresence> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (String id : userIds) {
            TeamsConnectException userFailure = userFailures.get(id);
            if (userFailure != null) {
                failures.put(id, userFailure);
            } else if (!users.containsKey(id)) {
                failures.put(id, new UnknownUserException(id, "in-memory source has no user " + id));
            } else {
                TeamsPresence stored = presences.get(id);
                TeamsPresence p = stored == null
                        ? TeamsPresence.of(id, Availability.PRESENCE_UNKNOWN, Activity.PRESENCE_UNKNOWN, clock.instant())
                        : withObservedAt(stored);
                values.put(id, aggregate(id, p));
            }
        }
        return new BatchResult<>(values, failures);
    }

    /** The user's own presence, or the app's session where it ranks higher (see the class comment). */
    private TeamsPresence aggregate(String id, TeamsPresence own) {
        AppSession session = lagging.containsKey(id) ? lagging.get(id) : appSessions.get(id);
        if (session != null && !session.expiresAt().isAfter(clock.instant()) && !lagging.containsKey(id)) {
            appSessions.remove(id); // expired
            session = null;
        }
        if (session == null || session.availability().sessionRank() <= own.availability().sessionRank()) {
            return own;
        }
        return new TeamsPresence(id, session.availability(), null, session.activity(), null, own.statusMessage(),
                own.outOfOffice(), own.sequenceNumber(), clock.instant());
    }

    /** Whether a cleared session keeps showing until {@link #catchUp()} (Graph reporting it late). */
    public synchronized InMemoryPresenceSource lagClears(boolean value) {
        this.lagClears = value;
        return this;
    }

    /** Cleared sessions stop showing. */
    public synchronized InMemoryPresenceSource catchUp() {
        lagging.clear();
        return this;
    }

    /** Whether {@link #presenceWriter()} offers a writer (default true). */
    public synchronized InMemoryPresenceSource writable(boolean value) {
        this.writable = value;
        return this;
    }

    /** The next {@code count} writer calls throw {@code failure}. */
    public synchronized InMemoryPresenceSource failNextWrites(int count, TeamsConnectException failure) {
        requireCount(count);
        for (int i = 0; i < count; i++) {
            writeFailures.add(failure);
        }
        return this;
    }

    /** The app's session of a user now (expired ones are gone), or null. */
    public synchronized AppSession appSession(String id) {
        AppSession s = appSessions.get(id);
        return s == null || !s.expiresAt().isAfter(clock.instant()) ? null : s;
    }

    /** Every writer call so far, oldest first. */
    public synchronized List<WriteCall> writeCalls() {
        return List.copyOf(writes);
    }

    @Override
    public synchronized Optional<PresenceWriter> presenceWriter() {
        if (!writable) {
            return Optional.empty();
        }
        return Optional.of(new PresenceWriter() {
            @Override
            public void setPresence(String teamsUserId, Availability availability, Activity activity,
                                    java.time.Duration expiration) {
                synchronized (InMemoryPresenceSource.this) {
                    requireOpen();
                    writes.add(new WriteCall(clock.instant(), teamsUserId, "set", availability, activity, expiration));
                    TeamsConnectException failure = writeFailures.poll();
                    if (failure != null) {
                        throw failure;
                    }
                    if (!users.containsKey(teamsUserId)) {
                        throw new UnknownUserException(teamsUserId, "in-memory source has no user " + teamsUserId);
                    }
                    lagging.remove(teamsUserId);
                    appSessions.put(teamsUserId, new AppSession(availability, activity, clock.instant().plus(expiration)));
                }
            }

            @Override
            public void clearPresence(String teamsUserId) {
                synchronized (InMemoryPresenceSource.this) {
                    requireOpen();
                    writes.add(new WriteCall(clock.instant(), teamsUserId, "clear", null, null, null));
                    TeamsConnectException failure = writeFailures.poll();
                    if (failure != null) {
                        throw failure;
                    }
                    AppSession gone = appSessions.remove(teamsUserId);
                    if (gone != null && lagClears) {
                        lagging.put(teamsUserId, gone);
                    }
                }
            }
        });
    }

    @Override
    public void subscribe(Consumer<Set<String>> changed) {
        subscribers.add(Objects.requireNonNull(changed, "changed"));
    }

    /** Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    private TeamsPresence withObservedAt(TeamsPresence p) {
        return new TeamsPresence(p.userId(), p.availability(), p.rawAvailability(), p.activity(), p.rawActivity(),
                p.statusMessage(), p.outOfOffice(), p.sequenceNumber(), clock.instant());
    }

    private void requireKnown(String id) {
        if (!users.containsKey(id)) {
            throw new IllegalArgumentException("no user " + id + " in this in-memory source; add it first");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new TerminalException("in-memory presence source is closed");
        }
    }

    private static void requireCount(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, but was " + count);
        }
    }

    @Override
    public synchronized String toString() {
        return "InMemoryPresenceSource[users=" + users.size() + ", reads=" + readCount + "]";
    }
}
