package dev.teamsconnect.service;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.service.config.ServiceConfig;
import java.io.PrintWriter;

/**
 * A test double: a {@link ServiceRuntime} without the sync engine, for tests of the command line and of config
 * loading. Every command that needs the engine fails with a clear message (exit 1); config loading,
 * {@code check --config-only}, --help and --version work without it. The examples' and the integration tests use it
 * through this module's test jar.
 */
public final class UnwiredServiceRuntime implements ServiceRuntime {

    private static final String MESSAGE = "this runtime does not contain the sync engine (a test double); only 'check --config-only' works";

    @Override
    public void run(RunContext context) {
        // a bad plugin section is still a config error (exit 2), as with the engine
        validate(context.config());
        throw new TerminalException(MESSAGE);
    }

    @Override
    public boolean check(ServiceConfig config, PrintWriter out) {
        validate(config);
        throw new TerminalException(MESSAGE);
    }

    @Override
    public boolean release(ServiceConfig config, PrintWriter out) {
        throw new TerminalException(MESSAGE);
    }

    @Override
    public void demo(PrintWriter out, StopSignal stop) {
        throw new TerminalException(MESSAGE);
    }
}
