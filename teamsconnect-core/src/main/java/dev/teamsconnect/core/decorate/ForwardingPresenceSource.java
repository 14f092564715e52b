package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.spi.PresenceSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A {@link PresenceSource} that hands every call, the {@code default} methods included, to a delegate unchanged; see
 * {@link ForwardingPbxSink}. A test fails when this class misses a method of {@link PresenceSource}.
 */
public abstract class ForwardingPresenceSource implements PresenceSource {

    private final PresenceSource delegate;

    protected ForwardingPresenceSource(PresenceSource delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The source every call goes to. */
    protected final PresenceSource delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public void open() {
        delegate.open();
    }

    @Override
    public List<TeamsUser> listUsers() {
        return delegate.listUsers();
    }

    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        return delegate.readPresence(userIds);
    }

    @Override
    public int presenceBatchSize() {
        return delegate.presenceBatchSize();
    }

    @Override
    public Optional<Duration> pollInterval() {
        return delegate.pollInterval();
    }

    @Override
    public void subscribe(Consumer<Set<String>> changed) {
        delegate.subscribe(changed);
    }

    @Override
    public List<CheckNote> checkNotes() {
        return delegate.checkNotes();
    }

    @Override
    public Optional<Instant> credentialExpiry() {
        return delegate.credentialExpiry();
    }

    @Override
    public void onSignInPrompt(Consumer<dev.teamsconnect.core.spi.SignInPrompt> prompts) {
        delegate.onSignInPrompt(prompts);
    }

    @Override
    public Optional<dev.teamsconnect.core.spi.PresenceWriter> presenceWriter() {
        return delegate.presenceWriter();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
