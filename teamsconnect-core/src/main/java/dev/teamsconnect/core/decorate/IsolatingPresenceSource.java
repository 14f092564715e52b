package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Isolates the engine from a presence source; see {@link IsolatingPbxSink} (counted under {@code source.*}). */
public final class IsolatingPresenceSource extends ForwardingPresenceSource {

    private final Isolation isolation;
    private final String id;

    public IsolatingPresenceSource(PresenceSource delegate, FailureCounts counts) {
        super(delegate);
        this.id = Isolation.safeId(delegate::id, delegate.getClass().getName());
        this.isolation = new Isolation("source", id, counts);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void open() {
        isolation.run("open", delegate()::open);
    }

    @Override
    public List<TeamsUser> listUsers() {
        return isolation.call("listUsers", () -> IsolatingPbxSink.nonNull(delegate().listUsers(), "listUsers"));
    }

    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        return isolation.call("readPresence", () -> IsolatingPbxSink.nonNull(delegate().readPresence(userIds), "readPresence"));
    }

    @Override
    public int presenceBatchSize() {
        try {
            return delegate().presenceBatchSize();
        } catch (RuntimeException e) {
            return 0; // a broken hint costs only the batching: read everything in one call, as without it
        }
    }

    @Override
    public void subscribe(Consumer<Set<String>> changed) {
        isolation.run("subscribe", () -> delegate().subscribe(changed));
    }

    @Override
    public java.util.Optional<dev.teamsconnect.core.spi.PresenceWriter> presenceWriter() {
        return isolation.call("presenceWriter",
                () -> IsolatingPbxSink.nonNull(delegate().presenceWriter(), "presenceWriter"));
    }

    @Override
    public void close() {
        isolation.run("close", delegate()::close);
    }
}
