package dev.teamsconnect.core.store;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.StateStoreProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Provider {@code file}: a {@link JsonFileStateStore}. Config key {@code file}: the path of the state file
 * (default {@value #DEFAULT_FILE} in the working directory). Does no I/O until the engine loads the store.
 */
@AutoService(StateStoreProvider.class)
public final class FileStateStoreProvider implements StateStoreProvider {

    public static final String DEFAULT_FILE = "teamsconnect-state.json";

    @Override
    public String id() {
        return "file";
    }

    @Override
    public StateStore create(ProviderConfig config) {
        String file = config.string("file", DEFAULT_FILE);
        try {
            return new JsonFileStateStore(Path.of(file));
        } catch (InvalidPathException e) {
            throw new ConfigException(config.path("file"), "is not a valid path: \"" + file + "\" (" + e.getReason() + ")");
        }
    }
}
