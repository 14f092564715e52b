package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The validated {@code webhook} config section. {@link #toString()} never shows the secret.
 *
 * @param url            where events are POSTed (http or https)
 * @param secret         the HMAC-SHA256 key (UTF-8 bytes of {@code webhook.secret}); never logged
 * @param timeout        connect and request timeout of one attempt
 * @param maxRetries     further attempts after the first failed one (0 = no retry)
 * @param initialBackoff the pause before the first retry; doubles per retry
 * @param maxBackoff     the longest pause between two attempts
 * @param queueSize      how many users may have an undelivered event at the same time
 * @param users          the users the webhook reports on, with their assumed state before the first event
 */
public record WebhookSettings(URI url, Secret secret, Duration timeout, int maxRetries, Duration initialBackoff,
                              Duration maxBackoff, int queueSize, List<WebhookUser> users) {

    /** Shortest accepted secret, in characters: shorter keys are too easy to guess. */
    public static final int MIN_SECRET_LENGTH = 16;

    /** A configured user and the state assumed until the first event for it is sent. */
    public record WebhookUser(PbxUser user, PbxState initialState) {
        public WebhookUser {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(initialState, "initialState");
        }
    }

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
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        users = List.copyOf(users);
    }

    /** The keys of the {@code webhook} section (docs/plugins.md). */
    static final List<String> KEYS = List.of("url", "secret", "timeout", "maxRetries", "initialBackoff", "maxBackoff",
            "queueSize", "users");
    /** The keys of one entry of {@code webhook.users}. */
    static final List<String> USER_KEYS = List.of("id", "email", "name", "login", "dnd", "chatStatus");

    /**
     * Reads and checks the whole section. Every problem is collected and reported in one {@link ConfigException},
     * each naming its key path, e.g. {@code webhook.users[2].id: is required, but is missing or empty}; the secret's
     * value is never shown.
     */
    public static WebhookSettings from(ProviderConfig config) {
        config.rejectUnknownKeys(KEYS);
        Optional<URI> url = config.endpointUrl("url");
        if (url.isEmpty()) {
            config.requiredText("url", "(where events are POSTed)");
        }
        Optional<String> secretText = config.requiredText("secret", "(the HMAC key; use ${TEAMSCONNECT_WEBHOOK_SECRET})");
        if (secretText.isPresent() && secretText.get().length() < MIN_SECRET_LENGTH) {
            config.problem("secret", "must be at least " + MIN_SECRET_LENGTH + " characters long (value hidden)");
        }
        Duration timeout = config.interval("timeout", Duration.ofSeconds(5), false);
        int maxRetries = config.wholeNumber("maxRetries", 5, 0, 20);
        Duration initialBackoff = config.interval("initialBackoff", Duration.ofMillis(500), false);
        Duration maxBackoff = config.interval("maxBackoff", Duration.ofSeconds(30), false);
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            config.problem("maxBackoff", "must not be shorter than initialBackoff (" + initialBackoff + "), but was " + maxBackoff);
        }
        int queueSize = config.wholeNumber("queueSize", 1000, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (queueSize < 1) {
            config.problem("queueSize", "must be at least 1, but was " + queueSize);
        }
        List<WebhookUser> users = users(config);
        config.requireValid();
        return new WebhookSettings(url.orElseThrow(), new Secret(secretText.orElseThrow()), timeout, maxRetries,
                initialBackoff, maxBackoff, queueSize, users);
    }

    private static List<WebhookUser> users(ProviderConfig config) {
        if (!config.has("users")) {
            config.problem("users", "is required but missing: list the users as {id, email, name}");
            return List.of();
        }
        List<WebhookUser> users = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (ProviderConfig entry : config.children("users")) {
            entry.rejectUnknownKeys(USER_KEYS);
            Optional<String> id = entry.requiredText("id", "");
            if (id.isPresent() && !ids.add(id.get())) {
                entry.problem("id", entry.shown("id", id.get()) + " is listed twice");
            }
            Optional<String> login = entry.text("login");
            Optional<String> email = entry.text("email");
            Optional<String> name = entry.text("name");
            boolean dnd = entry.flag("dnd", false);
            Optional<String> chatStatus = entry.text("chatStatus");
            if (id.isPresent()) {
                users.add(new WebhookUser(new PbxUser(id.get(), login.orElse(null), email.orElse(null), name.orElse(null)),
                        new PbxState(dnd, chatStatus.orElse(null))));
            }
        }
        return users;
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
        return "WebhookSettings[url=" + safeUrl() + ", secret=(hidden), timeout=" + timeout + ", maxRetries=" + maxRetries
                + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + ", queueSize=" + queueSize
                + ", users=" + users.size() + "]";
    }
}
