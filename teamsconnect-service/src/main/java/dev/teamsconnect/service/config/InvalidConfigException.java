package dev.teamsconnect.service.config;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import java.util.List;

/**
 * A config file with one or more problems. All problems of the file are collected and reported together (the
 * service's own sections and each plugin's section), so an admin fixes them in one go; {@link #keyPath()} names
 * the first. The message never contains a secret's value.
 */
public final class InvalidConfigException extends ConfigException {

    private final String source;
    private final List<ConfigProblem> problems;

    public InvalidConfigException(String source, List<ConfigProblem> problems) {
        super(problems.isEmpty() ? "" : problems.get(0).keyPath(), "invalid configuration");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("at least one problem expected");
        }
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** Where the config came from, e.g. the file name. */
    public String source() {
        return source;
    }

    @Override
    public List<ConfigProblem> problems() {
        return problems;
    }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        sb.append(source).append(": ").append(problems.size())
                .append(problems.size() == 1 ? " problem" : " problems");
        for (ConfigProblem p : problems) {
            sb.append(System.lineSeparator()).append("  ").append(p.describe());
        }
        return sb.toString();
    }
}
