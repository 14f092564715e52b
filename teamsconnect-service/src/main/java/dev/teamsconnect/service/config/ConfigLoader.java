package dev.teamsconnect.service.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Loads and validates a TeamsConnect YAML config file: parse, replace {@code ${NAME}} from the environment, check
 * every key, build a {@link ServiceConfig}. Stateless and thread-safe; does file I/O (the config file, and
 * existence checks of the certificate files and state/token directories) but no network I/O.
 *
 * <p>Every problem found is reported together in one {@link InvalidConfigException}, each naming its key path
 * and bad value (secret values are never shown).
 */
public final class ConfigLoader {

    private final Map<String, String> environment;

    /**
     * @param environment where {@code ${NAME}} is looked up; pass {@link System#getenv()} in production and a map
     *                    in tests
     */
    public ConfigLoader(Map<String, String> environment) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    }

    /**
     * Loads the file.
     *
     * @throws InvalidConfigException when the file is missing, unreadable, not YAML, or has any invalid key
     */
    public ServiceConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file.toString(), List.of(new ConfigProblem("", "config file does not exist"
                    + (file.isAbsolute() ? "" : " (looked in " + Path.of("").toAbsolutePath() + ")"), 0)));
        } catch (CharacterCodingException e) {
            throw new InvalidConfigException(file.toString(), List.of(new ConfigProblem("", "is not UTF-8 text", 0)));
        } catch (IOException e) {
            throw new InvalidConfigException(file.toString(), List.of(new ConfigProblem("",
                    "cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage(), 0)));
        }
        return parse(text, file.toString(), readableByOthers(file));
    }

    /** The file's group/other read permissions as "mode 644", or empty when private or not a POSIX file system. */
    private static java.util.Optional<String> readableByOthers(Path file) {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)
                    || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
                return java.util.Optional.of(java.nio.file.attribute.PosixFilePermissions.toString(perms));
            }
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system (Windows): no permission check
        }
        return java.util.Optional.empty();
    }

    /**
     * Validates YAML text.
     *
     * @param source the name used in messages, e.g. the file name
     * @throws InvalidConfigException when anything is invalid
     */
    public ServiceConfig parse(String yaml, String source) {
        return parse(yaml, source, java.util.Optional.empty());
    }

    private ServiceConfig parse(String yaml, String source, java.util.Optional<String> readableByOthers) {
        List<ConfigProblem> syntax = new ArrayList<>();
        YamlTree tree = YamlTree.parse(yaml, syntax);
        if (tree == null || !syntax.isEmpty()) {
            throw new InvalidConfigException(source, syntax);
        }
        Problems problems = new Problems(tree.lines);
        readableByOthers.ifPresent(perms -> LiteralSecrets.paths(tree.root).forEach(path -> problems.warn(path,
                "is written in plain text in a file that other users can read (" + perms + "); use ${NAME} from the"
                        + " environment, or chmod 600 the file")));
        List<ConfigProblem> substitution = new ArrayList<>();
        Map<String, Object> substituted = new EnvironmentSubstitution(environment).apply(tree.root, tree.lines, substitution);
        problems.addAll(substitution);
        ServiceConfig config = new ServiceConfigValidator(problems).validate(substituted);
        if (config == null || !problems.list().isEmpty()) {
            // in file order, so the list reads top to bottom; problems without a line go last
            List<ConfigProblem> sorted = new ArrayList<>(problems.list());
            sorted.sort(java.util.Comparator.comparingInt(p -> p.line() <= 0 ? Integer.MAX_VALUE : p.line()));
            throw new InvalidConfigException(source, sorted);
        }
        return config;
    }
}
