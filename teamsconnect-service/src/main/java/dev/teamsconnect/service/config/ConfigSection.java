package dev.teamsconnect.service.config;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one map of the config tree with typed getters. Every getter reports what is wrong into the shared
 * {@link Problems} (key path, bad value, line) and returns a fallback, so validation goes on and all problems of
 * a file are reported together. Values of secret keys are never echoed.
 */
final class ConfigSection {

    private final String path;
    private final Map<String, Object> values;
    private final Problems problems;

    ConfigSection(String path, Map<String, Object> values, Problems problems) {
        this.path = path;
        this.values = values == null ? Map.of() : values;
        this.problems = problems;
    }

    String path() {
        return path;
    }

    String path(String key) {
        return KeyPaths.child(path, key);
    }

    Map<String, Object> values() {
        return values;
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    /** Reports every key not in {@code known}, with a "did you mean" where one is close. */
    void rejectUnknownKeys(Set<String> known) {
        for (String key : values.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            Optional<String> near = KeySuggestions.closest(key, known);
            String hint = near.map(n -> "; did you mean \"" + n + "\"?")
                    .orElseGet(() -> KnownKeys.elsewhere(key).map(p -> "; \"" + key + "\" belongs under " + p)
                            .orElse("; known keys here: " + String.join(", ", known)));
            problems.add(path(key), "is not a known key" + hint);
        }
    }

    @SuppressWarnings("unchecked")
    ConfigSection section(String key) {
        Object v = values.get(key);
        // "tls:" followed only by comments parses as an empty value: an empty section, not a type error
        if (v == null || v instanceof String s && s.isBlank()) {
            return new ConfigSection(path(key), Map.of(), problems);
        }
        if (!(v instanceof Map)) {
            problems.add(path(key), "must be a map of keys (key: value on indented lines), but was " + describe(key, v));
            return new ConfigSection(path(key), Map.of(), problems);
        }
        return new ConfigSection(path(key), (Map<String, Object>) v, problems);
    }

    Optional<String> string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            problems.add(path(key), "must be a single value, but was " + describe(key, v));
            return Optional.empty();
        }
        String s = v.toString().strip();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    Optional<String> required(String key, String why) {
        Optional<String> s = string(key);
        if (s.isEmpty() && !problems.has(path(key))) {
            problems.add(path(key), "is required" + (why.isEmpty() ? "" : " " + why) + ", but is missing or empty");
        }
        return s;
    }

    Optional<Secret> secret(String key) {
        return string(key).map(Secret::of);
    }

    /** A value from a closed set, matched case-insensitively against the codes. */
    <E> E choice(String key, E fallback, Map<String, E> byCode) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        E e = byCode.get(s.get().toLowerCase(Locale.ROOT));
        if (e == null) {
            String hint = KeySuggestions.closest(s.get(), byCode.keySet()).map(n -> "; did you mean \"" + n + "\"?").orElse("");
            problems.add(path(key), "must be one of " + String.join(", ", byCode.keySet()) + ", but was " + shown(key, s.get()) + hint);
            return fallback;
        }
        return e;
    }

    boolean bool(String key, boolean fallback) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        return switch (s.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problems.add(path(key), "must be true or false, but was " + shown(key, s.get()));
                yield fallback;
            }
        };
    }

    /** A duration like {@code 500ms}, {@code 5s}, {@code 2m} (see {@link ProviderConfig#parseDuration}). */
    Duration duration(String key, Duration fallback, boolean zeroAllowed) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            Duration d = ProviderConfig.parseDuration(path(key), s.get());
            if (d.isZero() && !zeroAllowed) {
                problems.add(path(key), "must be longer than 0, but was " + shown(key, s.get()));
                return fallback;
            }
            return d;
        } catch (ConfigException e) {
            problems.add(e.keyPath(), stripPath(e));
            return fallback;
        }
    }

    /**
     * An http(s) URL with a host. With {@code httpsOnly}, plain http is accepted only for loopback hosts (test
     * setups), because tokens and passwords travel on these connections.
     */
    Optional<URI> url(String key, boolean httpsOnly) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get();
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            problems.add(path(key), "must be an http or https URL like https://host.example.com, but was " + shown(key, text));
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            problems.add(path(key), "must be an http or https URL like https://host.example.com, but was " + shown(key, text));
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            // the value itself is not echoed: it holds credentials
            problems.add(path(key), "must not contain a user name or password; put credentials in their own keys");
            return Optional.empty();
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            problems.add(path(key), "must be a base URL without ?query or #fragment, but was " + shown(key, text));
            return Optional.empty();
        }
        if (httpsOnly && scheme.equals("http") && !isLoopback(uri.getHost())) {
            problems.add(path(key), "must use https (tokens are sent on this connection), but was " + shown(key, text));
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    /** A file that must exist and be readable now (certificates). */
    Optional<Path> readableFile(String key) {
        Optional<Path> p = path(key, "file");
        if (p.isEmpty()) {
            return p;
        }
        Path file = p.get();
        if (!Files.exists(file)) {
            problems.add(path(key), "file \"" + file + "\" does not exist" + relativeHint(file));
        } else if (!Files.isRegularFile(file)) {
            problems.add(path(key), "\"" + file + "\" is not a regular file");
        } else if (!Files.isReadable(file)) {
            problems.add(path(key), "file \"" + file + "\" cannot be read by this user; check its owner and permissions");
        } else {
            try {
                if (Files.size(file) == 0) {
                    problems.add(path(key), "file \"" + file + "\" is empty");
                }
            } catch (IOException e) {
                problems.add(path(key), "file \"" + file + "\" cannot be read: " + e.getMessage());
            }
        }
        return p;
    }

    /** A file the service will write: it may be missing, but its directory must exist and it must not be a directory. */
    Optional<Path> writableFile(String key, Path fallback) {
        Optional<Path> p = path(key, "file");
        if (p.isEmpty() && problems.has(path(key))) {
            return Optional.empty();
        }
        Path file = p.orElse(fallback);
        Path parent = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            problems.add(path(key), "\"" + file + "\" is a directory; name a file in it, e.g. \"" + file.resolve("teamsconnect.json") + "\"");
        } else if (parent != null && !Files.isDirectory(parent)) {
            problems.add(path(key), "the directory of \"" + file + "\" does not exist; create " + parent + " first");
        }
        return Optional.of(file);
    }

    private Optional<Path> path(String key, String what) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(s.get()));
        } catch (InvalidPathException e) {
            problems.add(path(key), "must be a " + what + " path, but was " + shown(key, s.get()) + " (" + e.getReason() + ")");
            return Optional.empty();
        }
    }

    private static String relativeHint(Path file) {
        return file.isAbsolute() ? "" : " (relative paths are resolved against the working directory "
                + Path.of("").toAbsolutePath() + ")";
    }

    /** An integer within bounds. */
    int integer(String key, int fallback, int min, int max) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(s.get());
            if (n < min || n > max) {
                problems.add(path(key), "must be between " + min + " and " + max + ", but was " + n);
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(path(key), "must be a whole number between " + min + " and " + max + ", but was " + shown(key, s.get()));
            return fallback;
        }
    }

    /** A list of single values; one single value is taken as a list of one. Items that are maps or lists are reported. */
    List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Map) {
            problems.add(path(key), "must be a list like [A, B], but was a map");
            return List.of();
        }
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item == null || item instanceof Map || item instanceof List) {
                problems.add(KeyPaths.index(path(key), i), "must be a single value, but was "
                        + (item == null ? "empty" : describe(key, item)));
                out.add(null);
            } else {
                out.add(item.toString().strip());
            }
        }
        return out;
    }

    /** A map of single values (e.g. users.overrides). */
    Map<String, String> stringMap(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            problems.add(path(key), "must be a map (key: value on indented lines, or {} for none), but was " + describe(key, v));
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = e.getKey().toString();
            Object item = e.getValue();
            String itemPath = KeyPaths.child(path(key), k);
            if (item == null || item.toString().isBlank()) {
                problems.add(itemPath, "must have a value, but is empty");
            } else if (item instanceof Map || item instanceof List) {
                problems.add(itemPath, "must be a single value, but was " + describe(k, item));
            } else {
                out.put(k, item.toString().strip());
            }
        }
        return out;
    }

    /** How a bad value is shown in a message: quoted, or "(hidden)" for secret keys, or its shape for maps/lists. */
    static String shown(String key, String value) {
        return isSecretKey(key) ? "(hidden)" : "\"" + value + "\"";
    }

    private static String describe(String key, Object v) {
        if (v instanceof Map) {
            return "a map";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "the value " + shown(key, v.toString());
    }

    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") && !k.equals("tokencache");
    }

    private static String stripPath(ConfigException e) {
        String m = e.getMessage();
        String prefix = e.keyPath() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
