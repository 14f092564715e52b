package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.Collection;
import java.util.List;
import java.util.Random;

/** Retries whole calls of a source that fail with a retryable exception, under a {@link RetryPolicy}. */
public final class RetryingPresenceSource extends ForwardingPresenceSource {

    private final Retrier retrier;
    private final String id;

    public RetryingPresenceSource(PresenceSource delegate, RetryPolicy policy, Sleeper sleeper, Random random) {
        super(delegate);
        this.retrier = new Retrier(policy, sleeper, random);
        this.id = delegate.id();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<TeamsUser> listUsers() {
        return retrier.call(id + ".listUsers", delegate()::listUsers);
    }

    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        return retrier.call(id + ".readPresence", () -> delegate().readPresence(userIds));
    }
}
