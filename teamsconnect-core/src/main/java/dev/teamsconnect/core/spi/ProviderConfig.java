package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration section a provider gets: a read-only tree of strings, numbers, booleans, lists and maps
 * (as a YAML section parses), with typed getters whose errors name the full key path, e.g.
 * {@code starface.baseUrl: must be an http or https URL, but was "pbx"}. Values of keys whose name contains
 * "password", "secret" or "token" are never echoed in messages.
 */
public final class ProviderConfig {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final String prefix;
    private final Map<String, Object> values;

    public ProviderConfig(String prefix, Map<String, ?> values) {
        this.prefix = prefix == null ? "" : prefix;
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
    }

    public static ProviderConfig empty(String prefix) {
        return new ProviderConfig(prefix, Map.of());
    }

    /** The dotted path of this section, e.g. {@code starface}. */
    public String prefix() {
        return prefix;
    }

    public String path(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    public Map<String, Object> asMap() {
        return Map.copyOf(values);
    }

    public Optional<String> optionalString(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(path(key), "must be a single value, but was a " + (v instanceof Map ? "map" : "list"));
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> new ConfigException(path(key), "is required but missing"));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue) {
        Optional<String> v = optionalString(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(path(key), "must be a whole number, but was " + shown(key, v.get()));
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> v = optionalString(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return switch (v.get().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(path(key), "must be true or false, but was " + shown(key, v.get()));
        };
    }

    /** Accepts {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, combinations like {@code 1m30s}, and ISO-8601 ({@code PT5S}). */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> v = optionalString(key);
        return v.isEmpty() ? defaultValue : parseDuration(path(key), v.get());
    }

    public static Duration parseDuration(String keyPath, String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("pt") || s.startsWith("p")) {
            try {
                return requireNotNegative(keyPath, text, Duration.parse(text.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (java.time.format.DateTimeParseException e) {
                throw new ConfigException(keyPath, "must be a duration like 500ms, 5s, 2m, but was \"" + text + "\"");
            }
        }
        Matcher m = DURATION.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        boolean any = false;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
            any = true;
        }
        if (!any || end != s.length()) {
            throw new ConfigException(keyPath, "must be a duration like 500ms, 5s, 2m, but was \"" + text + "\"");
        }
        return total;
    }

    private static Duration requireNotNegative(String keyPath, String text, Duration d) {
        if (d.isNegative()) {
            throw new ConfigException(keyPath, "must not be negative, but was \"" + text + "\"");
        }
        return d;
    }

    public Optional<URI> optionalUri(String key) {
        Optional<String> v = optionalString(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(v.get());
            if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new ConfigException(path(key), "must be an http or https URL, but was " + shown(key, v.get()));
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new ConfigException(path(key), "must be an http or https URL, but was " + shown(key, v.get()));
        }
    }

    public URI uri(String key) {
        return optionalUri(key).orElseThrow(() -> new ConfigException(path(key), "is required but missing"));
    }

    public Optional<Path> optionalPath(String key) {
        return optionalString(key).map(Path::of);
    }

    /** A nested section; empty when absent. */
    @SuppressWarnings("unchecked")
    public ProviderConfig section(String key) {
        Object v = values.get(key);
        if (v == null) {
            return empty(path(key));
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(path(key), "must be a map of keys, but was " + shown(key, String.valueOf(v)));
        }
        return new ProviderConfig(path(key), (Map<String, Object>) v);
    }

    /** A list of strings; a single value is taken as a list of one. */
    public List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> list) {
            return list.stream().map(o -> String.valueOf(o).trim()).toList();
        }
        if (v instanceof Map) {
            throw new ConfigException(path(key), "must be a list, but was a map");
        }
        return List.of(String.valueOf(v).trim());
    }

    private static boolean isSecretKey(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token");
    }

    private String shown(String key, String value) {
        return isSecretKey(key) ? "(hidden)" : "\"" + value + "\"";
    }

    @Override
    public String toString() {
        return "ProviderConfig[" + prefix + ", keys=" + values.keySet() + "]";
    }
}
