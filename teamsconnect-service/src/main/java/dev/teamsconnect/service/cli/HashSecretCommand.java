package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.config.SecretHash;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hash-secret [--from-env NAME]}: prints the hash of a password or token for {@code server.auth.*}. */
@Command(name = "hash-secret", mixinStandardHelpOptions = true,
        description = {"Prints the hash of a password or token for server.auth.passwordHash or server.auth.tokenHash.",
                "Asks for it without echo on a terminal, else reads the first line of standard input.",
                "Only the hash goes into the config file; the service never stores the password or token itself."})
final class HashSecretCommand implements Callable<Integer> {

    /** Shorter secrets are refused: the page and /status show every user's presence. */
    static final int MIN_LENGTH = 12;

    private final CliEnvironment env;

    @Spec
    CommandSpec spec;

    @Option(names = "--from-env", paramLabel = "NAME",
            description = "Read the password or token from this environment variable instead (for scripts).")
    String fromEnv;

    HashSecretCommand(CliEnvironment env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String secret = fromEnv != null ? env.environment().get(fromEnv) : readSecret();
        if (secret == null || secret.isBlank()) {
            throw new ParameterException(spec.commandLine(), fromEnv != null
                    ? "the environment variable " + fromEnv + " is not set or empty" : "no password or token given");
        }
        if (secret.strip().length() < MIN_LENGTH) {
            throw new ParameterException(spec.commandLine(), "the password or token must have at least " + MIN_LENGTH
                    + " characters");
        }
        env.out().println(SecretHash.of(secret.strip()).encoded());
        env.out().flush();
        return 0;
    }

    private static String readSecret() throws java.io.IOException {
        Console console = System.console();
        if (console != null) {
            char[] chars = console.readPassword("Password or token (not shown): ");
            return chars == null ? null : new String(chars);
        }
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
}
