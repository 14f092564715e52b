package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.output.OutputSettings;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated entry {@code outputs[n]} of {@code type: webhook}. {@link #toString()} never shows the secret.
 *
 * @param url               where statuses are POSTed (http or https)
 * @param secret            the HMAC-SHA256 key (UTF-8 bytes of {@code secret}); never logged
 * @param timeout           connect and whole-exchange timeout of one POST
 * @param republishInterval how often every user's status is sent again (read with the host's one rule,
 *                          {@link OutputSettings#republishInterval(ProviderConfig)})
 */
public record WebhookSettings(URI url, Secret secret, Duration timeout, Duration republishInterval) {

    /** Shortest accepted secret, in characters: shorter keys are too easy to guess. */
    public static final int MIN_SECRET_LENGTH = 16;

    /** The HMAC key. Holds bytes, prints as {@code (hidden)}. */
    public static final class Secret {
        private final byte[] key;

        public Secret(String text) {
            this.key = text.getBytes(StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && Arrays.equals(key, s.key);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return "(hidden)";
        }
    }

    public WebhookSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(republishInterval, "republishInterval");
    }

    /** The keys of a webhook entry under {@code outputs} besides {@code type} (docs/configuration.md). */
    static final List<String> KEYS = List.of("url", "secret", "timeout", OutputSettings.REPUBLISH_INTERVAL_KEY);

    /**
     * Reads and checks the whole entry. Every problem is collected and reported in one
     * {@link dev.teamsconnect.core.error.ConfigException}, each naming its key path, e.g.
     * {@code outputs[1].secret: must be at least 16 characters long}; the secret's value is never shown.
     */
    public static WebhookSettings from(ProviderConfig config) {
        config.rejectUnknownKeys(KEYS);
        Optional<URI> url = config.endpointUrl("url");
        if (url.isEmpty()) {
            config.requiredText("url", "(where statuses are POSTed)");
        }
        Optional<String> secretText = config.requiredText("secret", "(the HMAC key; use ${TEAMSCONNECT_WEBHOOK_SECRET})");
        if (secretText.isPresent() && secretText.get().length() < MIN_SECRET_LENGTH) {
            config.problem("secret", "must be at least " + MIN_SECRET_LENGTH + " characters long (value hidden)");
        }
        Duration timeout = config.interval("timeout", Duration.ofSeconds(5), false);
        Duration republish = OutputSettings.republishInterval(config);
        config.requireValid();
        return new WebhookSettings(url.orElseThrow(), new Secret(secretText.orElseThrow()), timeout, republish);
    }

    /**
     * The URL as it may appear in logs and messages: scheme, host and port only, because receivers often carry
     * a token in the path or query.
     */
    public String safeUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public String toString() {
        return "WebhookSettings[url=" + safeUrl() + ", secret=(hidden), timeout=" + timeout + ", republishInterval="
                + republishInterval + "]";
    }
}
