package dev.teamsconnect.service.cli;

import dev.teamsconnect.service.ServiceRuntime;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What the commands need from outside, injected so that tests run {@code main} in-process.
 *
 * @param environment       for {@code ${NAME}} in the config
 * @param runtime           the engine side
 * @param clock             the service clock
 * @param out               standard output (reports)
 * @param err               standard error (config errors, warnings)
 * @param installShutdownHook whether {@code run} installs a JVM shutdown hook for SIGTERM (off in tests)
 */
record CliEnvironment(Map<String, String> environment, ServiceRuntime runtime, Clock clock, PrintWriter out,
                      PrintWriter err, boolean installShutdownHook) {

    CliEnvironment {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
    }
}
