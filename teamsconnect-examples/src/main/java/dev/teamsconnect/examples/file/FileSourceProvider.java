package dev.teamsconnect.examples.file;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.time.Clock;

/**
 * Provider id {@code file}: {@link FilePresenceSource} over the CSV file named by {@code file.path}. No I/O here:
 * the file is read in {@code open()}.
 */
@AutoService(PresenceSourceProvider.class)
public final class FileSourceProvider implements PresenceSourceProvider {

    @Override
    public String id() {
        return FilePresenceSource.ID;
    }

    @Override
    public PresenceSource create(ProviderConfig config) {
        return new FilePresenceSource(config.optionalPath("path")
                .orElseThrow(() -> new dev.teamsconnect.core.error.ConfigException(config.path("path"),
                        "is required but missing: the CSV file with id,mail,name,availability,activity")),
                Clock.systemUTC());
    }
}
