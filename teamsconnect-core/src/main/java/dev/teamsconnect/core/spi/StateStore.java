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
     * Called once by the engine that is going to write to this store, after {@link #load()} and before the first
     * {@link #commit}, with the PBX it writes to ({@link PbxSink#identity()}, empty when the sink has none). A store
     * must refuse with a {@link dev.teamsconnect.core.error.StateStoreException} naming the way out when another
     * process writes to it, or when it remembers holds of another PBX (they must never be "restored" on this one); a
     * store without a recorded identity adopts this one. A store that is only read (an inspection of its holds) is
     * not claimed. The default does nothing.
     */
    default void claim(java.util.Optional<String> pbxIdentity) {
    }

    /**
     * The Teams presence sessions the product set ({@code pbxToTeams}), keyed by PBX user id. A store that keeps no
     * sessions returns none (the default): then a restart loses track of them and each ends by itself within its
     * {@link TeamsSession#expiresAt()}. The engine calls it once, after {@link #load()} and {@link #claim}.
     */
    default Map<String, TeamsSession> loadSessions() {
        return Map.of();
    }

    /**
     * Stores {@code upserts} and removes the sessions of {@code removals} (PBX user ids), atomically and durably, like
     * {@link #commit}; called before the {@code setPresence} it covers. The default keeps nothing.
     */
    default void commitSessions(Collection<TeamsSession> upserts, Collection<String> removals) {
    }

    @Override
    default void close() {
    }
}
