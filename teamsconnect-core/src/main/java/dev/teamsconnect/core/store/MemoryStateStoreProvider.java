package dev.teamsconnect.core.store;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.StateStoreProvider;

/** Provider {@code memory}: an {@link InMemoryStateStore}; takes no configuration. */
@AutoService(StateStoreProvider.class)
public final class MemoryStateStoreProvider implements StateStoreProvider {

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public StateStore create(ProviderConfig config) {
        return new InMemoryStateStore();
    }
}
