package dev.teamsconnect.examples.webhook;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.spi.StatusOutputProvider;

/**
 * Output type {@code webhook}: {@link WebhookStatusOutput} configured from its entry under {@code outputs}. No I/O
 * here; config problems are {@link dev.teamsconnect.core.error.ConfigException}s naming the key path.
 */
@AutoService(StatusOutputProvider.class)
public final class WebhookOutputProvider implements StatusOutputProvider {

    @Override
    public String id() {
        return WebhookStatusOutput.ID;
    }

    @Override
    public StatusOutput create(ProviderConfig config) {
        return new WebhookStatusOutput(WebhookSettings.from(config));
    }
}
