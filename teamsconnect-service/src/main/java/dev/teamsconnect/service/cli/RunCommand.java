package dev.teamsconnect.service.cli;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.service.RunContext;
import dev.teamsconnect.service.StopSignal;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.http.HealthCheck;
import dev.teamsconnect.service.http.StatusHttpServer;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run --config FILE [--once] [--dry-run] [--lang de|en]}: the daemon. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the sync until stopped.",
                "SIGTERM or Ctrl-C stop it cleanly: the write in flight finishes, holds are released if",
                "mapping.releaseOnShutdown is true, and the state is saved."})
final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    /** /health/live fails after this long without progress of the sync loop (see startServer). */
    static final java.time.Duration STALL_AFTER = java.time.Duration.ofMinutes(6);

    private final CliEnvironment env;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(names = "--once", description = "Do one full cycle (sign in, users, matching, presence, reconcile, save state) and exit.")
    boolean once;

    @Option(names = "--dry-run", description = "Log every change that would be made; write nothing to the PBX.")
    boolean dryRun;

    @Mixin
    LanguageOption language = new LanguageOption();

    RunCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    @SuppressWarnings("try") // the resources only need closing
    public Integer call() throws Exception {
        ServiceConfig c = config.load(env);
        StatusBoard status = new StatusBoard(c.source(), c.sink(), env.clock());
        ServiceMetrics metrics = new ServiceMetrics();
        StopSignal stop = new StopSignal();
        LOG.info("Starting TeamsConnect {}: source {}, sink {}{}{}", VersionProvider.version(), c.source(), c.sink(),
                once ? ", one cycle" : "", dryRun ? ", dry run (nothing is written to the PBX)" : "");
        // secrets print as "(hidden)" (see Secret); plugin sections print their key names only
        LOG.debug("Effective config: {}", c);
        // the hook is released last: after SIGTERM the JVM ends as soon as it is closed
        try (ShutdownHook hook = ShutdownHook.install(env.installShutdownHook(), stop)) {
            try (StatusHttpServer server = startServer(c, status, metrics)) {
                status.running(true);
                try {
                    env.runtime().run(new RunContext(c, once, dryRun, metrics, status, stop, env.clock(), env.out(),
                            language.messages()));
                } finally {
                    status.running(false);
                }
            }
            env.out().flush();
            LOG.info("TeamsConnect stopped");
        }
        return 0;
    }

    private StatusHttpServer startServer(ServiceConfig c, StatusBoard status, ServiceMetrics metrics) {
        if (once || !c.server().enabled()) {
            return null;
        }
        var staleAfter = HealthCheck.staleAfter(env.runtime().pollInterval(c));
        // live means progress: the engine gets a step further at least every cycle deadline, except while it lists
        // the users (one step of up to 5 min for the Graph source's listing budget)
        StatusHttpServer server = StatusHttpServer.builder(status, metrics).clock(env.clock()).staleAfter(staleAfter)
                .stallAfter(STALL_AFTER).auth(c.server().auth()).build();
        try {
            server.start(c.server().bind(), c.server().port());
            return server;
        } catch (IOException e) {
            throw new TerminalException(language.messages().get("run.cannotListen", c.server().bind(),
                    String.valueOf(c.server().port()), e.getMessage()), e);
        }
    }
}
