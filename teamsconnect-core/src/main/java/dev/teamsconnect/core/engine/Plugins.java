package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.DryRunPbxSink;
import dev.teamsconnect.core.decorate.DryRunStateStore;
import dev.teamsconnect.core.decorate.FailureCounts;
import dev.teamsconnect.core.decorate.IsolatingPbxSink;
import dev.teamsconnect.core.decorate.IsolatingPresenceSource;
import dev.teamsconnect.core.decorate.IsolatingStateStore;
import dev.teamsconnect.core.decorate.RetryingPbxSink;
import dev.teamsconnect.core.decorate.RetryingPresenceSource;
import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.StateStore;
import java.util.Random;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins as the engine's parts see them: each wrapped in the engine's retries ({@link EngineConfig#retry()})
 * and in isolation (a plugin's failure is counted and becomes a {@code TeamsConnectException}, never a crash), the
 * sink and the store in dry-run wrappers when {@link EngineConfig#dryRun()}.
 */
record Plugins(PresenceSource source, PbxSink sink, StateStore store) {

    private static final Logger LOG = LoggerFactory.getLogger(Plugins.class);

    static Plugins wrap(PresenceSource source, PbxSink sink, StateStore store, EngineConfig config, Sleeper sleeper,
                        Random random, FailureCounts failures, Consumer<AuditEvent> dryRunEvents) {
        PbxSink s = config.dryRun() ? new DryRunPbxSink(sink, dryRunEvents::accept) : sink;
        return new Plugins(
                new IsolatingPresenceSource(new RetryingPresenceSource(source, config.retry(), sleeper, random),
                        failures),
                new IsolatingPbxSink(new RetryingPbxSink(s, config.retry(), sleeper, random), failures),
                new IsolatingStateStore(config.dryRun() ? new DryRunStateStore(store) : store, failures));
    }

    /** Closes source, sink and store; a failure is logged and the others are closed all the same. */
    void closeAll() {
        closeQuietly("source", source);
        closeQuietly("sink", sink);
        closeQuietly("store", store);
    }

    private static void closeQuietly(String role, AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("Closing the {} failed", role, e);
        }
    }
}
