package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.service.RunContext;
import dev.teamsconnect.service.ServiceRuntime;
import dev.teamsconnect.service.StopSignal;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.config.UserScope;
import dev.teamsconnect.service.i18n.Messages;
import dev.teamsconnect.service.status.StatusBoard;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service runtime: wires the {@link SyncEngine} from the config (plugins found by id, the file state store, the
 * status policy from {@code mapping.*}) and runs it; feeds the {@link StatusBoard} and the metrics after every
 * cycle.
 *
 * <p>{@link #run}: signs in, then {@link SyncEngine#start()}: the engine's own scheduler, cycles start to start
 * every {@code teams.pollInterval} (a slow cycle is followed at once by the next), exactly what the benchmarks
 * measure. A stop makes {@link SyncEngine#close()} cut the cycle in flight short at its next safe point, release
 * the holds (when {@code mapping.releaseOnShutdown}) within {@code EngineConfig.shutdownTimeout()} and save the
 * state. With {@code --once} one cycle runs and the holds stay in the state file, so the next run restores them.
 *
 * <p>Thread-safe in the sense that each call builds its own engine; one instance may serve several calls.
 */
public final class EngineServiceRuntime implements ServiceRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(EngineServiceRuntime.class);

    private final Supplier<PluginLookup> plugins;
    private final Demo demo;

    /** Runs the day-in-the-life demo; {@link EngineServiceRuntime#demo} delegates to it. */
    @FunctionalInterface
    public interface Demo {
        void run(PrintWriter out, StopSignal stop) throws Exception;

        /** {@link #run(PrintWriter, StopSignal)} in the language of {@code messages}; the default ignores it. */
        default void run(PrintWriter out, StopSignal stop, Messages messages) throws Exception {
            run(out, stop);
        }
    }

    /** The runtime of the shipped jar: plugins by ServiceLoader discovery, the built-in demo. */
    public EngineServiceRuntime() {
        this(PluginLookup::discover, new dev.teamsconnect.service.demo.WorkingDayDemo());
    }

    /**
     * @param plugins where plugins are found (called once per command)
     * @param demo    the demo, or null when this runtime has none
     */
    public EngineServiceRuntime(Supplier<PluginLookup> plugins, Demo demo) {
        this.plugins = Objects.requireNonNull(plugins, "plugins");
        this.demo = demo;
    }

    @Override
    public void run(RunContext ctx) throws Exception {
        EngineWiring wiring = new EngineWiring(ctx.config(), plugins.get());
        if (ctx.config().ha().enabled() && !ctx.once()) {
            ActivePassiveRun.run(ctx, wiring);
            return;
        }
        java.util.concurrent.atomic.AtomicReference<SyncEngine> built = new java.util.concurrent.atomic.AtomicReference<>();
        // the outputs get each cycle's snapshot on their own threads: they never hold up, slow or fail the sync
        OutputDispatcher outputs = wiring.outputDispatcher(ctx.clock());
        SyncEngine engine;
        try {
            engine = wiring.engine(ctx.dryRun(), ctx.once(), ctx.status(), ctx.metrics(), ctx.clock(),
                    report -> feed(ctx, built.get(), report), outputs);
        } catch (RuntimeException e) {
            outputs.close();
            throw e;
        }
        built.set(engine);
        outputs.start();
        CycleReport last = null;
        try {
            // loads the holds, signs in to both sides; a rejected sign-in ends the run here (exit 1, the fix is logged)
            engine.open();
            if (ctx.once()) {
                last = engine.syncOnce();
            } else {
                engine.start();
                while (!ctx.stop().await(Duration.ofMinutes(1))) {
                    // the engine schedules itself; this thread only waits for the stop
                }
            }
        } catch (ConfigException e) {
            throw e;
        } catch (TerminalException e) {
            // the observed plugins put the failure and its fix on the board; say both, once, and stop
            String why = failedSide(ctx.status()).orElse(e.getMessage());
            LOG.error("Cannot start the sync: {}", why);
            throw new TerminalException(why, e);
        } finally {
            if (!ctx.once()) {
                LOG.info("Stopping: {}saving state (at most {} for the release)",
                        ctx.config().mapping().releaseOnShutdown() ? "cutting the cycle in flight short, releasing holds, "
                                : "keeping holds (mapping.releaseOnShutdown is false), ",
                        dev.teamsconnect.core.model.HumanDuration.of(engine.config().shutdownTimeout()));
            }
            try {
                engine.close();
            } finally {
                // the released holds reach the outputs too (each within its close timeout), then they close
                EngineSnapshot after = engine.snapshot();
                outputs.offer(after);
                outputs.close();
                ctx.metrics().holds(after.stats().holds());
            }
        }
        if (ctx.once() && last != null) {
            Messages m = ctx.messages();
            // the same figures as CycleReport.summary(), which the log keeps in English
            String summary = m.get("run.cycle", last.cycle(), last.matched(), last.presenceRead(), last.skipped(),
                    last.stateReads(), last.writes(), last.failures(), last.holds(), last.duration().toMillis())
                    + (last.errors().isEmpty() ? "" : m.get("run.cycle.errors", String.join(" | ", last.errors())));
            ctx.out().println(m.get(ctx.dryRun() ? "run.onceDoneDry" : "run.onceDone", summary));
            ctx.out().flush();
            if (!last.success()) {
                // the errors are the plugins' texts and stay as they are
                throw new TerminalException(last.errors().isEmpty() ? m.get("run.cycleFailed.seeLog", last.failures())
                        : m.get("run.cycleFailed", last.failures(), String.join(" | ", last.errors())));
            }
        }
    }

    /** "what failed -> how to fix it" of the first side whose sign-in failed. */
    static java.util.Optional<String> failedSide(StatusBoard board) {
        return java.util.stream.Stream.of(board.health().source(), board.health().sink())
                .filter(s -> s.state() == dev.teamsconnect.service.status.SignInState.FAILED && s.detail() != null)
                .map(s -> s.detail()).findFirst();
    }

    /** After every cycle (on the engine's thread): the status board (users, cycle outcome) and the metrics. */
    static void feed(RunContext ctx, SyncEngine engine, CycleReport r) {
        if (engine == null) {
            return;
        }
        StatusBoard status = ctx.status();
        status.cycleFinished(r.startedAt().plus(r.duration()), r.success());
        ctx.metrics().cycleFinished(r.duration(), r.success(), r.startedAt());
        EngineSnapshot snapshot = engine.snapshot();
        ctx.metrics().holds(snapshot.stats().holds());
        ctx.metrics().users(snapshot.stats().mappedUsers());
        ctx.metrics().secondSync(snapshot.stats().secondSync(), r.startedAt().plus(r.duration()));
        status.secondSync(snapshot.stats().secondSync());
        ctx.metrics().teamsSessions(snapshot.stats().sessions());
        status.teamsSessions(snapshot.stats().sessions());
        status.cycle(r);
        MappingReport mapping = engine.mappingReport();
        status.mapping(mapping);
        Map<String, MappedUser> byPbxId = new HashMap<>();
        if (mapping != null) {
            mapping.matched().forEach(m -> byPbxId.put(m.pbx().id(), m));
        }
        Set<String> present = new HashSet<>();
        for (EngineSnapshot.UserStatus u : snapshot.users()) {
            present.add(u.pbxUserId());
            MappedUser m = byPbxId.get(u.pbxUserId());
            String login = m == null ? null : m.pbx().login();
            String teams = m == null ? u.teamsLabel() : address(m.teams());
            status.user(u.pbxUserId(), login, teams, m == null ? u.pbxLabel() : m.pbx().displayName());
            if (u.presence() != null) {
                String[] parts = u.presence().split("/", 2);
                status.presence(u.pbxUserId(), parts[0], parts.length > 1 ? parts[1] : null, u.category());
            }
        }
        for (var shown : status.users()) {
            if (!present.contains(shown.pbxUserId())) {
                status.remove(shown.pbxUserId());
            }
        }
    }

    private static String address(TeamsUser u) {
        return u.mail() != null ? u.mail() : u.userPrincipalName() != null ? u.userPrincipalName() : u.displayName();
    }

    @Override
    public boolean check(ServiceConfig config, PrintWriter out) {
        return check(config, dev.teamsconnect.service.CheckOptions.defaults(), out, out);
    }

    @Override
    public boolean check(ServiceConfig config, dev.teamsconnect.service.CheckOptions options, PrintWriter out,
                         PrintWriter notes) {
        // writes nothing: the plugins get their sections with writesNothing (no token cache), no state store is made
        EngineWiring wiring = EngineWiring.forCheck(config, plugins.get());
        dev.teamsconnect.service.i18n.Messages m = options.messages();
        boolean csv = options.format() == dev.teamsconnect.service.CheckOptions.Format.CSV;
        PrintWriter say = csv ? notes : out;
        String sourceSection = ServiceConfig.sourceSectionName(config.source());
        String sinkSection = ServiceConfig.sinkSectionName(config.sink());
        // both are created first: a plugin that rejects its section is a config error (exit 2) before any sign-in
        PresenceSource source = wiring.source();
        PbxSink sink = wiring.sink();
        List<StatusOutput> outputs = wiring.outputs();
        List<TeamsUser> teams = null;
        List<PbxUser> pbx = null;
        MappingTable.Scope scope = MappingTable.Scope.allUsers();
        try {
            say.println(m.get("check.source", config.source(), sourceSection));
            boolean opened = false;
            try {
                source.open();
                opened = true;
                teams = source.listUsers();
                say.println("  " + m.get("check.ok.users", teams.size()));
            } catch (TeamsConnectException e) {
                say.println("  " + m.get("check.failed", e.getMessage()));
                say.println("  " + m.get("check.fix", FailureAdvice.fix(FailureAdvice.Side.SOURCE, sourceSection, e, m)));
            }
            // after a sign-in, also when the listing failed: a missing permission is explained with its consent link
            boolean notesOk = !opened || SourceCheckNotes.print(source, config.pbxToTeams().enabled(), say);
            say.println(m.get("check.sink", config.sink(), sinkSection));
            try {
                sink.open();
                if (config.users().scope() == UserScope.GROUP) {
                    String group = config.users().group().orElseThrow();
                    pbx = sink.listGroupMembers(group);
                    say.println("  " + m.get("check.ok.group", pbx.size(), group));
                    scope = outsideGroup(sink, group, pbx, say, m);
                } else {
                    pbx = sink.listUsers();
                    say.println("  " + m.get("check.ok.users", pbx.size()));
                }
                // the STARFACE bridge: whether it answers, and its version
                notesOk &= SourceCheckNotes.print(sink, say);
            } catch (TeamsConnectException e) {
                say.println("  " + m.get("check.failed", e.getMessage()));
                say.println("  " + m.get("check.fix", FailureAdvice.fix(FailureAdvice.Side.SINK, sinkSection, e, m)));
            }
            // outputs only receive: check lists them and sends them nothing
            say.println(outputs.isEmpty() ? m.get("check.outputs.none") : m.get("check.outputs", outputs.size()));
            for (int i = 0; i < outputs.size(); i++) {
                say.println("  " + m.get("check.output", config.outputs().get(i).path(), outputs.get(i).id(),
                        outputs.get(i).toString()));
            }
            boolean ok = teams != null && pbx != null;
            if (ok) {
                MappingReport report = new UserMatcher(config.users().overrides()).match(teams, pbx);
                if (csv) {
                    out.print(MappingTable.csv(report, scope, m));
                } else {
                    out.println();
                    out.print(MappingTable.render(report, scope, m, options.all()));
                }
            }
            say.println();
            say.println(m.get(!ok ? "check.notReady" : notesOk ? "check.ready" : "check.problemsAbove"));
            out.flush();
            say.flush();
            return ok && notesOk;
        } finally {
            closeQuietly(source);
            closeQuietly(sink);
            outputs.forEach(EngineServiceRuntime::closeQuietly);
        }
    }

    /**
     * With {@code users.scope: group}: the PBX users outside the group, so that a Teams user whose PBX user is
     * simply not a member is reported as such and not as missing. One more user listing, for {@code check} only.
     */
    private static MappingTable.Scope outsideGroup(PbxSink sink, String group, List<PbxUser> members, PrintWriter say,
                                                   dev.teamsconnect.service.i18n.Messages m) {
        try {
            Set<String> in = new HashSet<>();
            members.forEach(p -> in.add(p.id()));
            return new MappingTable.Scope(group, sink.listUsers().stream().filter(p -> !in.contains(p.id())).toList());
        } catch (TeamsConnectException e) {
            say.println("  " + m.get("check.outsideGroupUnknown", e.getMessage()));
            return new MappingTable.Scope(group, List.of());
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("Closing {} failed", c, e);
        }
    }

    /** The source's poll interval; the plugins made to learn it are closed again (no network I/O). */
    @Override
    public Duration pollInterval(ServiceConfig config) {
        EngineWiring wiring = new EngineWiring(config, plugins.get());
        Duration poll = wiring.pollInterval();
        closeQuietly(wiring.source());
        closeQuietly(wiring.sink());
        wiring.outputs().forEach(EngineServiceRuntime::closeQuietly);
        return poll;
    }

    /** With this runtime's own plugin lookup (the one {@link #run} uses), not class-path discovery. */
    @Override
    public List<String> validate(ServiceConfig config) {
        return new EngineWiring(config, plugins.get()).validate();
    }

    @Override
    public boolean release(ServiceConfig config, PrintWriter out) {
        return release(config, out, Messages.english());
    }

    @Override
    public boolean release(ServiceConfig config, PrintWriter out, Messages m) {
        EngineWiring wiring = new EngineWiring(config, plugins.get());
        StatusBoard board = new StatusBoard(config.source(), config.sink());
        // keepHolds: what this call cannot release stays in the state file (close() must not try again)
        try (SyncEngine engine = wiring.engine(false, true, board, new dev.teamsconnect.service.metrics.ServiceMetrics(),
                java.time.Clock.systemUTC())) {
            SyncEngine.ReleaseReport r = engine.releaseAllHolds();
            if (r.holds() == 0) {
                out.println(m.get("release.none"));
            } else {
                out.println(m.get("release.done", r.holds() - r.remaining(), r.holds(), r.writes()));
            }
            if (r.remaining() > 0) {
                out.println(r.errors().isEmpty() ? m.get("release.remaining.seeLog", r.remaining())
                        : m.get("release.remaining", r.remaining(), String.join(" | ", r.errors())));
            }
            out.flush();
            return r.remaining() == 0;
        }
    }

    @Override
    public void demo(PrintWriter out, StopSignal stop) throws Exception {
        demo(out, stop, Messages.english());
    }

    @Override
    public void demo(PrintWriter out, StopSignal stop, Messages messages) throws Exception {
        if (demo == null) {
            throw new TerminalException(messages.get("demo.none"));
        }
        demo.run(out, stop, messages);
    }
}
