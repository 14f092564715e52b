package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.StateStoreProvider;
import dev.teamsconnect.core.spi.StatusOutputProvider;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the plugin providers by id. The service uses {@link #discover()} ({@link Providers}, ServiceLoader); tests
 * and embedders pass providers directly with {@link #of}.
 *
 * <p>Each method throws a {@link dev.teamsconnect.core.error.ConfigException} naming the config key
 * ({@code source.type}, {@code sink.type}; for the store, which no key chooses, the {@code state} section) when no
 * provider has the id.
 */
public interface PluginLookup {

    PresenceSourceProvider source(String id);

    PbxSinkProvider sink(String id);

    StateStoreProvider store(String id);

    /**
     * The status output provider for an {@code outputs[].type}; the default finds it on the class path.
     *
     * @throws dev.teamsconnect.core.error.ConfigException (key {@code outputs[].type}) when none has the id
     */
    default StatusOutputProvider output(String id) {
        return Providers.load().output(id);
    }

    /** Whether a status output provider has this id (to explain a {@code sink.type} that names an output). */
    default boolean hasOutput(String id) {
        try {
            output(id);
            return true;
        } catch (dev.teamsconnect.core.error.ConfigException e) {
            return false;
        }
    }

    /** The providers found on the class path, following the discovery policy of {@link Providers}. */
    static PluginLookup discover() {
        return of(Providers.load());
    }

    /** The providers {@code loader} finds (plugin jars loaded by an embedding host). */
    static PluginLookup discover(ClassLoader loader) {
        return of(Providers.load(loader));
    }

    /** Looks providers up in {@code providers}. */
    static PluginLookup of(Providers providers) {
        return new PluginLookup() {
            @Override
            public PresenceSourceProvider source(String id) {
                return providers.source(id);
            }

            @Override
            public PbxSinkProvider sink(String id) {
                return providers.sink(id);
            }

            @Override
            public StateStoreProvider store(String id) {
                return providers.store(id);
            }

            @Override
            public StatusOutputProvider output(String id) {
                return providers.output(id);
            }
        };
    }

    /**
     * Exactly these providers (keyed by their ids); the state store comes from discovery (core's {@code file} and
     * {@code memory}).
     */
    static PluginLookup of(PresenceSourceProvider source, PbxSinkProvider sink) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        Map<String, PresenceSourceProvider> sources = Map.of(source.id(), source);
        Map<String, PbxSinkProvider> sinks = Map.of(sink.id(), sink);
        PluginLookup discovered = discover();
        return new PluginLookup() {
            @Override
            public PresenceSourceProvider source(String id) {
                PresenceSourceProvider p = sources.get(id);
                if (p == null) {
                    throw new dev.teamsconnect.core.error.ConfigException("source.type",
                            "no presence source with the id \"" + id + "\"; found: " + source.id());
                }
                return p;
            }

            @Override
            public PbxSinkProvider sink(String id) {
                PbxSinkProvider p = sinks.get(id);
                if (p == null) {
                    throw new dev.teamsconnect.core.error.ConfigException("sink.type",
                            "no PBX sink with the id \"" + id + "\"; found: " + sink.id());
                }
                return p;
            }

            @Override
            public StateStoreProvider store(String id) {
                return discovered.store(id);
            }

            @Override
            public StatusOutputProvider output(String id) {
                return discovered.output(id);
            }
        };
    }
}
