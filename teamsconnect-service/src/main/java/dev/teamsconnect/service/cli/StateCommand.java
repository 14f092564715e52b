package dev.teamsconnect.service.cli;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.postgres.PostgresStateStore;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code state import --config FILE --from OLD.json}: moves the holds of a state file into the state database. */
@Command(name = "state", mixinStandardHelpOptions = true, subcommands = StateCommand.Import.class,
        description = "Works on the state (the holds): state import.")
final class StateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    private final CliEnvironment env;

    StateCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: import");
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Moves the holds of a state file (TeamsConnect 0.1 or later) into the database of state.type",
                    "postgres, in one transaction. Refuses when the database has holds already, or while a process",
                    "uses the file. The file is left as it is: move it away once the service runs on the database."})
    static final class Import implements Callable<Integer> {

        @picocli.CommandLine.ParentCommand
        StateCommand parent;

        @Mixin
        ConfigOption config = new ConfigOption();

        @Option(names = "--from", required = true, paramLabel = "OLD.json", description = "The state file to import.")
        Path from;

        @Override
        public Integer call() throws Exception {
            CliEnvironment env = parent.env;
            ServiceConfig c = config.load(env);
            if (!Files.isRegularFile(from)) {
                throw new TerminalException("The state file " + from.toAbsolutePath() + " does not exist or is not a file");
            }
            Map<String, Hold> holds;
            Optional<String> pbx;
            int sessions;
            try (JsonFileStateStore file = new JsonFileStateStore(from)) {
                holds = file.load();
                sessions = (int) file.loadSessions().values().stream().filter(t -> t.active()).count();
                // refuses while the service runs on the file (it could change it while this copies)
                file.claim(Optional.empty());
                pbx = pbxOf(from);
            }
            try (StateStore store = new EngineWiring(c, PluginLookup.discover()).store()) {
                if (!(store instanceof PostgresStateStore pg)) {
                    throw new TerminalException("state import writes to a state database, but state.type is \""
                            + store.id() + "\" in " + config.file + ": set state.type: postgres with state.url,"
                            + " state.user and state.password");
                }
                int n = pg.importHolds(holds.values(), pbx);
                env.out().println("Imported " + n + " hold(s) from " + from.toAbsolutePath() + " into " + pg.where()
                        + pbx.map(p -> " (PBX " + p + ")").orElse("") + ". Move the file away once the service runs"
                        + " on the database.");
                if (sessions > 0) {
                    // Teams sessions (pbxToTeams) are not moved: each ends by itself within its sessionLength, and
                    // the service sets them again where their cause still holds
                    env.out().println(sessions + " Teams presence session(s) in the file are not imported: each ends"
                            + " by itself within pbxToTeams.sessionLength, and the service sets it again while its cause"
                            + " lasts.");
                }
                env.out().flush();
                return 0;
            }
        }

        /** The PBX a state file of version 2 names (the file store validated the file already). */
        private static Optional<String> pbxOf(Path file) throws java.io.IOException {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(file.toFile()).get("pbx");
            return n == null || !n.isTextual() || n.asText().isBlank() ? Optional.empty() : Optional.of(n.asText());
        }
    }
}
