package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import java.util.Collection;
import java.util.Map;

/** Isolates the engine from a state store; see {@link IsolatingPbxSink} (counted under {@code store.*}). */
public final class IsolatingStateStore extends ForwardingStateStore {

    private final Isolation isolation;
    private final String id;

    public IsolatingStateStore(StateStore delegate, FailureCounts counts) {
        super(delegate);
        this.id = Isolation.safeId(delegate::id, delegate.getClass().getName());
        this.isolation = new Isolation("store", id, counts);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void claim(java.util.Optional<String> pbxIdentity) {
        isolation.run("claim", () -> delegate().claim(pbxIdentity));
    }

    @Override
    public Map<String, Hold> load() {
        return isolation.call("load", () -> IsolatingPbxSink.nonNull(delegate().load(), "load"));
    }

    @Override
    public void commit(Collection<Hold> upserts, Collection<String> removals) {
        isolation.run("commit", () -> delegate().commit(upserts, removals));
    }

    @Override
    public Map<String, dev.teamsconnect.core.spi.TeamsSession> loadSessions() {
        return isolation.call("loadSessions", () -> IsolatingPbxSink.nonNull(delegate().loadSessions(), "loadSessions"));
    }

    @Override
    public void commitSessions(Collection<dev.teamsconnect.core.spi.TeamsSession> upserts,
                               Collection<String> removals) {
        isolation.run("commitSessions", () -> delegate().commitSessions(upserts, removals));
    }

    @Override
    public void close() {
        isolation.run("close", delegate()::close);
    }
}
