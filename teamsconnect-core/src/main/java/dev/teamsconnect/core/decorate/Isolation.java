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
    private final java.util.Map<String, String> failing = new java.util.concurrent.ConcurrentHashMap<>();

    Isolation(String role, String providerId, FailureCounts counts) {
        this.role = role;
        this.providerId = providerId;
        this.counts = counts;
    }

    <T> T call(String operation, Supplier<T> call) {
        try {
            T result = call.get();
            if (failing.remove(operation) != null) {
                LOG.info("{} '{}' works again in {}", role, providerId, operation);
            }
            return result;
        } catch (RuntimeException e) {
            counts.increment(role + "." + operation);
            if (e instanceof TeamsConnectException tce) {
                // one warning per streak of the same failure, not one per cycle
                if (!tce.getMessage().equals(failing.put(operation, String.valueOf(tce.getMessage())))) {
                    LOG.warn("{} '{}' failed in {}: {}", role, providerId, operation, tce.getMessage());
                } else {
                    LOG.debug("{} '{}' still failing in {}: {}", role, providerId, operation, tce.getMessage());
                }
                LOG.debug("{} '{}' failure detail", role, providerId, tce);
                throw tce;
            }
            failing.put(operation, String.valueOf(e));
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
