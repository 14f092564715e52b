package dev.teamsconnect.core.spi;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A status output: receives each user's {@link OutputStatus} (an MQTT broker, a webhook, a busy light). Unlike the
 * {@link PbxSink} it holds nothing and restores nothing; there may be several. Created by a
 * {@link StatusOutputProvider} found with {@link java.util.ServiceLoader}.
 *
 * <p>Contract:
 * <ul>
 *   <li>Threading: called one method at a time from the output's own delivery thread, never from the sync thread:
 *       an output never blocks, slows or fails the PBX sync. Calls may block for network I/O within the output's own
 *       deadlines.</li>
 *   <li>Level-triggered: {@link #publish} gets the latest status of each user, on change and again every
 *       re-publish interval, so a receiver that was down catches up. Statuses overtaken while the output was busy
 *       are dropped (only the latest per user is kept).</li>
 *   <li>Failures: throw {@link dev.teamsconnect.core.error.RetryableException} when delivery may work later (the
 *       host delivers the same users again with backoff), {@link dev.teamsconnect.core.error.TerminalException} when
 *       it will not (rejected credentials). Never a secret in a message.</li>
 * </ul>
 */
public interface StatusOutput extends AutoCloseable {

    /** The provider id, e.g. {@code mqtt} or {@code webhook}. */
    String id();

    /** Connects (if needed); called once before the first {@link #publish}. May be called again after a failure. */
    default void open() {
    }

    /** Delivers the current status of some users (at most one per user). */
    void publish(List<OutputStatus> statuses);

    /** These users left the scope: remove what was published for them (retained topics, discovered entities). */
    default void remove(Collection<String> pbxUserIds) {
    }

    /**
     * How often the host sends every user's status again (the entry's {@code republishInterval}, read with
     * {@code dev.teamsconnect.core.output.OutputSettings.republishInterval(ProviderConfig)}); empty: the host's
     * default (5 min).
     */
    default Optional<Duration> republishInterval() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
