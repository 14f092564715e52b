package dev.teamsconnect.service;

import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.service.config.ServiceConfig;
import java.io.PrintWriter;

/**
 * The runtime of a build without the sync engine: every command that needs the engine fails with a clear message
 * (exit 1). Config loading, {@code check --config-only}, --help and --version work without it.
 */
public final class UnwiredServiceRuntime implements ServiceRuntime {

    private static final String MESSAGE = "this build does not contain the sync engine yet; only 'check --config-only' works";

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
