package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** A tiny in-test presence source: users with a current presence; failures can be switched on. */
final class FakePresenceSource implements PresenceSource {
    private final Clock clock;
    final Map<String, TeamsUser> users = new LinkedHashMap<>();
    final Map<String, Availability[]> presence = new HashMap<>();
    final Map<String, Activity> activity = new HashMap<>();
    final Set<String> missing = new HashSet<>();
    final Map<String, String> sequence = new HashMap<>();
    boolean down;
    RuntimeException throwOnRead;
    int reads;
    int closes;
    /** What {@link #presenceBatchSize()} answers; 0 = no preference. */
    int batchSize;
    /** Called with the ids of every presence read, before it is answered (may throw). */
    Consumer<Collection<String>> onRead = ids -> { };

    /** The app's sessions (pbxToTeams), by Teams user id: {availability, activity}; echoed like Graph does. */
    final Map<String, Object[]> sessions = new java.util.concurrent.ConcurrentHashMap<>();
    /** Cleared sessions that Graph still reports (lag), until removed by the test. */
    final Map<String, Object[]> lagging = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
    boolean lagClears;
    /** Thrown by the next writer calls while non-null. */
    volatile RuntimeException writeFailure;
    boolean writable = true;

    FakePresenceSource(Clock clock) {
        this.clock = clock;
    }

    void addUser(String id, String mail) {
        users.put(id, new TeamsUser(id, null, mail, id, true));
        set(id, Availability.AVAILABLE, Activity.AVAILABLE);
    }

    void set(String id, Availability availability, Activity act) {
        presence.put(id, new Availability[] {availability});
        activity.put(id, act);
    }

    @Override
    public String id() {
        return "fake-source";
    }

    boolean failListUsers;
    int listUsersCalls;

    @Override
    public List<TeamsUser> listUsers() {
        listUsersCalls++;
        if (down) {
            throw new RetryableException("presence source down");
        }
        if (failListUsers) {
            throw new RetryableException("user listing failed");
        }
        return new ArrayList<>(users.values());
    }

    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        reads++;
        onRead.accept(userIds);
        if (throwOnRead != null) {
            throw throwOnRead;
        }
        if (down) {
            throw new RetryableException("presence source down");
        }
        Map<String, TeamsPresence> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (String id : userIds) {
            if (missing.contains(id)) {
                continue;
            }
            Availability a = presence.get(id)[0];
            Activity act = activity.get(id);
            Object[] session = lagging.containsKey(id) ? lagging.get(id) : sessions.get(id);
            if (session != null && !clock.instant().isBefore((java.time.Instant) session[2])) {
                sessions.remove(id); // expired: Graph ends it by itself
                lagging.remove(id);
                session = null;
            }
            if (session != null && ((Availability) session[0]).sessionRank() > a.sessionRank()) {
                a = (Availability) session[0];
                act = (Activity) session[1];
            }
            values.put(id, new TeamsPresence(id, a, null, act, null, null, false, sequence.get(id), clock.instant()));
        }
        return new BatchResult<>(values, failures);
    }
    @Override
    public java.util.Optional<dev.teamsconnect.core.spi.PresenceWriter> presenceWriter() {
        if (!writable) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new dev.teamsconnect.core.spi.PresenceWriter() {
            @Override
            public void setPresence(String teamsUserId, Availability availability, Activity act,
                                    java.time.Duration expiration) {
                writes.add("set " + teamsUserId + " " + availability.wireValue() + "/" + act.wireValue());
                if (writeFailure != null) {
                    throw writeFailure;
                }
                lagging.remove(teamsUserId);
                sessions.put(teamsUserId, new Object[] {availability, act, clock.instant().plus(expiration)});
            }

            @Override
            public void clearPresence(String teamsUserId) {
                writes.add("clear " + teamsUserId);
                if (writeFailure != null) {
                    throw writeFailure;
                }
                Object[] gone = sessions.remove(teamsUserId);
                if (gone != null && lagClears) {
                    lagging.put(teamsUserId, gone);
                }
            }
        });
    }

    @Override
    public int presenceBatchSize() {
        return batchSize;
    }

    @Override
    public void close() {
        closes++;
    }
}
