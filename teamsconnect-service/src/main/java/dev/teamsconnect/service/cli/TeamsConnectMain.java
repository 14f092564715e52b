package dev.teamsconnect.service.cli;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.service.ServiceRuntime;
import dev.teamsconnect.service.runtime.EngineServiceRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The entry point of {@code teamsconnect.jar}. Exit codes: 0 ok, 1 runtime failure, 2 bad config or bad command
 * line (the message names the key path).
 */
public final class TeamsConnectMain {

    /** Config errors and command line errors. */
    public static final int EXIT_CONFIG = 2;
    /** Anything else that went wrong. */
    public static final int EXIT_FAILURE = 1;

    private static final Logger LOG = LoggerFactory.getLogger(TeamsConnectMain.class);

    private TeamsConnectMain() {
    }

    public static void main(String[] args) {
        ServiceRuntime runtime = new EngineServiceRuntime();
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = execute(args, new CliEnvironment(System.getenv(), runtime, Clock.systemUTC(), out, err, true));
        System.exit(code);
    }

    /** Runs one command line in-process and returns its exit code (what tests call). */
    public static int execute(String[] args, Map<String, String> environment, ServiceRuntime runtime, Clock clock,
                              PrintWriter out, PrintWriter err) {
        return execute(args, new CliEnvironment(environment, runtime, clock, out, err, false));
    }

    static int execute(String[] args, CliEnvironment env) {
        CommandLine cl = new CommandLine(new TeamsConnectCommand());
        cl.addSubcommand(new RunCommand(env));
        cl.addSubcommand(new CheckCommand(env));
        cl.addSubcommand(new ReleaseCommand(env));
        cl.addSubcommand(new StateCommand(env));
        cl.addSubcommand(new DemoCommand(env));
        cl.addSubcommand(new HashSecretCommand(env));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(env.out());
        cl.setErr(env.err());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                // the message names the key path(s) and never a secret's value; substituted values are scrubbed
                // out as a last line, whatever produced the message
                commandLine.getErr().println(scrub(commandLine, e.getMessage()));
                commandLine.getErr().flush();
                return EXIT_CONFIG;
            }
            LOG.debug("Command failed", e);
            commandLine.getErr().println("teamsconnect: " + scrub(commandLine, describe(e)));
            commandLine.getErr().flush();
            return EXIT_FAILURE;
        });
        int code = cl.execute(args);
        env.out().flush();
        env.err().flush();
        return code;
    }

    /** The text without values that {@code ${NAME}} put into the command's config. */
    private static String scrub(CommandLine commandLine, String text) {
        String out = text;
        for (Object mixin : commandLine.getMixins().values()) {
            if (mixin instanceof ConfigOption option) {
                out = option.scrub(out);
            }
        }
        return out;
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
