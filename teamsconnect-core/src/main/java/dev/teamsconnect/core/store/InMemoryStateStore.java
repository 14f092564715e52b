package dev.teamsconnect.core.store;

import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.TeamsSession;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Holds (and Teams sessions) in memory only: a restart forgets them (use it for tests, dry runs, or when the PBX state must not be
 * restored after a restart). Thread-safe; {@link #commit} is atomic.
 */
public final class InMemoryStateStore implements StateStore {

    private final Map<String, Hold> holds = new HashMap<>();
    private final Map<String, TeamsSession> sessions = new HashMap<>();

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public synchronized Map<String, Hold> load() {
        return Map.copyOf(holds);
    }

    @Override
    public synchronized void commit(Collection<Hold> upserts, Collection<String> removals) {
        removals.forEach(holds::remove);
        upserts.forEach(h -> holds.put(h.pbxUserId(), h));
    }

    @Override
    public synchronized Map<String, TeamsSession> loadSessions() {
        return Map.copyOf(sessions);
    }

    @Override
    public synchronized void commitSessions(Collection<TeamsSession> upserts, Collection<String> removals) {
        removals.forEach(sessions::remove);
        upserts.forEach(t -> sessions.put(t.pbxUserId(), t));
    }
}
