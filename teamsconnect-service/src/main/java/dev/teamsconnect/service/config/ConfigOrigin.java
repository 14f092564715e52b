package dev.teamsconnect.service.config;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a loaded config came from: the file name, the line of every key path, and which key paths got their value
 * from {@code ${NAME}} (with those values, so that they can be scrubbed out of any message). Used to give plugin
 * sections their lines and hidden values, and to turn a plugin's {@link ConfigException} into the service's
 * {@link InvalidConfigException}. {@link #toString()} shows the file name only.
 */
public final class ConfigOrigin {

    private static final String HIDDEN = "(hidden)";

    private final String source;
    private final Map<String, Integer> lines;
    private final Set<String> substitutedPaths;
    private final List<String> substitutedValues;

    ConfigOrigin(String source, Map<String, Integer> lines, Set<String> substitutedPaths, Set<String> substitutedValues) {
        this.source = source;
        this.lines = Map.copyOf(lines);
        this.substitutedPaths = Set.copyOf(substitutedPaths);
        List<String> values = new ArrayList<>();
        for (String v : substitutedValues) {
            // very short values (e.g. "1") would scrub half of every message; they are hidden by key path instead
            if (v != null && v.strip().length() >= 3) {
                values.add(v.strip());
            }
        }
        // longest first, so a value that contains another is replaced whole
        values.sort(Comparator.comparingInt(String::length).reversed());
        this.substitutedValues = List.copyOf(values);
    }

    /** A config that was not read from a file (tests, embedding hosts). */
    public static ConfigOrigin unknown(String source) {
        return new ConfigOrigin(source, Map.of(), Set.of(), Set.of());
    }

    /** Where the config came from, e.g. the file name. */
    public String source() {
        return source;
    }

    /** A plugin's section with lines and hidden substituted values. */
    public ProviderConfig section(String name, Map<String, ?> values) {
        return ProviderConfig.of(name, values, lines, substitutedPaths);
    }

    /** Whether the file sets {@code keyPath} itself (not only a default). */
    public boolean isSet(String keyPath) {
        return lines.containsKey(keyPath);
    }

    /** The line of a key path (or of its nearest present parent), 0 when unknown. */
    public int lineOf(String keyPath) {
        String p = keyPath;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
        return 0;
    }

    /** {@code text} with every substituted value replaced by {@code (hidden)}: the last line against leaks. */
    public String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String v : substitutedValues) {
            out = out.replace(v, HIDDEN);
        }
        return out;
    }

    List<String> scrub(List<String> texts) {
        return texts.stream().map(this::scrub).toList();
    }

    /**
     * The problems of a plugin (or of a cross-check) as the service reports its own: with lines, sorted by line,
     * scrubbed of substituted values.
     */
    public InvalidConfigException invalid(List<ConfigProblem> problems) {
        List<ConfigProblem> out = new ArrayList<>();
        for (ConfigProblem p : problems) {
            out.add(new ConfigProblem(p.keyPath(), scrub(p.message()), p.line() > 0 ? p.line() : lineOf(p.keyPath())));
        }
        out.sort(Comparator.comparingInt(p -> p.line() <= 0 ? Integer.MAX_VALUE : p.line()));
        return new InvalidConfigException(source, out);
    }

    /** {@link #invalid(List)} of a {@link ConfigException}'s problems. */
    public InvalidConfigException invalid(ConfigException e) {
        return e instanceof InvalidConfigException ice && ice.source().equals(source) ? ice : invalid(e.problems());
    }

    @Override
    public String toString() {
        return "ConfigOrigin[" + source + "]";
    }
}
