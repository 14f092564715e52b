package dev.teamsconnect.examples.webhook;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.ProviderConfig;

/**
 * Provider id {@code webhook}: {@link WebhookPbxSink} configured from the {@code webhook} section. No I/O here;
 * config problems are {@link dev.teamsconnect.core.error.ConfigException}s naming the key path.
 */
@AutoService(PbxSinkProvider.class)
public final class WebhookSinkProvider implements PbxSinkProvider {

    @Override
    public String id() {
        return WebhookPbxSink.ID;
    }

    @Override
    public PbxSink create(ProviderConfig config) {
        return new WebhookPbxSink(WebhookSettings.from(config));
    }
}
