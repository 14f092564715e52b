package dev.teamsconnect.core.spi;

import java.util.Collection;
import java.util.Map;

/**
 * Durable memory of the engine's {@link Hold}s, so a restart or crash never strands a user in DND.
 *
 * <p>Contract: {@link #commit} is atomic and durable when it returns (all of a batch or none of it survives a
 * crash). {@link #load} never reports a corrupt or foreign store as empty: it throws
 * {@link dev.teamsconnect.core.error.StateStoreException} naming the store and the way out.
 * The engine calls one method at a time.
 */
public interface StateStore extends AutoCloseable {

    /** The provider id, e.g. {@code file} or {@code memory}. */
    String id();

    /** All holds, keyed by PBX user id. */
    Map<String, Hold> load();

    /** Stores {@code upserts} and removes the holds of {@code removals} (PBX user ids), atomically. */
    void commit(Collection<Hold> upserts, Collection<String> removals);

    /**
     * Binds the store to the PBX named by {@link PbxSink#identity()}, after {@link #load()} and before the first
     * {@link #commit}. A store that remembers holds of another PBX must refuse with a
     * {@link dev.teamsconnect.core.error.StateStoreException} naming both and the way out; a store without a recorded
     * identity adopts this one. The default keeps no identity.
     */
    default void bindPbx(String pbxIdentity) {
    }

    @Override
    default void close() {
    }
}
