package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StateStore} that hands every call, the {@code default} methods included, to a delegate unchanged; see
 * {@link ForwardingPbxSink}. A test fails when this class misses a method of {@link StateStore}.
 */
public abstract class ForwardingStateStore implements StateStore {

    private final StateStore delegate;

    protected ForwardingStateStore(StateStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store every call goes to. */
    protected final StateStore delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public Map<String, Hold> load() {
        return delegate.load();
    }

    @Override
    public void commit(Collection<Hold> upserts, Collection<String> removals) {
        delegate.commit(upserts, removals);
    }

    @Override
    public void claim(Optional<String> pbxIdentity) {
        delegate.claim(pbxIdentity);
    }

    @Override
    public Map<String, dev.teamsconnect.core.spi.TeamsSession> loadSessions() {
        return delegate.loadSessions();
    }

    @Override
    public void commitSessions(Collection<dev.teamsconnect.core.spi.TeamsSession> upserts,
                               Collection<String> removals) {
        delegate.commitSessions(upserts, removals);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
