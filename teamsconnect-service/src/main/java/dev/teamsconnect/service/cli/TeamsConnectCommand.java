package dev.teamsconnect.service.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code teamsconnect} command: only lists its subcommands. */
@Command(name = "teamsconnect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Mirrors Microsoft Teams presence into a PBX (STARFACE): Do-not-disturb while in a Teams call.",
        footer = {"", "Exit codes: 0 ok, 1 runtime failure, 2 bad config or command line.",
                "Log level: TEAMSCONNECT_LOG_LEVEL=DEBUG (environment or -D system property)."})
final class TeamsConnectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command: run, check or demo");
    }
}
