package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/**
 * Retries whole calls of a sink that fail with a retryable exception, under a {@link RetryPolicy}. Per-user
 * failures inside a {@link BatchResult} are not retried here: the next cycle takes care of them. Writes may be
 * repeated, which the {@link PbxSink} contract allows (writes are idempotent). Same threading as the delegate.
 */
public final class RetryingPbxSink extends ForwardingPbxSink {

    private final Retrier retrier;
    private final String id;

    public RetryingPbxSink(PbxSink delegate, RetryPolicy policy, Sleeper sleeper, Random random) {
        super(delegate);
        this.retrier = new Retrier(policy, sleeper, random);
        this.id = delegate.id();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<PbxUser> listUsers() {
        return retrier.call(id + ".listUsers", delegate()::listUsers);
    }

    @Override
    public List<PbxUser> listGroupMembers(String groupName) {
        return retrier.call(id + ".listGroupMembers", () -> delegate().listGroupMembers(groupName));
    }

    @Override
    public PbxState readState(PbxUser user) {
        return retrier.call(id + ".readState", () -> delegate().readState(user));
    }

    @Override
    public BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        return retrier.call(id + ".readStates", () -> delegate().readStates(users));
    }

    @Override
    public void apply(PbxChange change) {
        retrier.run(id + ".apply", () -> delegate().apply(change));
    }

    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        return retrier.call(id + ".applyAll", () -> delegate().applyAll(changes));
    }
}
