package dev.teamsconnect.service;

import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.i18n.Messages;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import java.io.PrintWriter;
import java.util.List;

/**
 * The seam between the command line and the sync engine: the CLI loads and validates the config, serves the
 * endpoints and handles signals; a {@code ServiceRuntime} builds the source, sink, state store and engine from the
 * config and runs them.
 *
 * <p>Exceptions: a {@link dev.teamsconnect.core.error.ConfigException} (e.g. a plugin rejects its section, or no
 * plugin has the configured id) makes the command exit with 2 and its message on stderr; any other exception exits
 * with 1. Messages must not contain secrets.
 */
public interface ServiceRuntime {

    /**
     * Runs the sync: sign in, then cycles every {@code teams.pollInterval} until {@link RunContext#stop()} is
     * signalled, then finishes the write in flight, releases holds if configured and flushes state. With
     * {@link RunContext#once()}, one full cycle and return. Blocks the calling thread.
     */
    void run(RunContext context) throws Exception;

    /**
     * Signs in to both sides and prints the mapping report (matched, unmatched on each side, ambiguous) and each
     * sign-in problem with its fix to {@code out}. Writes nothing to the PBX.
     *
     * @return true when both sides work
     */
    boolean check(ServiceConfig config, PrintWriter out) throws Exception;

    /**
     * {@link #check(ServiceConfig, PrintWriter)} as {@code options} say: the mapping report goes to {@code out}; with
     * {@link CheckOptions.Format#CSV} the sign-in lines go to {@code notes}, so {@code out} is CSV only. Writes
     * nothing: not to the PBX, not to the state file, not to a token cache. The default ignores the options.
     */
    default boolean check(ServiceConfig config, CheckOptions options, PrintWriter out, PrintWriter notes)
            throws Exception {
        return check(config, out);
    }

    /**
     * Gives every held user their own DND back and empties the state ({@code release}): for uninstalling, or after
     * the host that ran the sync is gone for good. Reads no presence. Refuses while another process holds the state.
     *
     * @return true when no hold is left
     */
    boolean release(ServiceConfig config, PrintWriter out) throws Exception;

    /**
     * {@link #release(ServiceConfig, PrintWriter)} with its report in the language of {@code messages}
     * ({@code release --lang}). The default ignores the language.
     */
    default boolean release(ServiceConfig config, PrintWriter out, Messages messages) throws Exception {
        return release(config, out);
    }

    /**
     * The poll interval the sync will run with (the presence source's, {@code teams.pollInterval} for Graph), for the
     * health checks' limits. No network I/O. The default is the service's default of 5 s.
     */
    default java.time.Duration pollInterval(ServiceConfig config) {
        return EngineWiring.DEFAULT_POLL_INTERVAL;
    }

    /**
     * Lets each chosen plugin validate its config section without network I/O (created, then closed: the same code
     * path as {@link #run}) and checks the engine settings against the source's poll interval. Used by
     * {@code check}, also with {@code --config-only}. The default finds the plugins on the class path.
     *
     * @return the plugins' warnings, as {@code keyPath: message}
     * @throws dev.teamsconnect.service.config.InvalidConfigException with every problem of the plugin sections
     */
    default List<String> validate(ServiceConfig config) {
        return new EngineWiring(config, PluginLookup.discover()).validate();
    }

    /** Runs the self-contained demo (embedded emulators, scripted day), printing each change; returns when done or stopped. */
    void demo(PrintWriter out, StopSignal stop) throws Exception;

    /** {@link #demo(PrintWriter, StopSignal)} in the language of {@code messages} ({@code demo --lang}). The default ignores it. */
    default void demo(PrintWriter out, StopSignal stop, Messages messages) throws Exception {
        demo(out, stop);
    }
}
