package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.error.PluginException;
import dev.teamsconnect.core.error.TeamsConnectException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared part of the isolating decorators: runs a plugin call, counts and logs any RuntimeException with the
 * provider id and hands it on as a {@link TeamsConnectException}. {@link Error}s are not caught.
 */
final class Isolation {

    private static final Logger LOG = LoggerFactory.getLogger(Isolation.class);

    private final String role;
    private final String providerId;
    private final FailureCounts counts;

    Isolation(String role, String providerId, FailureCounts counts) {
        this.role = role;
        this.providerId = providerId;
        this.counts = counts;
    }

    <T> T call(String operation, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            counts.increment(role + "." + operation);
            if (e instanceof TeamsConnectException tce) {
                LOG.warn("{} '{}' failed in {}: {}", role, providerId, operation, tce.getMessage());
                LOG.debug("{} '{}' failure detail", role, providerId, tce);
                throw tce;
            }
            // not one of ours: most likely a bug in the plugin; keep the stack trace
            LOG.warn("{} '{}' threw an unexpected exception in {}", role, providerId, operation, e);
            throw new PluginException(providerId, operation, e);
        }
    }

    void run(String operation, Runnable call) {
        call(operation, () -> {
            call.run();
            return null;
        });
    }

    static String safeId(Supplier<String> id, String fallback) {
        try {
            String s = id.get();
            return s == null || s.isBlank() ? fallback : s;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(Isolation.class).warn("plugin id() threw; using '{}'", fallback, e);
            return fallback;
        }
    }
}
