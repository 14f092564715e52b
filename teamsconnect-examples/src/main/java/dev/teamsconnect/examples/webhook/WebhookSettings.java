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
import java.util.Map;
import java.util.Objects;
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

    /**
     * Reads and checks the section. Every problem is a {@link ConfigException} naming the key path, e.g.
     * {@code webhook.users[2].id: is required but missing}; the secret's value is never shown.
     */
    public static WebhookSettings from(ProviderConfig config) {
        URI url = config.uri("url");
        if (url.getRawUserInfo() != null) {
            throw new ConfigException(config.path("url"), "must not contain a user name or password; the body is signed with webhook.secret instead");
        }
        String secretText = config.string("secret");
        if (secretText.length() < MIN_SECRET_LENGTH) {
            throw new ConfigException(config.path("secret"), "must be at least " + MIN_SECRET_LENGTH
                    + " characters long (value hidden)");
        }
        Duration timeout = positive(config, "timeout", config.duration("timeout", Duration.ofSeconds(5)));
        int maxRetries = config.integer("maxRetries", 5);
        if (maxRetries < 0 || maxRetries > 20) {
            throw new ConfigException(config.path("maxRetries"), "must be between 0 and 20, but was " + maxRetries);
        }
        Duration initialBackoff = positive(config, "initialBackoff", config.duration("initialBackoff", Duration.ofMillis(500)));
        Duration maxBackoff = positive(config, "maxBackoff", config.duration("maxBackoff", Duration.ofSeconds(30)));
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new ConfigException(config.path("maxBackoff"), "must not be shorter than initialBackoff ("
                    + initialBackoff + "), but was " + maxBackoff);
        }
        int queueSize = config.integer("queueSize", 1000);
        if (queueSize < 1) {
            throw new ConfigException(config.path("queueSize"), "must be at least 1, but was " + queueSize);
        }
        List<WebhookUser> users = users(config);
        return new WebhookSettings(url, new Secret(secretText), timeout, maxRetries, initialBackoff, maxBackoff,
                queueSize, users);
    }

    private static Duration positive(ProviderConfig config, String key, Duration value) {
        if (value.isZero()) {
            throw new ConfigException(config.path(key), "must be longer than 0, but was " + value);
        }
        return value;
    }

    private static List<WebhookUser> users(ProviderConfig config) {
        Object raw = config.asMap().get("users");
        String path = config.path("users");
        if (raw == null) {
            throw new ConfigException(path, "is required but missing: list the users as {id, email, name}");
        }
        if (!(raw instanceof List<?> list)) {
            throw new ConfigException(path, "must be a list of users like {id: \"42\", email: a@example.com, name: A}");
        }
        List<WebhookUser> users = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = path + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                throw new ConfigException(at, "must be a map with id, email and name");
            }
            @SuppressWarnings("unchecked")
            ProviderConfig entry = new ProviderConfig(at, (Map<String, ?>) map);
            for (String key : entry.keys()) {
                if (!Set.of("id", "email", "name", "login", "dnd", "chatStatus").contains(key)) {
                    throw new ConfigException(entry.path(key), "is not a known key; expected id, email, name, login, dnd, chatStatus");
                }
            }
            String id = entry.string("id");
            if (!ids.add(id)) {
                throw new ConfigException(entry.path("id"), "\"" + id + "\" is listed twice");
            }
            PbxUser user = new PbxUser(id, entry.string("login", null), entry.string("email", null),
                    entry.string("name", null));
            PbxState initial = new PbxState(entry.bool("dnd", false), entry.string("chatStatus", null));
            users.add(new WebhookUser(user, initial));
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
