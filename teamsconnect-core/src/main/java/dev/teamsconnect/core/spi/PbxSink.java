package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the desired state goes: a PBX (STARFACE), a webhook, a busy light.
 *
 * <p>Contract:
 * <ul>
 *   <li>Threading: the engine calls one method at a time; a sink may parallelise inside
 *       {@link #readStates} and {@link #applyAll} (bounded).</li>
 *   <li>Idempotence: writing the same state twice must be harmless. The engine writes only differences,
 *       but retries after a crash may repeat a write.</li>
 *   <li>Failures: per-user problems (unknown user, one failed write) go into the {@link BatchResult};
 *       a failure of the whole backend is thrown ({@link dev.teamsconnect.core.error.RetryableException} or
 *       {@link TerminalException}).</li>
 *   <li>Capabilities: the engine only reads and writes fields named in {@link #capabilities()}.</li>
 * </ul>
 */
public interface PbxSink extends AutoCloseable {

    /** The provider id, e.g. {@code starface}. */
    String id();

    /** What this sink can do. */
    Set<Capability> capabilities();

    /** Signs in (if needed) and checks that the PBX can be reached; called once before the first cycle. */
    default void open() {
    }

    /** All PBX users. */
    List<PbxUser> listUsers();

    /**
     * The members of the named group. Sinks without {@link Capability#GROUPS} throw a {@link TerminalException}.
     */
    default List<PbxUser> listGroupMembers(String groupName) {
        throw new TerminalException("PBX sink '" + id() + "' does not support user groups (users.scope: group)");
    }

    /** The current state of one user. */
    PbxState readState(PbxUser user);

    /** The current state of many users. The default reads one after another; sinks may parallelise. */
    default BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        Map<String, PbxState> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (PbxUser user : users) {
            try {
                values.put(user.id(), readState(user));
            } catch (TeamsConnectException e) {
                failures.put(user.id(), e);
            }
        }
        return new BatchResult<>(values, failures);
    }

    /** Writes one change. */
    void apply(PbxChange change);

    /**
     * Writes many changes; the result maps each successfully written user id to its new state. The default writes
     * one after another; sinks may parallelise.
     */
    default BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        Map<String, PbxState> values = new HashMap<>();
        Map<String, TeamsConnectException> failures = new HashMap<>();
        for (PbxChange change : changes) {
            try {
                apply(change);
                values.put(change.user().id(), change.to());
            } catch (TeamsConnectException e) {
                failures.put(change.user().id(), e);
            }
        }
        return new BatchResult<>(values, failures);
    }

    /**
     * The PBX read budget for users whose wanted state did not change (in a call, held, or settled): the engine
     * reads such a user's state again at most this often, to notice a change made by hand. {@link Duration#ZERO}
     * (the default) means every cycle. A change of the wanted state, and every restore, always reads first,
     * whatever this says. For STARFACE it is {@code starface.recheckInterval}. Must not block.
     */
    default Duration recheckInterval() {
        return Duration.ZERO;
    }

    /**
     * A stable name of the PBX this sink writes to (e.g. {@code starface https://pbx.example.com/}), or empty when
     * the sink has none. The engine claims its state store with it ({@link StateStore#claim}), so that holds
     * remembered for one PBX are never "restored" on another. Must not block and must not need {@link #open()}.
     */
    default Optional<String> identity() {
        return Optional.empty();
    }

    /**
     * The users who are on a PBX call right now, by PBX user id, for sinks with {@link Capability#PBX_CALLS} (the
     * engine reads it once per poll when {@code pbxToTeams.calls} is on). The default, for sinks without call state,
     * is none. Should answer from what the sink already knows (events it received) and not block for long.
     */
    default Set<String> usersOnCall() {
        return Set.of();
    }

    /**
     * Registers who hears about DND changes the sink notices itself, for sinks with {@link Capability#DND_EVENTS}
     * (a bridge inside the PBX). The sink calls {@code changed} with PBX user ids whose DND may have changed; it is a
     * hint only, the engine reads the state itself. With it the engine does not read every user's state over
     * {@code pbxToTeams.readInterval}. Called before {@link #open()}. The default never calls.
     */
    default void onDndChanged(java.util.function.Consumer<Set<String>> changed) {
    }

    /**
     * What the sink reports to the {@code check} command beyond "users listed": a part that does not answer (the
     * STARFACE bridge), a version, a feature the PBX lacks. Called after {@link #open()}; may do network I/O within
     * the sink's own deadlines; never throws for what it cannot find out (it says so in a note instead). Default:
     * nothing.
     */
    default List<CheckNote> checkNotes() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
