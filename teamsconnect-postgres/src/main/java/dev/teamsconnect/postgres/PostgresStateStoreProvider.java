package dev.teamsconnect.postgres;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.StateStoreProvider;
import java.util.List;

/**
 * Provider {@code postgres}: a {@link PostgresStateStore}. Owns the keys {@code url} (a
 * {@code jdbc:postgresql://} URL), {@code user} and {@code password} of the {@code state} section (the service
 * passes them on without looking at them). Does no I/O here.
 */
@AutoService(StateStoreProvider.class)
public final class PostgresStateStoreProvider implements StateStoreProvider {

    /** The keys this provider reads from the state section. */
    public static final List<String> KEYS = List.of("url", "user", "password");

    @Override
    public String id() {
        return "postgres";
    }

    @Override
    public StateStore create(ProviderConfig config) {
        config.rejectUnknownKeys(KEYS);
        String url = config.requiredText("url", "(the JDBC URL of the database, e.g."
                + " jdbc:postgresql://db.example.com:5432/teamsconnect)").orElse(null);
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            config.problem("url", "must be a PostgreSQL JDBC URL like jdbc:postgresql://db.example.com:5432/teamsconnect,"
                    + " but was " + config.shown("url", PostgresSettings.maskUrl(url)));
        }
        String user = config.requiredText("user", "(the database user TeamsConnect signs in as)").orElse(null);
        String password = config.text("password").orElse("");
        config.requireValid();
        return new PostgresStateStore(new PostgresSettings(url, user, password));
    }
}
