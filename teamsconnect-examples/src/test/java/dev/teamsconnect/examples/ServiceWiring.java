package dev.teamsconnect.examples;

import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.service.status.StatusBoard;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Wires an engine from a config file with the service's own code: its {@link ConfigLoader} reads the file,
 * {@link Providers} discovers the plugins that {@code plugins} sees (ServiceLoader), and the service's
 * {@link EngineWiring} picks them by {@code source.type} / {@code sink.type} and builds the engine. Holds are kept
 * at close, as {@code run --once} does, so a test can look at them.
 */
final class ServiceWiring {

    private ServiceWiring() {
    }

    record Wired(ServiceConfig config, Providers providers, SyncEngine engine) {
    }

    static Wired fromConfigFile(Path configFile, Map<String, String> environment, ClassLoader plugins, Clock clock) {
        ServiceConfig config = new ConfigLoader(environment).load(configFile);
        Providers providers = Providers.load(plugins);
        EngineWiring wiring = new EngineWiring(config, PluginLookup.of(providers));
        SyncEngine engine = wiring.engine(false, true, new StatusBoard(config.source(), config.sink()),
                new ServiceMetrics(), clock);
        return new Wired(config, providers, engine);
    }
}
