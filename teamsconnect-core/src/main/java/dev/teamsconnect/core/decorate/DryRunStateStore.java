package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * For dry runs: loads the real holds once, then keeps every commit in memory, so a dry run never changes the
 * real state file. Thread-safe.
 */
public final class DryRunStateStore implements StateStore {

    private final StateStore delegate;
    private Map<String, Hold> holds;

    public DryRunStateStore(StateStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    /** Claimed on the real store (a foreign or busy store is refused in a dry run too); nothing is written. */
    @Override
    public void claim(java.util.Optional<String> pbxIdentity) {
        delegate.claim(pbxIdentity);
    }

    @Override
    public synchronized Map<String, Hold> load() {
        if (holds == null) {
            holds = new HashMap<>(delegate.load());
        }
        return Map.copyOf(holds);
    }

    @Override
    public synchronized void commit(Collection<Hold> upserts, Collection<String> removals) {
        load();
        removals.forEach(holds::remove);
        upserts.forEach(h -> holds.put(h.pbxUserId(), h));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
