package dev.teamsconnect.core.discovery;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.StateStoreProvider;
import dev.teamsconnect.core.spi.StatusOutputProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the plugins on the class path with {@link ServiceLoader}, following a written policy:
 * <ol>
 *   <li>Each provider is loaded in its own try/catch: a broken one (missing class, failing constructor, bad
 *       {@code META-INF/services} file) is logged with the jar or directory it came from and skipped, never
 *       fatal.</li>
 *   <li>Every provider found is logged (role, id, class, origin).</li>
 *   <li>Selection: an explicit id picks that provider, and an id that is not found lists the ids that were.
 *       Without an id, exactly one provider of the role is taken; two or more need an explicit id (the message
 *       lists them): the class path order never decides.</li>
 *   <li>No presence source or no PBX sink at all fails fast, naming the module to add.</li>
 * </ol>
 * Immutable after {@link #load}; thread-safe.
 */
public final class Providers {

    private static final Logger LOG = LoggerFactory.getLogger(Providers.class);

    /**
     * A plugin role, with the config key that chooses it and the module that provides the first implementation. No
     * key chooses the state store: the service always uses the {@code file} store (its one setting is
     * {@code state.file}) and an embedding application passes the id in code, so its messages name the {@code state}
     * section and say so.
     */
    public enum Role {
        SOURCE("presence source", "source.type", PresenceSourceProvider.class,
                "teamsconnect-graph (dev.teamsconnect:teamsconnect-graph) for Microsoft Teams presence", ""),
        SINK("PBX sink", "sink.type", PbxSinkProvider.class,
                "teamsconnect-starface (dev.teamsconnect:teamsconnect-starface) for a STARFACE PBX", ""),
        STORE("state store", "state", StateStoreProvider.class,
                "teamsconnect-core, which has the 'file' and 'memory' stores",
                " (no config key chooses the state store: the service always uses 'file', whose path is state.file;"
                        + " an embedding application passes the id to Providers.store)"),
        OUTPUT("status output", "outputs[].type", StatusOutputProvider.class,
                "teamsconnect-examples for the 'webhook' output", "");

        private final String label;
        private final String configKey;
        private final Class<?> type;
        private final String module;
        private final String choice;

        Role(String label, String configKey, Class<?> type, String module, String choice) {
            this.label = label;
            this.configKey = configKey;
            this.type = type;
            this.module = module;
            this.choice = choice;
        }

        /** e.g. "PBX sink". */
        public String label() {
            return label;
        }

        /** The config key that names the provider id ({@code state} for the store, which no key chooses), used in error messages. */
        public String configKey() {
            return configKey;
        }
    }

    /** A provider that could not be loaded. */
    public record Broken(Role role, String origin, String problem) {
    }

    private final Map<String, PresenceSourceProvider> sources;
    private final Map<String, PbxSinkProvider> sinks;
    private final Map<String, StateStoreProvider> stores;
    private final Map<String, StatusOutputProvider> outputs;
    private final List<Broken> broken;

    private Providers(Map<String, PresenceSourceProvider> sources, Map<String, PbxSinkProvider> sinks,
                      Map<String, StateStoreProvider> stores, Map<String, StatusOutputProvider> outputs,
                      List<Broken> broken) {
        this.sources = Collections.unmodifiableMap(sources);
        this.sinks = Collections.unmodifiableMap(sinks);
        this.stores = Collections.unmodifiableMap(stores);
        this.outputs = Collections.unmodifiableMap(outputs);
        this.broken = List.copyOf(broken);
    }

    /** Discovers the providers visible to {@code loader}. Never throws for broken providers. */
    public static Providers load(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        List<Broken> broken = new ArrayList<>();
        Map<String, PresenceSourceProvider> sources = find(Role.SOURCE, PresenceSourceProvider.class, loader,
                PresenceSourceProvider::id, broken);
        Map<String, PbxSinkProvider> sinks = find(Role.SINK, PbxSinkProvider.class, loader, PbxSinkProvider::id, broken);
        Map<String, StateStoreProvider> stores = find(Role.STORE, StateStoreProvider.class, loader,
                StateStoreProvider::id, broken);
        Map<String, StatusOutputProvider> outputs = find(Role.OUTPUT, StatusOutputProvider.class, loader,
                StatusOutputProvider::id, broken);
        return new Providers(sources, sinks, stores, outputs, broken);
    }

    /** Discovers with the thread's context class loader (or this class's loader when there is none). */
    public static Providers load() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return load(cl != null ? cl : Providers.class.getClassLoader());
    }

    private static <P> Map<String, P> find(Role role, Class<P> type, ClassLoader loader, Function<P, String> idOf,
                                           List<Broken> broken) {
        Map<String, P> found = new LinkedHashMap<>();
        Iterator<P> it = ServiceLoader.load(type, loader).iterator();
        int consecutiveErrors = 0;
        while (consecutiveErrors < 100) { // a guard: an iterator that keeps failing at the same place
            P provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                consecutiveErrors++;
                String origin = originOf(type, loader, e);
                LOG.warn("Skipping a broken {} provider from {}: {}", role.label, origin, describe(e));
                broken.add(new Broken(role, origin, describe(e)));
                continue;
            }
            consecutiveErrors = 0;
            String id;
            try {
                id = idOf.apply(provider);
            } catch (RuntimeException e) {
                String origin = originOf(provider.getClass());
                LOG.warn("Skipping {} provider {} from {}: id() failed: {}", role.label, provider.getClass().getName(),
                        origin, e.toString());
                broken.add(new Broken(role, origin, "id() failed: " + e));
                continue;
            }
            String origin = originOf(provider.getClass());
            if (id == null || id.isBlank()) {
                LOG.warn("Skipping {} provider {} from {}: blank id", role.label, provider.getClass().getName(), origin);
                broken.add(new Broken(role, origin, provider.getClass().getName() + " has a blank id"));
                continue;
            }
            P earlier = found.get(id);
            if (earlier != null) {
                if (earlier.getClass().getName().equals(provider.getClass().getName())) {
                    continue; // the same class twice (e.g. the same jar twice on the class path)
                }
                String problem = "two " + role.label + " providers share the id '" + id + "': "
                        + earlier.getClass().getName() + " (" + originOf(earlier.getClass()) + ") and "
                        + provider.getClass().getName() + " (" + origin + "); the second is ignored";
                LOG.warn("{}", problem);
                broken.add(new Broken(role, origin, problem));
                continue;
            }
            found.put(id, provider);
            LOG.info("Found {} provider '{}' ({}) in {}", role.label, id, provider.getClass().getName(), origin);
        }
        return found;
    }

    private static String describe(ServiceConfigurationError e) {
        return e.getCause() == null ? e.getMessage() : e.getMessage() + " (" + e.getCause() + ")";
    }

    private static String originOf(Class<?> c) {
        try {
            var cs = c.getProtectionDomain().getCodeSource();
            return cs == null || cs.getLocation() == null ? "(unknown location)" : cs.getLocation().toString();
        } catch (SecurityException e) {
            return "(unknown location)";
        }
    }

    /** Finds which services file names the class mentioned in the error, to point at the broken jar. */
    private static String originOf(Class<?> type, ClassLoader loader, ServiceConfigurationError e) {
        String message = String.valueOf(e.getMessage());
        String resource = "META-INF/services/" + type.getName();
        List<String> files = new ArrayList<>();
        try {
            for (URL url : Collections.list(loader.getResources(resource))) {
                files.add(url.toString());
                try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        int hash = line.indexOf('#');
                        String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                        if (!name.isEmpty() && message.contains(name)) {
                            return url.toString();
                        }
                    }
                }
            }
        } catch (IOException io) {
            return "(cannot read " + resource + ": " + io + ")";
        }
        return files.isEmpty() ? "(unknown location)" : "one of " + files;
    }

    /** Providers that could not be loaded. */
    public List<Broken> broken() {
        return broken;
    }

    /** Ids of the presence sources found, in discovery order. */
    public List<String> sourceIds() {
        return List.copyOf(sources.keySet());
    }

    public List<String> sinkIds() {
        return List.copyOf(sinks.keySet());
    }

    public List<String> storeIds() {
        return List.copyOf(stores.keySet());
    }

    /**
     * The presence source provider with {@code id}, or the only one when {@code id} is null or blank.
     *
     * @throws ConfigException (key {@code source.type}) when none, several without an id, or an unknown id
     */
    public PresenceSourceProvider source(String id) {
        return select(Role.SOURCE, sources, id);
    }

    /** Like {@link #source}, for PBX sinks (key {@code sink.type}). */
    public PbxSinkProvider sink(String id) {
        return select(Role.SINK, sinks, id);
    }

    /**
     * Like {@link #source}, for state stores. No config key names the store (the service always asks for
     * {@code file}); messages name the {@code state} section.
     */
    public StateStoreProvider store(String id) {
        return select(Role.STORE, stores, id);
    }

    /** Ids of the status outputs found, in discovery order (none is fine: outputs are optional). */
    public List<String> outputIds() {
        return List.copyOf(outputs.keySet());
    }

    /**
     * The status output provider with {@code id}. Unlike the other roles there is no "the only one": every entry
     * under {@code outputs} names its type.
     *
     * @throws ConfigException (key {@code outputs[].type}) when no provider has the id, listing those found
     */
    public StatusOutputProvider output(String id) {
        if (id == null || id.isBlank()) {
            throw new ConfigException(Role.OUTPUT.configKey, "is required: the type of the output, one of "
                    + (outputs.isEmpty() ? "(none found on the class path)" : String.join(", ", outputs.keySet())));
        }
        StatusOutputProvider p = outputs.get(id.trim());
        if (p == null) {
            throw new ConfigException(Role.OUTPUT.configKey, "no " + Role.OUTPUT.label + " with the id \"" + id.trim()
                    + "\"; found: " + (outputs.isEmpty() ? "none" : String.join(", ", outputs.keySet()))
                    + brokenNote(Role.OUTPUT));
        }
        return p;
    }

    private <P> P select(Role role, Map<String, P> found, String id) {
        if (found.isEmpty()) {
            throw new ConfigException(role.configKey, "no " + role.label + " found on the class path" + brokenNote(role)
                    + ". Add the module " + role.module + ".");
        }
        if (id != null && !id.isBlank()) {
            P p = found.get(id.trim());
            if (p == null) {
                throw new ConfigException(role.configKey, "no " + role.label + " with the id \"" + id.trim()
                        + "\"; found: " + String.join(", ", found.keySet()) + brokenNote(role) + role.choice);
            }
            return p;
        }
        if (found.size() > 1) {
            throw new ConfigException(role.configKey, found.size() + " " + role.label + " providers found ("
                    + String.join(", ", found.keySet()) + "); choose one by its id" + role.choice);
        }
        return found.values().iterator().next();
    }

    private String brokenNote(Role role) {
        List<String> names = broken.stream().filter(b -> b.role() == role).map(b -> b.origin()).toList();
        return names.isEmpty() ? "" : " (broken providers skipped, from: " + String.join(", ", names) + ")";
    }
}
