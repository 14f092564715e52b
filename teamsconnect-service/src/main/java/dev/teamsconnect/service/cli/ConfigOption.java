package dev.teamsconnect.service.cli;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ConfigOrigin;
import dev.teamsconnect.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by run and check. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The YAML config file (see teamsconnect.example.yaml and docs/configuration.md).")
    Path file;

    private ConfigOrigin loaded;

    /** Loads and validates the service's sections; prints warnings to stderr. Throws InvalidConfigException (exit 2). */
    ServiceConfig load(CliEnvironment env) {
        return load(env, new ConfigLoader(env.environment()));
    }

    /**
     * As {@link #load(CliEnvironment)}, but when the service's sections have problems, the plugins' problems are
     * reported with them ({@code check --config-only}).
     */
    ServiceConfig loadWithPluginProblems(CliEnvironment env) {
        return load(env, new ConfigLoader(env.environment(), c -> {
            try {
                env.runtime().validate(c);
                return List.of();
            } catch (ConfigException e) {
                return e.problems();
            }
        }));
    }

    private ServiceConfig load(CliEnvironment env, ConfigLoader loader) {
        ServiceConfig config = loader.load(file);
        loaded = config.origin();
        warn(env, config.warnings());
        return config;
    }

    /** Prints warnings ({@code keyPath: message}) to stderr, scrubbed of substituted values. */
    void warn(CliEnvironment env, List<String> warnings) {
        for (String warning : warnings) {
            env.err().println("warning: " + file + ": " + scrub(warning));
        }
        env.err().flush();
    }

    /** {@code text} without any value that {@code ${NAME}} put into the loaded config. */
    String scrub(String text) {
        return loaded == null ? text : loaded.scrub(text);
    }
}
