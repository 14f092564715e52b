package dev.teamsconnect.service.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects config problems. One problem per key path: the first is kept, so a value that is already reported
 * (e.g. an unset ${VAR}) does not get a second, confusing message.
 */
final class Problems {

    private final List<ConfigProblem> list = new ArrayList<>();
    private final Set<String> paths = new HashSet<>();
    private final Map<String, Integer> lines;
    private final List<String> warnings = new ArrayList<>();

    Problems(Map<String, Integer> lines) {
        this.lines = lines;
    }

    void add(String keyPath, String message) {
        if (paths.add(keyPath)) {
            list.add(new ConfigProblem(keyPath, message, lineOf(keyPath)));
        }
    }

    void addAll(List<ConfigProblem> problems) {
        for (ConfigProblem p : problems) {
            if (paths.add(p.keyPath())) {
                list.add(p);
            }
        }
    }

    boolean has(String keyPath) {
        return paths.contains(keyPath);
    }

    void warn(String keyPath, String message) {
        warnings.add(keyPath + ": " + message);
    }

    List<ConfigProblem> list() {
        return list;
    }

    List<String> warnings() {
        return warnings;
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
