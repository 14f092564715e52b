package dev.teamsconnect.core.error;

import java.util.List;

/**
 * Bad configuration. Carries one or more {@link ConfigProblem}s, each naming its key path (and, when known, its
 * line); the message lists them all. Never contains a secret's value.
 */
public class ConfigException extends TerminalException {

    private final String keyPath;
    private final List<ConfigProblem> problems;

    /** One problem at {@code keyPath}; the message is {@code keyPath: message}. */
    public ConfigException(String keyPath, String message) {
        super(keyPath + ": " + message);
        this.keyPath = keyPath;
        this.problems = List.of(new ConfigProblem(keyPath, message, 0));
    }

    /**
     * All problems of a section at once (what a provider throws after validating its whole section).
     *
     * @throws IllegalArgumentException when {@code problems} is empty
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(describe(requireSome(problems)));
        this.problems = List.copyOf(problems);
        this.keyPath = this.problems.get(0).keyPath();
    }

    /** The dotted path of the (first) offending key, e.g. {@code starface.baseUrl}. */
    public String keyPath() {
        return keyPath;
    }

    /** Every problem, in the order found (at least one). */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static List<ConfigProblem> requireSome(List<ConfigProblem> problems) {
        if (problems == null || problems.isEmpty()) {
            throw new IllegalArgumentException("at least one problem expected");
        }
        return problems;
    }

    private static String describe(List<ConfigProblem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).describe();
        }
        StringBuilder sb = new StringBuilder(problems.size() + " problems");
        for (ConfigProblem p : problems) {
            sb.append(System.lineSeparator()).append("  ").append(p.describe());
        }
        return sb.toString();
    }
}
