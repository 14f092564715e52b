package dev.teamsconnect.service;

import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.i18n.Messages;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Objects;

/**
 * Everything {@link ServiceRuntime#run} gets from the command line layer.
 *
 * @param config  the validated config
 * @param once    run one full cycle and return (no endpoints are served)
 * @param dryRun  log every change that would be made, write nothing to the PBX
 * @param metrics feed it (and register it as an audit listener); served on /metrics
 * @param status  feed it (and register it as an audit listener); served on /health and /status
 * @param stop    ends {@code run}: check it between cycles, wait on it instead of sleeping
 * @param clock   the clock for the engine
 * @param out     the console, for the few lines meant for a person (e.g. the result of {@code --once})
 * @param messages the language of those lines ({@code run --lang}); logs stay English
 */
public record RunContext(ServiceConfig config, boolean once, boolean dryRun, ServiceMetrics metrics, StatusBoard status,
                         StopSignal stop, Clock clock, PrintWriter out, Messages messages) {

    /** The lines for a person in English. */
    public RunContext(ServiceConfig config, boolean once, boolean dryRun, ServiceMetrics metrics, StatusBoard status,
                      StopSignal stop, Clock clock, PrintWriter out) {
        this(config, once, dryRun, metrics, status, stop, clock, out, Messages.english());
    }

    public RunContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(messages, "messages");
    }
}
