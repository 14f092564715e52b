package dev.teamsconnect.service.config;

import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} in every scalar value with the variable from the given environment; {@code $${} stands
 * for a literal {@code ${}. Substitution works on parsed values, so a variable's content is always plain text and
 * can never add keys or structure. Keys themselves are not substituted.
 *
 * <p>It remembers which key paths got (part of) their value from a variable, and those values: such values are
 * never shown in a message. One instance per load.
 */
final class EnvironmentSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> environment;
    private final Set<String> substitutedPaths = new LinkedHashSet<>();
    private final Set<String> substitutedValues = new LinkedHashSet<>();

    EnvironmentSubstitution(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    /** The key paths whose values contain a substituted variable (after {@link #apply}). */
    Set<String> substitutedPaths() {
        return substitutedPaths;
    }

    /** The variables' values that were put into the config (after {@link #apply}). */
    Set<String> substitutedValues() {
        return substitutedValues;
    }

    /** A new tree with variables replaced; unset or malformed variables are added to {@code problems}. */
    Map<String, Object> apply(Map<String, Object> root, Map<String, Integer> lines, List<ConfigProblem> problems) {
        return substituteMap(root, "", lines, problems);
    }

    private Map<String, Object> substituteMap(Map<String, Object> map, String path, Map<String, Integer> lines,
                                              List<ConfigProblem> problems) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, substituteValue(v, ProviderConfig.child(path, k), lines, problems)));
        return out;
    }

    @SuppressWarnings("unchecked")
    private Object substituteValue(Object value, String path, Map<String, Integer> lines, List<ConfigProblem> problems) {
        if (value instanceof Map<?, ?> m) {
            return substituteMap((Map<String, Object>) m, path, lines, problems);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(substituteValue(list.get(i), ProviderConfig.index(path, i), lines, problems));
            }
            return out;
        }
        if (value instanceof String s) {
            return substitute(s, path, lines.getOrDefault(path, 0), problems);
        }
        return value;
    }

    String substitute(String text, String path, int line, List<ConfigProblem> problems) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (c == '$' && text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                if (end < 0) {
                    problems.add(new ConfigProblem(path, "has \"${\" without a closing \"}\"; write $${ for a literal ${", line));
                    return text;
                }
                String name = text.substring(i + 2, end);
                if (!NAME.matcher(name).matches()) {
                    problems.add(new ConfigProblem(path, "\"${" + name + "}\" is not a valid environment variable reference;"
                            + " use ${NAME} with letters, digits and _ (write $${ for a literal ${)", line));
                    return text;
                }
                String value = environment.get(name);
                if (value == null) {
                    problems.add(new ConfigProblem(path, "environment variable " + name + " is not set", line));
                    return text;
                }
                out.append(value);
                substitutedPaths.add(path);
                substitutedValues.add(value);
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
