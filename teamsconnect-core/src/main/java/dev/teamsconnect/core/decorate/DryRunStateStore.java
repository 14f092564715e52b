package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * For dry runs: loads the real holds once, then keeps every commit in memory, so a dry run never changes the
 * real state file. {@link #claim} goes to the real store (a foreign or busy store is refused in a dry run too);
 * nothing is written. Thread-safe.
 */
public final class DryRunStateStore extends ForwardingStateStore {

    private Map<String, Hold> holds;
    private Map<String, dev.teamsconnect.core.spi.TeamsSession> sessions;

    public DryRunStateStore(StateStore delegate) {
        super(delegate);
    }

    @Override
    public synchronized Map<String, Hold> load() {
        if (holds == null) {
            holds = new HashMap<>(delegate().load());
        }
        return Map.copyOf(holds);
    }

    @Override
    public synchronized void commit(Collection<Hold> upserts, Collection<String> removals) {
        load();
        removals.forEach(holds::remove);
        upserts.forEach(h -> holds.put(h.pbxUserId(), h));
    }

    @Override
    public synchronized Map<String, dev.teamsconnect.core.spi.TeamsSession> loadSessions() {
        if (sessions == null) {
            sessions = new HashMap<>(delegate().loadSessions());
        }
        return Map.copyOf(sessions);
    }

    @Override
    public synchronized void commitSessions(Collection<dev.teamsconnect.core.spi.TeamsSession> upserts,
                                            Collection<String> removals) {
        loadSessions();
        removals.forEach(sessions::remove);
        upserts.forEach(s -> sessions.put(s.pbxUserId(), s));
    }
}
