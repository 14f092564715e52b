package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where presence comes from (Microsoft Graph, a file, a test script).
 *
 * <p>Threading: the engine calls one method at a time from its sync thread; calls may block for network I/O
 * and should honour their own timeouts. Failures: throw {@link dev.teamsconnect.core.error.RetryableException}
 * for things that may pass (I/O, 429, 5xx) and {@link dev.teamsconnect.core.error.TerminalException} for things
 * that will not (rejected sign-in, missing permission). Never put secrets in messages.
 */
public interface PresenceSource extends AutoCloseable {

    /** The provider id, e.g. {@code graph}. */
    String id();

    /** Signs in (if needed) and checks that the source works; called once before the first cycle. */
    default void open() {
    }

    /** All users the source can report on. Disabled accounts may be included with {@code enabled = false}. */
    List<TeamsUser> listUsers();

    /**
     * The current presence of the given users, keyed by user id. Ids the source does not know may be absent
     * or reported as failures. Implementations chunk and pace requests as their backend requires.
     */
    BatchResult<TeamsPresence> readPresence(Collection<String> userIds);

    /**
     * How many user ids one {@link #readPresence} call should carry at most, or 0 (the default) for no preference.
     * When positive, the engine reads a cycle's presence in calls of at most this many ids and reconciles the users
     * of each call as soon as it returns, so that a change is written without waiting for the other users' reads.
     * A source whose backend answers in fixed-size requests (Graph: 650 ids) should return that size, so batching
     * adds no request. Must not block; the value may be read every cycle.
     */
    default int presenceBatchSize() {
        return 0;
    }

    /**
     * How often this source was configured to be read (for the Graph source {@code teams.pollInterval}), or empty
     * (the default) when the source has no opinion and the engine's own poll interval applies. The service uses it
     * as the engine's poll interval, so the key that sets it is owned by the source's section. Must not block.
     */
    default Optional<Duration> pollInterval() {
        return Optional.empty();
    }

    /**
     * Optional push: the source calls {@code changed} with user ids whose presence may have changed. It is a
     * hint only ("look at these users"); the engine reads the current presence itself. Default: no push.
     */
    default void subscribe(Consumer<Set<String>> changed) {
    }

    /**
     * What the {@code check} command should tell about this source after {@link #open()} (and after
     * {@link #listUsers()}, whether it worked or not): granted and missing permissions, features the configured
     * environment does not offer. Default: nothing. May do network I/O within the source's own deadlines; never
     * throws for what it cannot find out (it says so in a note instead).
     */
    default List<CheckNote> checkNotes() {
        return List.of();
    }

    /**
     * When the configured credential stops working, if the source knows (the Graph source: its client certificate's
     * {@code notAfter}); empty by default. The service exports the time left as a metric. Must not block.
     */
    default Optional<Instant> credentialExpiry() {
        return Optional.empty();
    }

    /**
     * Registers who hears about sign-ins that wait for a person (a device code to enter), so a host can show them
     * where an admin looks. Called before {@link #open()}; a source calls {@code prompts} on the thread that signs
     * in, each time such a sign-in starts, and must not fail when the listener throws. Default: the source never
     * waits for a person.
     */
    default void onSignInPrompt(Consumer<SignInPrompt> prompts) {
    }

    /**
     * The writer of the PBX-to-Teams direction ({@code pbxToTeams}), or empty (the default) when this source cannot
     * write presence. Must not block and must not need {@link #open()}; the writer is used after {@code open()}.
     */
    default Optional<PresenceWriter> presenceWriter() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
