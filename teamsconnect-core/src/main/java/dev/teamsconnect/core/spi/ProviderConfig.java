package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration section a provider gets: a read-only tree of strings, lists and maps (as a YAML section
 * parses), with typed getters whose messages name the full key path, e.g.
 * {@code starface.baseUrl: must be an http or https URL like https://host.example.com, but was "pbx"}.
 *
 * <p><b>Validating a whole section.</b> The collecting getters ({@link #text}, {@link #requiredText},
 * {@link #wholeNumber}, {@link #flag}, {@link #interval}, {@link #url}, {@link #choice}, {@link #readableFile},
 * {@link #writableFile}, {@link #textList}, {@link #textMap}, {@link #child}, {@link #children}) never throw: they
 * record what is wrong (key path, message, line in the config file) and return a fallback, so a provider reads
 * every key, adds its own cross-key checks with {@link #problem}, rejects unknown keys with
 * {@link #rejectUnknownKeys} ("did you mean") and then calls {@link #requireValid()}, which throws one
 * {@link ConfigException} with all problems. Nested sections share one list of problems and warnings.
 *
 * <p><b>Secrets.</b> A value is never shown in a message when its key is a secret key ({@link #isSecretKey}: the
 * name contains password, secret or token, except tokenCache) or when it came from {@code ${NAME}} substitution
 * (the host passes those key paths in {@link #of}).
 *
 * <p>The older strict getters ({@link #string(String)}, {@link #integer}, {@link #bool}, {@link #duration},
 * {@link #uri}, {@link #section}, ...) throw a {@link ConfigException} at the first problem.
 *
 * <p>Every key a getter is asked for is recorded JVM-wide ({@link #askedKeyPaths()}), so a test can check that
 * every key the code reads is documented.
 */
public final class ProviderConfig {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern INDEX = Pattern.compile("\\[\\d+]");
    /** Bounded by the number of distinct key paths (list indexes are folded to {@code []}). */
    private static final Set<String> ASKED = ConcurrentHashMap.newKeySet();
    private static final int ASKED_LIMIT = 10_000;

    private final String prefix;
    private final Map<String, Object> values;
    private final Shared shared;

    /** What all sections of one validation share: where keys are, which values are substituted, what is wrong. */
    private static final class Shared {
        final Map<String, Integer> lines;
        final Set<String> substituted;
        final List<ConfigProblem> problems = new ArrayList<>();
        final Set<String> problemPaths = new HashSet<>();
        final Set<String> warnings = new LinkedHashSet<>();
        final boolean writesNothing;

        Shared(Map<String, Integer> lines, Set<String> substituted) {
            this(lines, substituted, false);
        }

        Shared(Map<String, Integer> lines, Set<String> substituted, boolean writesNothing) {
            this.lines = lines == null ? Map.of() : Map.copyOf(lines);
            this.substituted = substituted == null ? Set.of() : Set.copyOf(substituted);
            this.writesNothing = writesNothing;
        }
    }

    /** A section without line numbers and without substituted values (tests, embedding hosts). */
    public ProviderConfig(String prefix, Map<String, ?> values) {
        this(prefix, values, new Shared(Map.of(), Set.of()));
    }

    private ProviderConfig(String prefix, Map<String, ?> values, Shared shared) {
        this.prefix = prefix == null ? "" : prefix;
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
        this.shared = shared;
    }

    /**
     * A section as read from a config file.
     *
     * @param lines            the 1-based line of each key path (e.g. {@code starface.tls.pin -> 12}); a problem at
     *                         a missing key gets the line of its nearest present parent
     * @param substitutedPaths the key paths whose values came (wholly or partly) from {@code ${NAME}}: their values
     *                         are never shown
     */
    public static ProviderConfig of(String prefix, Map<String, ?> values, Map<String, Integer> lines,
                                    Set<String> substitutedPaths) {
        return new ProviderConfig(prefix, values, new Shared(lines, substitutedPaths));
    }

    public static ProviderConfig empty(String prefix) {
        return new ProviderConfig(prefix, Map.of());
    }

    /**
     * This section for a host that only checks the plugin ({@code check}): same values, lines and substituted
     * paths, a fresh list of problems and warnings, and {@link #writesNothing()} true.
     */
    public ProviderConfig writingNothing() {
        return new ProviderConfig(prefix, values, new Shared(shared.lines, shared.substituted, true));
    }

    /**
     * Whether the host only checks ({@code check}): the plugin may sign in and read, but must write no file (a token
     * cache, ...) and change nothing on its system. False for {@code run}.
     */
    public boolean writesNothing() {
        return shared.writesNothing;
    }

    /** The dotted path of this section, e.g. {@code starface}. */
    public String prefix() {
        return prefix;
    }

    /** The key path of {@code key} in this section, e.g. {@code starface.tls.pin}. */
    public String path(String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    /** The key path of a child key: {@code teams.auth.mode}, {@code users.overrides["anna@example.com"]}. */
    public static String child(String parent, String key) {
        String part = PLAIN_KEY.matcher(key).matches() ? key : "[\"" + key + "\"]";
        if (parent == null || parent.isEmpty()) {
            return part;
        }
        return part.startsWith("[") ? parent + part : parent + "." + part;
    }

    /** The key path of a list item: {@code mapping.dnd[1]}. */
    public static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    public Map<String, Object> asMap() {
        return java.util.Collections.unmodifiableMap(values);
    }

    // ---------------------------------------------------------------------------------------------------------
    // collecting validation

    /** Records a problem at {@code key} of this section (the first problem per key path wins). */
    public void problem(String key, String message) {
        problemAt(path(key), message);
    }

    /** Records a problem at a full key path (the first problem per key path wins). */
    public void problemAt(String keyPath, String message) {
        if (shared.problemPaths.add(keyPath)) {
            shared.problems.add(new ConfigProblem(keyPath, message, lineOf(keyPath)));
        }
    }

    /** Records something allowed but probably not meant; the host shows it as a warning. */
    public void warn(String key, String message) {
        shared.warnings.add(path(key) + ": " + message);
    }

    /** Whether a problem is recorded at {@code key} of this section. */
    public boolean hasProblem(String key) {
        return shared.problemPaths.contains(path(key));
    }

    /** Every problem recorded so far in this section's validation, in the order found. */
    public List<ConfigProblem> problems() {
        return List.copyOf(shared.problems);
    }

    /** Every warning recorded so far, as {@code keyPath: message}. */
    public List<String> warnings() {
        return List.copyOf(shared.warnings);
    }

    /** Throws one {@link ConfigException} with every recorded problem (in file order) when there is any. */
    public void requireValid() {
        if (!shared.problems.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(shared.problems);
            sorted.sort(Comparator.comparingInt(p -> p.line() <= 0 ? Integer.MAX_VALUE : p.line()));
            throw new ConfigException(sorted);
        }
    }

    /** Reports every key not in {@code known}, with a "did you mean" where one is close. */
    public void rejectUnknownKeys(Collection<String> known) {
        rejectUnknownKeys(known, k -> Optional.empty());
    }

    /**
     * Reports every key not in {@code known}, with a "did you mean" where one is close, else the hint of
     * {@code elsewhere} (e.g. "belongs under mapping"), else the list of known keys.
     */
    public void rejectUnknownKeys(Collection<String> known, Function<String, Optional<String>> elsewhere) {
        for (String key : values.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            Optional<String> near = closest(key, known);
            String hint = near.map(n -> "; did you mean \"" + n + "\"?")
                    .or(() -> elsewhere.apply(key))
                    .orElse("; known keys here: " + String.join(", ", known));
            problem(key, "is not a known key" + hint);
        }
    }

    /** A nested section; empty when absent or when it is not a map (reported). Shares this section's problems. */
    @SuppressWarnings("unchecked")
    public ProviderConfig child(String key) {
        ask(key);
        Object v = values.get(key);
        // "tls:" followed only by comments parses as an empty value: an empty section, not a type error
        if (v == null || v instanceof String s && s.isBlank()) {
            return new ProviderConfig(path(key), Map.of(), shared);
        }
        if (!(v instanceof Map)) {
            problem(key, "must be a map of keys (key: value on indented lines), but was " + describe(key, v));
            return new ProviderConfig(path(key), Map.of(), shared);
        }
        return new ProviderConfig(path(key), (Map<String, Object>) v, shared);
    }

    /** A list of sections ({@code users: [{id: ..}, ..]}); items that are not maps are reported and skipped. */
    @SuppressWarnings("unchecked")
    public List<ProviderConfig> children(String key) {
        ask(key);
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            problem(key, "must be a list of maps (\"- key: value\" items), but was " + describe(key, v));
            return List.of();
        }
        List<ProviderConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = index(path(key), i);
            if (list.get(i) instanceof Map<?, ?> m) {
                out.add(new ProviderConfig(at, (Map<String, Object>) m, shared));
            } else {
                problemAt(at, "must be a map of keys, but was " + (list.get(i) == null ? "empty" : describe(key, list.get(i))));
            }
        }
        return out;
    }

    /** A single value, stripped; empty when absent or blank. A map or list is reported. */
    public Optional<String> text(String key) {
        ask(key);
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            problem(key, "must be a single value, but was " + describe(key, v));
            return Optional.empty();
        }
        String s = v.toString().strip();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** A single value that must be present; {@code why} (may be empty) says what it is. */
    public Optional<String> requiredText(String key, String why) {
        Optional<String> s = text(key);
        if (s.isEmpty() && !hasProblem(key)) {
            problem(key, "is required" + (why == null || why.isEmpty() ? "" : " " + why) + ", but is missing or empty");
        }
        return s;
    }

    /** A value from a closed set, matched case-insensitively against the codes (keys of {@code byCode}, lower case). */
    public <E> E choice(String key, E fallback, Map<String, E> byCode) {
        Optional<String> s = text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        E e = byCode.get(s.get().toLowerCase(Locale.ROOT));
        if (e == null) {
            String hint = isHidden(key) ? "" : closest(s.get(), byCode.keySet()).map(n -> "; did you mean \"" + n + "\"?").orElse("");
            problem(key, "must be one of " + String.join(", ", byCode.keySet()) + ", but was " + shown(key, s.get()) + hint);
            return fallback;
        }
        return e;
    }

    /** {@code true/yes/on} or {@code false/no/off}. */
    public boolean flag(String key, boolean fallback) {
        Optional<String> s = text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        return switch (s.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                problem(key, "must be true or false, but was " + shown(key, s.get()));
                yield fallback;
            }
        };
    }

    /** A whole number within {@code min..max}. */
    public int wholeNumber(String key, int fallback, int min, int max) {
        Optional<String> s = text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(s.get());
            if (n < min || n > max) {
                problem(key, "must be between " + min + " and " + max + ", but was " + (isHidden(key) ? "(hidden)" : n));
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            problem(key, "must be a whole number between " + min + " and " + max + ", but was " + shown(key, s.get()));
            return fallback;
        }
    }

    /** A duration like {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1m30s} or ISO-8601; never negative. */
    public Duration interval(String key, Duration fallback, boolean zeroAllowed) {
        Optional<String> s = text(key);
        if (s.isEmpty()) {
            return fallback;
        }
        Optional<Duration> d = tryParseDuration(s.get());
        if (d.isEmpty()) {
            problem(key, "must be a duration like 500ms, 5s, 2m, but was " + shown(key, s.get()));
            return fallback;
        }
        if (d.get().isZero() && !zeroAllowed) {
            problem(key, "must be longer than 0, but was " + shown(key, s.get()));
            return fallback;
        }
        return d.get();
    }

    /**
     * An http(s) base URL with a host, without user info, query or fragment. With {@code httpsOnly}, plain http is
     * reported (tokens or passwords travel on the connection).
     */
    public Optional<URI> url(String key, boolean httpsOnly) {
        return url(key, httpsOnly, true);
    }

    /**
     * An http(s) endpoint URL with a host and without user info; path and query are allowed (they often carry a
     * token), so the value is never shown in a message.
     */
    public Optional<URI> endpointUrl(String key) {
        return url(key, false, false);
    }

    private Optional<URI> url(String key, boolean httpsOnly, boolean baseOnly) {
        Optional<String> s = text(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get();
        if (!baseOnly) {
            // shown as scheme://host:port at most
            text = text.replaceAll("^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*@?[^/?#]*).*$", "$1");
        }
        String expected = httpsOnly ? "an https URL like https://host.example.com" : "an http or https URL like https://host.example.com";
        URI uri;
        try {
            uri = new URI(s.get());
        } catch (URISyntaxException e) {
            problem(key, "must be " + expected + ", but was " + shown(key, text));
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            problem(key, "must be " + expected + ", but was " + shown(key, text));
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            // the value itself is not echoed: it holds credentials
            problem(key, "must not contain a user name or password; put credentials in their own keys");
            return Optional.empty();
        }
        if (baseOnly && (uri.getRawQuery() != null || uri.getRawFragment() != null)) {
            problem(key, "must be a base URL without ?query or #fragment, but was " + shown(key, text));
            return Optional.empty();
        }
        if (httpsOnly && scheme.equals("http")) {
            problem(key, "must use https (tokens are sent on this connection), but was " + shown(key, text));
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    /** Whether a host name is a loopback name or address ({@code localhost}, {@code 127.x}, {@code ::1}). */
    public static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    /** A file that must exist, be a regular file, readable and not empty now (certificates, key files). */
    public Optional<Path> readableFile(String key) {
        Optional<Path> p = pathValue(key, "file");
        if (p.isEmpty()) {
            return p;
        }
        Path file = p.get();
        String shownFile = shown(key, file.toString());
        if (!Files.exists(file)) {
            problem(key, "file " + shownFile + " does not exist" + relativeHint(file));
        } else if (!Files.isRegularFile(file)) {
            problem(key, shownFile + " is not a regular file");
        } else if (!Files.isReadable(file)) {
            problem(key, "file " + shownFile + " cannot be read by this user; check its owner and permissions");
        } else {
            try {
                if (Files.size(file) == 0) {
                    problem(key, "file " + shownFile + " is empty");
                }
            } catch (IOException e) {
                problem(key, "file " + shownFile + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return hasProblem(key) ? Optional.empty() : p;
    }

    /** A file that will be written: it may be missing, but its directory must exist and it must not be a directory. */
    public Optional<Path> writableFile(String key, Path fallback) {
        Optional<Path> p = pathValue(key, "file");
        if (p.isEmpty() && hasProblem(key)) {
            return Optional.empty();
        }
        Path file = p.orElse(fallback);
        if (file == null) {
            return Optional.empty();
        }
        Path parent = file.toAbsolutePath().getParent();
        String shownFile = shown(key, file.toString());
        if (Files.isDirectory(file)) {
            problem(key, shownFile + " is a directory; name a file in it"
                    + (isHidden(key) ? "" : ", e.g. \"" + file.resolve("teamsconnect.json") + "\""));
        } else if (parent != null && !Files.isDirectory(parent)) {
            problem(key, "the directory of " + shownFile + " does not exist; create it first");
        }
        return Optional.of(file);
    }

    private Optional<Path> pathValue(String key, String what) {
        Optional<String> s = text(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(s.get()));
        } catch (InvalidPathException e) {
            problem(key, "must be a " + what + " path, but was " + shown(key, s.get()));
            return Optional.empty();
        }
    }

    private static String relativeHint(Path file) {
        return file.isAbsolute() ? "" : " (relative paths are resolved against the working directory "
                + Path.of("").toAbsolutePath() + ")";
    }

    /** A list of single values; one single value is taken as a list of one. Bad items are reported and given as null. */
    public List<String> textList(String key) {
        ask(key);
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof Map) {
            problem(key, "must be a list like [A, B], but was a map");
            return List.of();
        }
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item == null || item instanceof Map || item instanceof List) {
                problemAt(index(path(key), i), "must be a single value, but was " + (item == null ? "empty" : describe(key, item)));
                out.add(null);
            } else {
                out.add(item.toString().strip());
            }
        }
        return out;
    }

    /** A map of single values (e.g. {@code users.overrides}); its keys are data, not config keys. */
    public Map<String, String> textMap(String key) {
        ask(key);
        Object v = values.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            problem(key, "must be a map (key: value on indented lines, or {} for none), but was " + describe(key, v));
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = e.getKey().toString();
            Object item = e.getValue();
            String itemPath = child(path(key), k);
            if (item == null || item.toString().isBlank()) {
                problemAt(itemPath, "must have a value, but is empty");
            } else if (item instanceof Map || item instanceof List) {
                problemAt(itemPath, "must be a single value, but was " + (item instanceof Map ? "a map" : "a list"));
            } else {
                out.put(k, item.toString().strip());
            }
        }
        return out;
    }

    /**
     * How a value of {@code key} is shown in a message: quoted, or {@code (hidden)} for secret keys and for values
     * that came from {@code ${NAME}}.
     */
    public String shown(String key, String value) {
        return isHidden(key) ? "(hidden)" : "\"" + value + "\"";
    }

    /** Whether values of {@code key} in this section must not be shown (secret key name or substituted value). */
    public boolean isHidden(String key) {
        String p = path(key);
        if (isSecretKey(key)) {
            return true;
        }
        for (String s : shared.substituted) {
            if (s.equals(p) || s.startsWith(p + "[") || s.startsWith(p + ".")) {
                return true;
            }
        }
        return false;
    }

    private String describe(String key, Object v) {
        if (v instanceof Map) {
            return "a map";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "the value " + shown(key, v.toString());
    }

    /** Whether a key holds a secret by its name: contains password, secret or token (tokenCache is a file name). */
    public static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("token") && !k.equals("tokencache");
    }

    private int lineOf(String keyPath) {
        // a missing key has no line; fall back to its section's line
        String p = keyPath;
        while (!p.isEmpty()) {
            Integer line = shared.lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return 0;
    }

    /** "Did you mean": the closest candidate by edit distance, if close enough (about one typo per three characters). */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        String in = input.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(in, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        int limit = Math.max(2, input.length() / 3);
        return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance, with an adjacent swap counted as one edit (Damerau, restricted). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    // ---------------------------------------------------------------------------------------------------------
    // asked keys

    private void ask(String key) {
        if (ASKED.size() < ASKED_LIMIT) {
            ASKED.add(INDEX.matcher(path(key)).replaceAll("[]"));
        }
    }

    /**
     * Every key path any getter was asked for in this JVM (list indexes folded: {@code webhook.users[].id}), for
     * tests that check that every key the code reads is documented.
     */
    public static Set<String> askedKeyPaths() {
        return Set.copyOf(ASKED);
    }

    // ---------------------------------------------------------------------------------------------------------
    // strict getters: throw at the first problem

    public Optional<String> optionalString(String key) {
        ask(key);
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
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigException(path(key), "must be true or false, but was " + shown(key, v.get()));
        };
    }

    /** Accepts {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, combinations like {@code 1m30s}, and ISO-8601 ({@code PT5S}). */
    public Duration duration(String key, Duration defaultValue) {
        Optional<String> v = optionalString(key);
        if (v.isEmpty()) {
            return defaultValue;
        }
        return tryParseDuration(v.get()).orElseThrow(() -> new ConfigException(path(key),
                "must be a duration like 500ms, 5s, 2m, but was " + shown(key, v.get())));
    }

    /** Parses a duration (see {@link #duration}); the message names {@code keyPath} and quotes the text. */
    public static Duration parseDuration(String keyPath, String text) {
        return tryParseDuration(text).orElseThrow(() -> new ConfigException(keyPath,
                "must be a duration like 500ms, 5s, 2m, but was \"" + text + "\""));
    }

    private static Optional<Duration> tryParseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            try {
                Duration d = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
                return d.isNegative() ? Optional.empty() : Optional.of(d);
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }
        Matcher m = DURATION.matcher(s);
        Duration total = Duration.ZERO;
        int end = 0;
        boolean any = false;
        try {
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
        } catch (ArithmeticException | NumberFormatException e) {
            return Optional.empty();
        }
        return !any || end != s.length() ? Optional.empty() : Optional.of(total);
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

    /** A nested section; empty when absent. Throws when the value is not a map. */
    @SuppressWarnings("unchecked")
    public ProviderConfig section(String key) {
        ask(key);
        Object v = values.get(key);
        if (v == null) {
            return new ProviderConfig(path(key), Map.of(), shared);
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(path(key), "must be a map of keys, but was " + shown(key, String.valueOf(v)));
        }
        return new ProviderConfig(path(key), (Map<String, Object>) v, shared);
    }

    /** A list of strings; a single value is taken as a list of one. */
    public List<String> strings(String key) {
        ask(key);
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

    @Override
    public String toString() {
        return "ProviderConfig[" + prefix + ", keys=" + values.keySet() + "]";
    }
}
