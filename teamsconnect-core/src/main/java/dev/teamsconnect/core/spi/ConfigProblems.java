package dev.teamsconnect.core.spi;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The problems and warnings of one validation of a config file, shared by every {@link ProviderConfig} section read
 * from it: each problem gets the file line of its key path, the first problem per key path wins, and
 * {@link #throwIfAny()} reports them all at once in file order. Not thread-safe (one validation, one thread).
 */
final class ConfigProblems {

    private final Map<String, Integer> lines;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private final Set<String> problemPaths = new HashSet<>();
    private final Set<String> warnings = new LinkedHashSet<>();

    /** @param lines the 1-based line of each key path; may be null (no lines known) */
    ConfigProblems(Map<String, Integer> lines) {
        this.lines = lines == null ? Map.of() : Map.copyOf(lines);
    }

    /** The same lines, no problems or warnings yet. */
    ConfigProblems fresh() {
        return new ConfigProblems(lines);
    }

    /** Records a problem at a full key path unless one is recorded there already. */
    void add(String keyPath, String message) {
        if (problemPaths.add(keyPath)) {
            problems.add(new ConfigProblem(keyPath, message, lineOf(keyPath)));
        }
    }

    boolean has(String keyPath) {
        return problemPaths.contains(keyPath);
    }

    /** Records a warning, already formatted as {@code keyPath: message}; the same text is kept once. */
    void warn(String warning) {
        warnings.add(warning);
    }

    List<ConfigProblem> problems() {
        return List.copyOf(problems);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Throws one {@link ConfigException} with every problem, sorted by line (unknown lines last), if there is any. */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            List<ConfigProblem> sorted = new ArrayList<>(problems);
            sorted.sort(Comparator.comparingInt(p -> p.line() <= 0 ? Integer.MAX_VALUE : p.line()));
            throw new ConfigException(sorted);
        }
    }

    private int lineOf(String keyPath) {
        // a missing key has no line; fall back to its section's line
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
}
