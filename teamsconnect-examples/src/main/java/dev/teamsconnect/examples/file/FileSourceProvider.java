package dev.teamsconnect.examples.file;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Provider id {@code file}: {@link FilePresenceSource} over the CSV file named by {@code file.path} (the only key
 * of the section). No I/O here: the file is read in {@code open()}, so it may be created after the service starts.
 */
@AutoService(PresenceSourceProvider.class)
public final class FileSourceProvider implements PresenceSourceProvider {

    @Override
    public String id() {
        return FilePresenceSource.ID;
    }

    @Override
    public PresenceSource create(ProviderConfig config) {
        config.rejectUnknownKeys(List.of("path"));
        Optional<String> path = config.requiredText("path", "(the CSV file with id,mail,name,availability,activity)");
        Path file = null;
        if (path.isPresent()) {
            try {
                file = Path.of(path.get());
            } catch (InvalidPathException e) {
                config.problem("path", "must be a file path, but was " + config.shown("path", path.get()));
            }
        }
        config.requireValid();
        return new FilePresenceSource(file, Clock.systemUTC());
    }
}
