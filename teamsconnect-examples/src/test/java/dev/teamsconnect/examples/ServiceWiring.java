package dev.teamsconnect.examples;

import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Wires an engine from a config file the way the service does: the service's {@link ConfigLoader} reads the file,
 * {@link Providers} discovers the plugins on the class path (ServiceLoader), {@code source.type} / {@code sink.type}
 * pick them by id, and each gets its own config section.
 */
final class ServiceWiring {

    private ServiceWiring() {
    }

    record Wired(ServiceConfig config, Providers providers, SyncEngine engine) {
    }

    static Wired fromConfigFile(Path configFile, Map<String, String> environment, ClassLoader plugins, Clock clock) {
        ServiceConfig config = new ConfigLoader(environment).load(configFile);
        Providers providers = Providers.load(plugins);
        PresenceSource source = providers.source(config.source()).create(config.sourceConfig());
        PbxSink sink = providers.sink(config.sink()).create(config.sinkConfig());
        SyncEngine engine = SyncEngine.builder()
                .source(source)
                .sink(sink)
                .store(new JsonFileStateStore(config.state().file()))
                .policy(ConfigurableStatusPolicy.builder().dndCategories(config.mapping().dnd()).build())
                .config(EngineConfig.builder().releaseOnShutdown(false).build())
                .clock(clock)
                .build();
        return new Wired(config, providers, engine);
    }
}
