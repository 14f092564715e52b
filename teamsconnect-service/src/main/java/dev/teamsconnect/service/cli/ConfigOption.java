package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by run and check. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The YAML config file (see teamsconnect.example.yaml and docs/configuration.md).")
    Path file;

    /** Loads and validates; prints warnings to stderr. Throws InvalidConfigException (exit 2). */
    ServiceConfig load(CliEnvironment env) {
        ServiceConfig config = new ConfigLoader(env.environment()).load(file);
        for (String warning : config.warnings()) {
            env.err().println("warning: " + file + ": " + warning);
        }
        env.err().flush();
        return config;
    }
}
