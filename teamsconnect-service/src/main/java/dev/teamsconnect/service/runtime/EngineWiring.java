package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.output.OutputSettings;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.service.config.MappingConfig;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.config.UserScope;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the parts of the sync from a {@link ServiceConfig}: the plugins (by id, through a {@link PluginLookup}), the
 * status policy, the engine settings and the engine itself. Creating plugins does no network I/O; each plugin
 * validates its whole section, and a rejected section is reported like the service's own problems: one
 * {@link dev.teamsconnect.service.config.InvalidConfigException} with every problem, its line, sorted by line, no
 * substituted value in it. One wiring per command; not thread-safe.
 */
public final class EngineWiring {

    private static final Logger LOG = LoggerFactory.getLogger(EngineWiring.class);

    /** The poll interval when the source does not say (the Graph source's documented default). */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    /** The id of the state store (core's JSON file store). */
    static final String STORE_ID = "file";

    private final ServiceConfig config;
    private final PluginLookup plugins;
    private Duration pollInterval;
    private PresenceSource checkedSource;
    private PbxSink checkedSink;
    private List<StatusOutput> checkedOutputs;
    private final java.util.Set<String> logged = new java.util.HashSet<>();

    private final boolean writesNothing;

    public EngineWiring(ServiceConfig config, PluginLookup plugins) {
        this(config, plugins, false);
    }

    private EngineWiring(ServiceConfig config, PluginLookup plugins, boolean writesNothing) {
        this.config = config;
        this.plugins = plugins;
        this.writesNothing = writesNothing;
    }

    /**
     * The wiring for {@code check}: the plugins get their sections with {@code ProviderConfig.writesNothing()}
     * true, so they sign in and read but write no file (no token cache).
     */
    public static EngineWiring forCheck(ServiceConfig config, PluginLookup plugins) {
        return new EngineWiring(config, plugins, true);
    }

    private ProviderConfig sourceSection() {
        return writesNothing ? config.sourceConfig().writingNothing() : config.sourceConfig();
    }

    private ProviderConfig sinkSection() {
        return writesNothing ? config.sinkConfig().writingNothing() : config.sinkConfig();
    }

    /**
     * The presence source as configured (source.type), not opened. Before the first plugin of this wiring is handed
     * out, the whole config is checked as {@link #validate()} does, so every problem of both plugin sections is
     * reported at once, whichever command asks first; the plugins created for that check are the first ones
     * handed out (so a plugin is created once per role unless asked for again).
     *
     * @throws dev.teamsconnect.service.config.InvalidConfigException with every problem found
     */
    public PresenceSource source() {
        checkOnce();
        if (checkedSource != null) {
            PresenceSource s = checkedSource;
            checkedSource = null;
            return s;
        }
        return create(c -> plugins.source(config.source()).create(c), sourceSection());
    }

    /** The PBX sink as configured (sink.type), not opened; checked as {@link #source()} says. */
    public PbxSink sink() {
        checkOnce();
        if (checkedSink != null) {
            PbxSink s = checkedSink;
            checkedSink = null;
            return s;
        }
        return create(c -> plugins.sink(config.sink()).create(c), sinkSection());
    }

    /**
     * The status outputs as configured ({@code outputs}), in file order, not opened; checked as {@link #source()}
     * says. Empty when the file has no {@code outputs}.
     */
    public List<StatusOutput> outputs() {
        checkOnce();
        if (checkedOutputs != null) {
            List<StatusOutput> o = checkedOutputs;
            checkedOutputs = null;
            return o;
        }
        List<StatusOutput> out = new ArrayList<>();
        for (ServiceConfig.OutputEntry e : config.outputs()) {
            out.add(create(c -> plugins.output(e.type()).create(c), outputSection(e)));
        }
        return out;
    }

    /**
     * The host of the configured outputs ({@link #outputs()}), not started: delivery settings are
     * {@link OutputSettings#defaults()} with each output's own re-publish interval. Empty (no thread, nothing to
     * feed) without outputs.
     */
    public OutputDispatcher outputDispatcher(Clock clock) {
        OutputDispatcher.Builder b = OutputDispatcher.builder().clock(clock);
        for (StatusOutput o : outputs()) {
            OutputSettings settings = OutputSettings.defaults();
            b.output(o, o.republishInterval().map(settings::withRepublishInterval).orElse(settings));
        }
        return b.build();
    }

    private ProviderConfig outputSection(ServiceConfig.OutputEntry e) {
        ProviderConfig c = config.outputConfig(e);
        return writesNothing ? c.writingNothing() : c;
    }

    private void checkOnce() {
        if (pollInterval == null) {
            logWarnings(check(true));
        }
    }

    /**
     * The state store as configured (state.type), not opened: with {@code file} the store at state.file (the service
     * checked that key); with another type the provider gets the rest of the state section and checks it itself.
     */
    public StateStore store() {
        if (config.state().isFile()) {
            return plugins.store(STORE_ID).create(new ProviderConfig("state", Map.of("file", config.state().file().toString())));
        }
        return create(c -> plugins.store(config.state().type()).create(c), storeSection());
    }

    private ProviderConfig storeSection() {
        ProviderConfig section = config.origin().section("state", config.state().providerValues());
        return writesNothing ? section.writingNothing() : section;
    }

    private <T> T create(Function<ProviderConfig, T> provider, ProviderConfig section) {
        try {
            T plugin = provider.apply(section);
            logWarnings(section.warnings());
            return plugin;
        } catch (ConfigException e) {
            throw config.origin().invalid(e);
        }
    }

    /**
     * Checks the whole config the way {@code run} uses it, without network I/O: each chosen plugin validates its
     * section (created, then closed), then the engine settings are checked against the source's poll interval.
     * Every problem of both plugins is reported together.
     *
     * @return the plugins' warnings ({@code keyPath: message}), to show next to the service's
     * @throws dev.teamsconnect.service.config.InvalidConfigException with every problem found
     */
    public List<String> validate() {
        return check(false).stream().map(config.origin()::scrub).toList();
    }

    /**
     * {@link #validate()} with the warnings as the plugins wrote them.
     *
     * @param keep keep the created plugins for {@link #source()} and {@link #sink()} instead of closing them
     */
    private List<String> check(boolean keep) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Duration poll = DEFAULT_POLL_INTERVAL;
        PresenceSource source = null;
        PbxSink sink = null;
        ProviderConfig sourceSection = sourceSection();
        try {
            source = plugins.source(config.source()).create(sourceSection);
            poll = source.pollInterval().orElse(DEFAULT_POLL_INTERVAL);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        warnings.addAll(sourceSection.warnings());
        ProviderConfig sinkSection = sinkSection();
        try {
            sink = plugins.sink(config.sink()).create(sinkSection);
        } catch (ConfigException e) {
            problems.addAll(sinkIsAnOutput(e));
        }
        warnings.addAll(sinkSection.warnings());
        List<StatusOutput> outputs = new ArrayList<>();
        for (ServiceConfig.OutputEntry entry : config.outputs()) {
            ProviderConfig section = outputSection(entry);
            try {
                outputs.add(plugins.output(entry.type()).create(section));
            } catch (ConfigException e) {
                // "no provider" names outputs[].type: say which entry
                for (ConfigProblem p : e.problems()) {
                    problems.add(p.keyPath().equals("outputs[].type")
                            ? new ConfigProblem(entry.path() + ".type", p.message(), p.line()) : p);
                }
            }
            warnings.addAll(section.warnings());
        }
        if (sink != null) {
            warnings.addAll(capabilityWarnings(sink));
        }
        if (!config.state().isFile()) {
            ProviderConfig storeSection = storeSection();
            try {
                closeQuietly(plugins.store(config.state().type()).create(storeSection));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
            warnings.addAll(storeSection.warnings());
        }
        problems.addAll(crossChecks(poll));
        if (source != null && config.pbxToTeams().enabled() && source.presenceWriter().isEmpty()) {
            problems.add(new ConfigProblem("pbxToTeams", "is on, but the presence source '" + config.source()
                    + "' cannot write presence into Teams as configured (for Graph see docs/azure-setup.md,"
                    + " \"Writing presence\"); switch pbxToTeams off or change the source", 0));
        }
        if (!problems.isEmpty() || !keep) {
            closeQuietly(source);
            closeQuietly(sink);
            outputs.forEach(EngineWiring::closeQuietly);
        }
        if (!problems.isEmpty()) {
            throw config.origin().invalid(problems);
        }
        if (keep) {
            checkedSource = source;
            checkedSink = sink;
            checkedOutputs = outputs;
        }
        pollInterval = poll;
        return warnings;
    }

    /**
     * A {@code sink.type} that names a status output (the webhook was a PBX sink before it became an output): the
     * lookup's "no PBX sink" problem with the new form of the config.
     */
    private List<ConfigProblem> sinkIsAnOutput(ConfigException e) {
        String id = config.sink();
        boolean notFound = e.problems().stream().anyMatch(p -> p.keyPath().equals("sink.type"));
        if (!notFound || !plugins.hasOutput(id)) {
            return e.problems();
        }
        String section = ServiceConfig.sinkSectionName(id);
        return List.of(new ConfigProblem("sink.type", "\"" + id + "\" is a status output, not a PBX sink: the sink"
                + " keeps DND on the PBX (sink.type: starface, the default), outputs only receive each user's status."
                + " Remove sink.type and move the section \"" + section + "\" into the list outputs, e.g.\n"
                + "  outputs:\n    - type: " + id + "\n      url: https://hooks.example.com/teams\n"
                + "      secret: ${TEAMSCONNECT_WEBHOOK_SECRET}\n(see docs/outputs.md)", 0));
    }

    /**
     * Features configured that the chosen sink cannot carry out, by its declared {@link PbxSink#capabilities()}:
     * the engine only manages what the sink declares, so such a setting would be ignored without a word.
     */
    private List<String> capabilityWarnings(PbxSink sink) {
        java.util.Set<dev.teamsconnect.core.model.Capability> can = sink.capabilities();
        List<String> out = new ArrayList<>();
        // only when the file asks for it: the default (true) is for sinks that can, and must not warn on every STARFACE
        if (config.mapping().chatStatus() && config.origin().isSet("mapping.chatStatus")
                && !can.contains(dev.teamsconnect.core.model.Capability.CHAT_STATUS)) {
            out.add("mapping.chatStatus: is true, but the sink '" + config.sink() + "' cannot write a chat status (it can: "
                    + can.stream().map(Enum::name).sorted().collect(java.util.stream.Collectors.joining(", "))
                    + "), so no chat status is written; set it to false or use a sink that can");
        }
        if (config.pbxToTeams().calls() != dev.teamsconnect.core.engine.PbxToTeams.Show.OFF
                && !can.contains(dev.teamsconnect.core.model.Capability.PBX_CALLS)) {
            out.add("pbxToTeams.calls: is " + config.pbxToTeams().calls().code() + ", but the sink '" + config.sink()
                    + "' reports no call state (STARFACE's REST API has none), so PBX calls do not show in Teams");
        }
        return out;
    }

    /** Logs each plugin warning once per wiring (run creates the source more than once). */
    private void logWarnings(List<String> warnings) {
        for (String w : warnings) {
            if (logged.add(w)) {
                LOG.warn("{}: {}", config.origin().source(), config.origin().scrub(w));
            }
        }
    }

    /** The status policy from mapping.dnd, mapping.chatStatus and mapping.language. */
    public ConfigurableStatusPolicy policy() {
        MappingConfig m = config.mapping();
        return ConfigurableStatusPolicy.builder().dndCategories(m.dnd()).chatStatusEnabled(m.chatStatus())
                .language(m.language().code()).build();
    }

    /**
     * The poll interval: what the source reports ({@code PresenceSource.pollInterval()}), else 5 s. The first call
     * checks the whole config as {@link #validate()} does (so {@code run}, which asks for it first, reports every
     * problem of both plugin sections at once) and logs the plugins' warnings.
     *
     * @throws dev.teamsconnect.service.config.InvalidConfigException with every problem found
     */
    public Duration pollInterval() {
        checkOnce();
        return pollInterval;
    }

    /**
     * The engine settings from mapping.*, users.refreshInterval and the source's poll interval.
     *
     * @param dryRun    write nothing
     * @param keepHolds do not release holds on close (run --once: the next run restores them)
     * @throws dev.teamsconnect.service.config.InvalidConfigException when mapping.failOpenAfter or
     *                                                                 users.refreshInterval do not fit the poll interval
     */
    public EngineConfig engineConfig(boolean dryRun, boolean keepHolds) {
        return engineConfig(dryRun, keepHolds, pollInterval());
    }

    private EngineConfig engineConfig(boolean dryRun, boolean keepHolds, Duration poll) {
        List<ConfigProblem> problems = crossChecks(poll);
        if (!problems.isEmpty()) {
            throw config.origin().invalid(problems);
        }
        MappingConfig m = config.mapping();
        try {
            return EngineConfig.builder()
                    .pollInterval(poll)
                    .userRefreshInterval(config.users().refreshInterval())
                    .gracePeriod(m.graceAfterCall())
                    .debounce(m.debounce())
                    .manualDndMode(m.manualDnd())
                    .releaseOnShutdown(m.releaseOnShutdown() && !keepHolds)
                    .failOpenAfter(m.failOpenAfter())
                    .dryRun(dryRun)
                    .pbxToTeams(config.pbxToTeams())
                    .build();
        } catch (ConfigException e) {
            throw config.origin().invalid(e);
        }
    }

    /** The checks that need both the service's settings and the source's poll interval. */
    private List<ConfigProblem> crossChecks(Duration poll) {
        List<ConfigProblem> problems = new ArrayList<>();
        Duration failOpen = config.mapping().failOpenAfter();
        if (!failOpen.isZero() && failOpen.compareTo(poll) <= 0) {
            problems.add(new ConfigProblem("mapping.failOpenAfter", "must be longer than the poll interval ("
                    + poll.toMillis() + "ms), or 0s to turn fail-open off, but was " + failOpen.toMillis() + "ms", 0));
        }
        Duration refresh = config.users().refreshInterval();
        if (refresh.compareTo(poll) < 0) {
            problems.add(new ConfigProblem("users.refreshInterval", "must not be shorter than the poll interval ("
                    + poll.toMillis() + "ms), but was " + refresh.toMillis() + "ms", 0));
        }
        return problems;
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
        return engine(dryRun, keepHolds, board, metrics, clock, onCycle, null, null);
    }

    /**
     * As {@link #engine(boolean, boolean, StatusBoard, ServiceMetrics, Clock, java.util.function.Consumer)}, feeding
     * {@code outputs} after every cycle (before {@code onCycle}: handing over the snapshot is O(outputs) and never
     * blocks), and showing their figures on the board and in the metrics. The caller starts and closes the
     * dispatcher ({@link #outputDispatcher(Clock)}).
     *
     * @param outputs the outputs' host, or null for none
     */
    public SyncEngine engine(boolean dryRun, boolean keepHolds, StatusBoard board, ServiceMetrics metrics, Clock clock,
                             java.util.function.Consumer<dev.teamsconnect.core.engine.CycleReport> onCycle,
                             OutputDispatcher outputs) {
        return engine(dryRun, keepHolds, board, metrics, clock, onCycle, outputs, null);
    }

    /**
     * As above, with a state store made before (by {@link #store()}: ha.mode keeps the store of its leadership), or
     * null to make one.
     */
    public SyncEngine engine(boolean dryRun, boolean keepHolds, StatusBoard board, ServiceMetrics metrics, Clock clock,
                             java.util.function.Consumer<dev.teamsconnect.core.engine.CycleReport> onCycle,
                             OutputDispatcher outputs, StateStore givenStore) {
        java.util.function.Consumer<dev.teamsconnect.core.engine.CycleReport> listener = onCycle;
        java.util.concurrent.atomic.AtomicReference<SyncEngine> built = new java.util.concurrent.atomic.AtomicReference<>();
        if (outputs == null) {
            // an engine without outputs (release, tests): the outputs made while checking the config are not needed
            checkOnce();
            if (checkedOutputs != null) {
                checkedOutputs.forEach(EngineWiring::closeQuietly);
                checkedOutputs = null;
            }
        }
        if (outputs != null && !outputs.isEmpty()) {
            listener = report -> {
                SyncEngine e = built.get();
                if (e != null) {
                    outputs.offer(e.snapshot());
                }
                onCycle.accept(report);
            };
            board.outputs(outputs::stats);
            metrics.outputs(outputs::stats, outputs.names());
        }
        SyncEngine engine = buildEngine(dryRun, keepHolds, board, metrics, clock, listener, givenStore);
        built.set(engine);
        return engine;
    }

    private SyncEngine buildEngine(boolean dryRun, boolean keepHolds, StatusBoard board, ServiceMetrics metrics,
                                   Clock clock, java.util.function.Consumer<dev.teamsconnect.core.engine.CycleReport> onCycle,
                                   StateStore givenStore) {
        PresenceSource created = source();
        Duration poll = created.pollInterval().orElse(DEFAULT_POLL_INTERVAL);
        EngineConfig engineConfig;
        PbxSink createdSink;
        try {
            engineConfig = engineConfig(dryRun, keepHolds, poll);
            createdSink = sink();
        } catch (RuntimeException e) {
            closeQuietly(created);
            throw e;
        }
        created.credentialExpiry().ifPresent(notAfter -> metrics.credentialExpiry("source", notAfter, clock));
        PresenceSource source = new ObservedPresenceSource(created, board, metrics, clock,
                ServiceConfig.sourceSectionName(config.source()));
        PbxSink sink = new ObservedPbxSink(createdSink, board, metrics, clock, ServiceConfig.sinkSectionName(config.sink()));
        // a device code shows on the status page too, not only in the log
        source.onSignInPrompt(board::signInPrompt);
        SyncEngine.Builder b = SyncEngine.builder()
                .source(source)
                .sink(sink)
                .store(new ObservedStateStore(givenStore != null ? givenStore : store(), board, metrics))
                .policy(policy())
                .config(engineConfig)
                .clock(clock)
                .listener(board)
                .listener(metrics)
                .cycleListener(onCycle)
                .progressListener(board::progress)
                .userOverrides(config.users().overrides());
        if (config.users().scope() == UserScope.GROUP) {
            b.scopeGroup(config.users().group().orElseThrow());
        }
        return b.build();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("Closing {} failed", c, e);
        }
    }
}
