package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link PbxSink} that hands every call, the {@code default} methods included, to a delegate unchanged. A decorator
 * (retry, isolation, dry run, metrics) extends it and overrides only the calls it changes, so a method added to the
 * interface later reaches the real sink through every decorator without editing them. A test fails when this class
 * misses a method of {@link PbxSink}.
 *
 * <p>Same threading, blocking and exceptions as the delegate. {@link Object#toString()} is not forwarded.
 */
public abstract class ForwardingPbxSink implements PbxSink {

    private final PbxSink delegate;

    protected ForwardingPbxSink(PbxSink delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The sink every call goes to. */
    protected final PbxSink delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public void open() {
        delegate.open();
    }

    @Override
    public List<PbxUser> listUsers() {
        return delegate.listUsers();
    }

    @Override
    public List<PbxUser> listGroupMembers(String groupName) {
        return delegate.listGroupMembers(groupName);
    }

    @Override
    public PbxState readState(PbxUser user) {
        return delegate.readState(user);
    }

    @Override
    public BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        return delegate.readStates(users);
    }

    @Override
    public void apply(PbxChange change) {
        delegate.apply(change);
    }

    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        return delegate.applyAll(changes);
    }

    @Override
    public Duration recheckInterval() {
        return delegate.recheckInterval();
    }

    @Override
    public Optional<String> identity() {
        return delegate.identity();
    }

    @Override
    public Set<String> usersOnCall() {
        return delegate.usersOnCall();
    }

    @Override
    public void onDndChanged(java.util.function.Consumer<Set<String>> changed) {
        delegate.onDndChanged(changed);
    }

    @Override
    public java.util.List<dev.teamsconnect.core.spi.CheckNote> checkNotes() {
        return delegate.checkNotes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
