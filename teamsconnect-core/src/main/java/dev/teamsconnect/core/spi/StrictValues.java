package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The older, strict getters of {@link ProviderConfig}: each throws a {@link ConfigException} naming the key path at
 * the first problem instead of collecting it. Kept for callers that read one value at a time.
 */
final class StrictValues {

    private StrictValues() {
    }

    static Optional<String> optionalString(ProviderConfig c, String key) {
        Object v = c.raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(c.path(key), "must be a single value, but was a " + (v instanceof Map ? "map" : "list"));
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    static ConfigException missing(ProviderConfig c, String key) {
        return new ConfigException(c.path(key), "is required but missing");
    }

    static int integer(ProviderConfig c, String key, int defaultValue) {
        Optional<String> v = optionalString(c, key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(c.path(key), "must be a whole number, but was " + c.shown(key, v.get()));
        }
    }

    static boolean bool(ProviderConfig c, String key, boolean defaultValue) {
        Optional<String> v = optionalString(c, key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        Boolean b = ScalarValues.parseFlag(v.get());
        if (b == null) {
            throw new ConfigException(c.path(key), "must be true or false, but was " + c.shown(key, v.get()));
        }
        return b;
    }

    static Duration duration(ProviderConfig c, String key, Duration defaultValue) {
        Optional<String> v = optionalString(c, key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return DurationText.parse(v.get()).orElseThrow(() -> new ConfigException(c.path(key),
                DurationText.EXPECTED + c.shown(key, v.get())));
    }

    static Duration parseDuration(String keyPath, String text) {
        return DurationText.parse(text).orElseThrow(() -> new ConfigException(keyPath,
                DurationText.EXPECTED + "\"" + text + "\""));
    }

    static Optional<URI> optionalUri(ProviderConfig c, String key) {
        Optional<String> v = optionalString(c, key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(v.get());
            if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(c.path(key), "must be an http or https URL, but was " + c.shown(key, v.get()));
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new ConfigException(c.path(key), "must be an http or https URL, but was " + c.shown(key, v.get()));
        }
    }

    @SuppressWarnings("unchecked")
    static ProviderConfig section(ProviderConfig c, String key) {
        Object v = c.raw(key);
        if (v == null) {
            return c.nested(c.path(key), Map.of());
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(c.path(key), "must be a map of keys, but was " + c.shown(key, String.valueOf(v)));
        }
        return c.nested(c.path(key), (Map<String, Object>) v);
    }

    static List<String> strings(ProviderConfig c, String key) {
        Object v = c.raw(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            return list.stream().map(o -> String.valueOf(o).trim()).toList();
        }
        if (v instanceof Map) {
            throw new ConfigException(c.path(key), "must be a list, but was a map");
        }
        return List.of(String.valueOf(v).trim());
    }
}
