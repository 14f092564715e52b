package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.decorate.ForwardingStateStore;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Feeds the status board's holds from the state store itself: what {@code load} returned at start (so /status
 * after a restart shows exactly the state file's holds, before the first cycle too) and every commit that
 * succeeded. The holds gauge gets the loaded count at once (the engine's count replaces it after each cycle).
 * Passes every call through unchanged; same threading as the store it wraps.
 */
final class ObservedStateStore extends ForwardingStateStore {

    private final StatusBoard board;
    private final ServiceMetrics metrics;

    ObservedStateStore(StateStore delegate, StatusBoard board, ServiceMetrics metrics) {
        super(delegate);
        this.board = board;
        this.metrics = metrics;
    }

    @Override
    public Map<String, Hold> load() {
        Map<String, Hold> holds = delegate().load();
        board.holdsLoaded(holds);
        metrics.holds(holds.size());
        return holds;
    }

    @Override
    public void commit(Collection<Hold> upserts, Collection<String> removals) {
        delegate().commit(upserts, removals);
        board.holdsCommitted(upserts, removals);
    }

    @Override
    public Map<String, dev.teamsconnect.core.spi.TeamsSession> loadSessions() {
        Map<String, dev.teamsconnect.core.spi.TeamsSession> sessions = delegate().loadSessions();
        board.teamsSessionsStored(sessions.values(), List.of());
        return sessions;
    }

    @Override
    public void commitSessions(Collection<dev.teamsconnect.core.spi.TeamsSession> upserts,
                               Collection<String> removals) {
        delegate().commitSessions(upserts, removals);
        board.teamsSessionsStored(upserts, removals);
    }

    @Override
    public String toString() {
        return delegate().toString();
    }
}
