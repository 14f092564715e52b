package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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
 *
 * <p>This class is the one entry point; the rules behind it live in package-private parts: {@code KeyPaths},
 * {@code ConfigProblems} (collecting and reporting), {@code SecretMasking}, {@code DidYouMean}, {@code ScalarValues}
 * and {@code DurationText}, {@code CollectionValues}, {@code UrlValues}, {@code FileValues} and {@code StrictValues}.
 */
public final class ProviderConfig {

    private final String prefix;
    private final Map<String, Object> values;
    private final ConfigProblems problems;
    private final SecretMasking masking;
    private final boolean writesNothing;

    /** A section without line numbers and without substituted values (tests, embedding hosts). */
    public ProviderConfig(String prefix, Map<String, ?> values) {
        this(prefix, values, new ConfigProblems(Map.of()), new SecretMasking(Set.of()), false);
    }

    private ProviderConfig(String prefix, Map<String, ?> values, ConfigProblems problems, SecretMasking masking,
                           boolean writesNothing) {
        this.prefix = prefix == null ? "" : prefix;
        this.values = values == null ? Map.of() : new LinkedHashMap<>(values);
        this.problems = problems;
        this.masking = masking;
        this.writesNothing = writesNothing;
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
        return new ProviderConfig(prefix, values, new ConfigProblems(lines), new SecretMasking(substitutedPaths), false);
    }

    public static ProviderConfig empty(String prefix) {
        return new ProviderConfig(prefix, Map.of());
    }

    /** The section at {@code keyPath}, sharing this section's problems and masking. */
    ProviderConfig nested(String keyPath, Map<String, ?> sectionValues) {
        return new ProviderConfig(keyPath, sectionValues, problems, masking, writesNothing);
    }

    /**
     * This section for a host that only checks the plugin ({@code check}): same values, lines and substituted
     * paths, a fresh list of problems and warnings, and {@link #writesNothing()} true.
     */
    public ProviderConfig writingNothing() {
        return new ProviderConfig(prefix, values, problems.fresh(), masking, true);
    }

    /**
     * Whether the host only checks ({@code check}): the plugin may sign in and read, but must write no file (a token
     * cache, ...) and change nothing on its system. False for {@code run}.
     */
    public boolean writesNothing() {
        return writesNothing;
    }

    /** The raw value of {@code key} (null when absent), recorded as asked for. */
    Object raw(String key) {
        KeyPaths.recordAsked(path(key));
        return values.get(key);
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
        return KeyPaths.child(parent, key);
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
        return Collections.unmodifiableMap(values);
    }

    // ---------------------------------------------------------------------------------------------------------
    // collecting validation

    /** Records a problem at {@code key} of this section (the first problem per key path wins). */
    public void problem(String key, String message) {
        problemAt(path(key), message);
    }

    /** Records a problem at a full key path (the first problem per key path wins). */
    public void problemAt(String keyPath, String message) {
        problems.add(keyPath, message);
    }

    /** Records something allowed but probably not meant; the host shows it as a warning. */
    public void warn(String key, String message) {
        problems.warn(path(key) + ": " + message);
    }

    /** Whether a problem is recorded at {@code key} of this section. */
    public boolean hasProblem(String key) {
        return problems.has(path(key));
    }

    /** Every problem recorded so far in this section's validation, in the order found. */
    public List<ConfigProblem> problems() {
        return problems.problems();
    }

    /** Every warning recorded so far, as {@code keyPath: message}. */
    public List<String> warnings() {
        return problems.warnings();
    }

    /** Throws one {@link ConfigException} with every recorded problem (in file order) when there is any. */
    public void requireValid() {
        problems.throwIfAny();
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
            if (!known.contains(key)) {
                String hint = DidYouMean.hint(key, known).or(() -> elsewhere.apply(key))
                        .orElse("; known keys here: " + String.join(", ", known));
                problem(key, "is not a known key" + hint);
            }
        }
    }

    /** A nested section; empty when absent or when it is not a map (reported). Shares this section's problems. */
    public ProviderConfig child(String key) {
        return CollectionValues.section(this, key);
    }

    /** A list of sections ({@code users: [{id: ..}, ..]}); items that are not maps are reported and skipped. */
    public List<ProviderConfig> children(String key) {
        return CollectionValues.sections(this, key);
    }

    /** A single value, stripped; empty when absent or blank. A map or list is reported. */
    public Optional<String> text(String key) {
        Object v = raw(key);
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
        return ScalarValues.choice(this, key, fallback, byCode);
    }

    /** {@code true/yes/on} or {@code false/no/off}. */
    public boolean flag(String key, boolean fallback) {
        return ScalarValues.flag(this, key, fallback);
    }

    /** A whole number within {@code min..max}. */
    public int wholeNumber(String key, int fallback, int min, int max) {
        return ScalarValues.wholeNumber(this, key, fallback, min, max);
    }

    /** A duration like {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1m30s} or ISO-8601; never negative. */
    public Duration interval(String key, Duration fallback, boolean zeroAllowed) {
        return ScalarValues.interval(this, key, fallback, zeroAllowed);
    }

    /**
     * An http(s) base URL with a host, without user info, query or fragment. With {@code httpsOnly}, plain http is
     * reported (tokens or passwords travel on the connection).
     */
    public Optional<URI> url(String key, boolean httpsOnly) {
        return UrlValues.read(this, key, httpsOnly, true);
    }

    /**
     * An http(s) endpoint URL with a host and without user info; path and query are allowed (they often carry a
     * token), so the value is never shown in a message.
     */
    public Optional<URI> endpointUrl(String key) {
        return UrlValues.read(this, key, false, false);
    }

    /** Whether a host name is a loopback name or address ({@code localhost}, {@code 127.x}, {@code ::1}). */
    public static boolean isLoopback(String host) {
        return UrlValues.isLoopback(host);
    }

    /** A file that must exist, be a regular file, readable and not empty now (certificates, key files). */
    public Optional<Path> readableFile(String key) {
        return FileValues.readable(this, key);
    }

    /** A file that will be written: it may be missing, but its directory must exist and it must not be a directory. */
    public Optional<Path> writableFile(String key, Path fallback) {
        return FileValues.writable(this, key, fallback);
    }

    /** A list of single values; one single value is taken as a list of one. Bad items are reported and given as null. */
    public List<String> textList(String key) {
        return CollectionValues.texts(this, key);
    }

    /** A map of single values (e.g. {@code users.overrides}); its keys are data, not config keys. */
    public Map<String, String> textMap(String key) {
        return CollectionValues.textsByKey(this, key);
    }

    /**
     * How a value of {@code key} is shown in a message: quoted, or {@code (hidden)} for secret keys and for values
     * that came from {@code ${NAME}}.
     */
    public String shown(String key, String value) {
        return SecretMasking.shown(isHidden(key), value);
    }

    /** Whether values of {@code key} in this section must not be shown (secret key name or substituted value). */
    public boolean isHidden(String key) {
        return masking.isHidden(key, path(key));
    }

    /** A value of the wrong shape as shown in a message: a map, a list, or the (maybe hidden) value. */
    String describe(String key, Object v) {
        return SecretMasking.describe(isHidden(key), v);
    }

    /** Whether a key holds a secret by its name: contains password, secret or token (tokenCache is a file name). */
    public static boolean isSecretKey(String key) {
        return SecretMasking.isSecretKey(key);
    }

    /** "Did you mean": the closest candidate by edit distance, if close enough (about one typo per three characters). */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        return DidYouMean.closest(input, candidates);
    }

    /**
     * Every key path any getter was asked for in this JVM (list indexes folded: {@code webhook.users[].id}), for
     * tests that check that every key the code reads is documented.
     */
    public static Set<String> askedKeyPaths() {
        return KeyPaths.asked();
    }

    // ---------------------------------------------------------------------------------------------------------
    // strict getters: throw at the first problem (see StrictValues)

    public Optional<String> optionalString(String key) {
        return StrictValues.optionalString(this, key);
    }

    public String string(String key) {
        return optionalString(key).orElseThrow(() -> StrictValues.missing(this, key));
    }

    public String string(String key, String defaultValue) {
        return optionalString(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue) {
        return StrictValues.integer(this, key, defaultValue);
    }

    public boolean bool(String key, boolean defaultValue) {
        return StrictValues.bool(this, key, defaultValue);
    }

    /** Accepts {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, combinations like {@code 1m30s}, and ISO-8601 ({@code PT5S}). */
    public Duration duration(String key, Duration defaultValue) {
        return StrictValues.duration(this, key, defaultValue);
    }

    /** Parses a duration (see {@link #duration}); the message names {@code keyPath} and quotes the text. */
    public static Duration parseDuration(String keyPath, String text) {
        return StrictValues.parseDuration(keyPath, text);
    }

    public Optional<URI> optionalUri(String key) {
        return StrictValues.optionalUri(this, key);
    }

    public URI uri(String key) {
        return optionalUri(key).orElseThrow(() -> StrictValues.missing(this, key));
    }

    public Optional<Path> optionalPath(String key) {
        return optionalString(key).map(Path::of);
    }

    /** A nested section; empty when absent. Throws when the value is not a map. */
    public ProviderConfig section(String key) {
        return StrictValues.section(this, key);
    }

    /** A list of strings; a single value is taken as a list of one. */
    public List<String> strings(String key) {
        return StrictValues.strings(this, key);
    }

    @Override
    public String toString() {
        return "ProviderConfig[" + prefix + ", keys=" + values.keySet() + "]";
    }
}
