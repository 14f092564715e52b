package dev.teamsconnect.core.decorate;

import java.util.Optional;
import java.time.Duration;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/** Retries whole calls of a source that fail with a retryable exception, under a {@link RetryPolicy}. */
public final class RetryingPresenceSource implements PresenceSource {

    private final PresenceSource delegate;
    private final Retrier retrier;
    private final String id;

    public RetryingPresenceSource(PresenceSource delegate, RetryPolicy policy, Sleeper sleeper, Random random) {
        this.delegate = delegate;
        this.retrier = new Retrier(policy, sleeper, random);
        this.id = delegate.id();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<Duration> pollInterval() {
        return delegate.pollInterval();
    }

    @Override
    public void open() {
        delegate.open();
    }

    @Override
    public List<TeamsUser> listUsers() {
        return retrier.call(id + ".listUsers", delegate::listUsers);
    }

    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        return retrier.call(id + ".readPresence", () -> delegate.readPresence(userIds));
    }

    @Override
    public int presenceBatchSize() {
        return delegate.presenceBatchSize();
    }

    @Override
    public void subscribe(Consumer<Set<String>> changed) {
        delegate.subscribe(changed);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
