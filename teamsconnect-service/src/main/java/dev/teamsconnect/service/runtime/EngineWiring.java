package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.service.config.MappingConfig;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.config.TeamsConfig;
import dev.teamsconnect.service.config.UserScope;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Builds the parts of the sync from a {@link ServiceConfig}: the plugins (by id, through a {@link PluginLookup}), the
 * status policy, the engine settings and the engine itself. Creating plugins does no network I/O; a plugin that
 * rejects its section throws a {@link dev.teamsconnect.core.error.ConfigException} naming the key path.
 */
public final class EngineWiring {

    /** Users are listed and matched again this often (new and removed users show up within it). */
    static final Duration USER_REFRESH = Duration.ofMinutes(15);
    /** The id of the state store (core's JSON file store). */
    static final String STORE_ID = "file";

    private final ServiceConfig config;
    private final PluginLookup plugins;

    public EngineWiring(ServiceConfig config, PluginLookup plugins) {
        this.config = config;
        this.plugins = plugins;
    }

    /** The presence source as configured (source.type), not opened. */
    public PresenceSource source() {
        return plugins.source(config.source()).create(config.sourceConfig());
    }

    /** The PBX sink as configured (sink.type), not opened. */
    public PbxSink sink() {
        return plugins.sink(config.sink()).create(config.sinkConfig());
    }

    /** The state store at state.file. */
    public StateStore store() {
        return plugins.store(STORE_ID).create(new ProviderConfig("state", Map.of("file", config.state().file().toString())));
    }

    /** The status policy from mapping.dnd, mapping.chatStatus and mapping.language. */
    public ConfigurableStatusPolicy policy() {
        MappingConfig m = config.mapping();
        return ConfigurableStatusPolicy.builder().dndCategories(m.dnd()).chatStatusEnabled(m.chatStatus())
                .language(m.language().code()).build();
    }

    /** The poll interval: teams.pollInterval for the Graph source, the documented default otherwise. */
    public Duration pollInterval() {
        return config.teams().map(TeamsConfig::pollInterval).orElse(TeamsConfig.DEFAULT_POLL_INTERVAL);
    }

    /**
     * The engine settings from mapping.* and teams.pollInterval.
     *
     * @param dryRun    write nothing
     * @param keepHolds do not release holds on close (run --once: the next run restores them)
     */
    public EngineConfig engineConfig(boolean dryRun, boolean keepHolds) {
        MappingConfig m = config.mapping();
        Duration poll = pollInterval();
        return EngineConfig.builder()
                .pollInterval(poll)
                .userRefreshInterval(poll.compareTo(USER_REFRESH) > 0 ? poll : USER_REFRESH)
                .gracePeriod(m.graceAfterCall())
                .debounce(m.debounce())
                .manualDndMode(m.manualDnd() == dev.teamsconnect.service.config.ManualDndMode.TEAMS_LEADS
                        ? ManualDndMode.TEAMS_LEADS : ManualDndMode.RESPECT)
                .releaseOnShutdown(m.releaseOnShutdown() && !keepHolds)
                .failOpenAfter(m.failOpenAfter())
                .dryRun(dryRun)
                .build();
    }

    /**
     * The engine with observed plugins (sign-in state and metrics go to {@code board} and {@code metrics}, which are
     * also registered as audit listeners).
     */
    public SyncEngine engine(boolean dryRun, boolean keepHolds, StatusBoard board, ServiceMetrics metrics, Clock clock) {
        return engine(dryRun, keepHolds, board, metrics, clock, report -> { });
    }

    /** As {@link #engine(boolean, boolean, StatusBoard, ServiceMetrics, Clock)}, with a listener for every cycle. */
    public SyncEngine engine(boolean dryRun, boolean keepHolds, StatusBoard board, ServiceMetrics metrics, Clock clock,
                             java.util.function.Consumer<dev.teamsconnect.core.engine.CycleReport> onCycle) {
        PresenceSource source = new ObservedPresenceSource(source(), board, metrics, clock,
                ServiceConfig.sourceSectionName(config.source()));
        PbxSink sink = new ObservedPbxSink(sink(), board, metrics, clock, ServiceConfig.sinkSectionName(config.sink()));
        SyncEngine.Builder b = SyncEngine.builder()
                .source(source)
                .sink(sink)
                .store(store())
                .policy(policy())
                .config(engineConfig(dryRun, keepHolds))
                .clock(clock)
                .listener(board)
                .listener(metrics)
                .cycleListener(onCycle)
                .userOverrides(config.users().overrides());
        if (config.users().scope() == UserScope.GROUP) {
            b.scopeGroup(config.users().group().orElseThrow());
        }
        return b.build();
    }
}
