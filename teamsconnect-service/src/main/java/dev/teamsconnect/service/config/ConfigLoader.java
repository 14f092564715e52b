package dev.teamsconnect.service.config;

import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.spi.ProviderConfig;
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
import java.util.function.Function;

/**
 * Loads and validates a TeamsConnect YAML config file: parse, replace {@code ${NAME}} from the environment, check
 * every key of the service's own sections (source, sink, users, mapping, state, server), build a
 * {@link ServiceConfig}. The plugin sections are checked by their plugins when they are created
 * ({@link dev.teamsconnect.service.runtime.EngineWiring#validate()}, which {@code check --config-only} and
 * {@code run} both go through). Stateless and thread-safe; does file I/O (the config file, the state directory)
 * but no network I/O.
 *
 * <p>Every problem found is reported together in one {@link InvalidConfigException}, each naming its key path
 * and bad value (secret values are never shown).
 */
public final class ConfigLoader {

    private final Map<String, String> environment;
    private final Function<ServiceConfig, List<ConfigProblem>> pluginCheck;

    /**
     * @param environment where {@code ${NAME}} is looked up; pass {@link System#getenv()} in production and a map
     *                    in tests
     */
    public ConfigLoader(Map<String, String> environment) {
        this(environment, c -> List.of());
    }

    /**
     * A loader that, when the service's own sections have problems, also reports the problems of the plugin
     * sections in the same exception ({@code check --config-only}: every problem of the file at once).
     *
     * @param pluginCheck the problems the plugins find in their sections of a config (whose wrong service values
     *                    are replaced by their defaults); must not do network I/O
     */
    public ConfigLoader(Map<String, String> environment, Function<ServiceConfig, List<ConfigProblem>> pluginCheck) {
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
        this.pluginCheck = Objects.requireNonNull(pluginCheck, "pluginCheck");
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
        List<ConfigProblem> substitution = new ArrayList<>();
        EnvironmentSubstitution env = new EnvironmentSubstitution(environment);
        Map<String, Object> substituted = env.apply(tree.root, tree.lines, substitution);
        ConfigOrigin origin = new ConfigOrigin(source, tree.lines, env.substitutedPaths(), env.substitutedValues());
        ProviderConfig root = origin.section("", substituted);
        readableByOthers.ifPresent(perms -> LiteralSecrets.paths(tree.root).forEach(path -> root.warn(path,
                "is written in plain text in a file that other users can read (" + perms + "); use ${NAME} from the"
                        + " environment, or chmod 600 the file")));
        substitution.forEach(p -> root.problemAt(p.keyPath(), p.message()));
        ServiceConfig config = new ServiceConfigValidator(root).validate(origin);
        if (!root.problems().isEmpty()) {
            List<ConfigProblem> all = new ArrayList<>(root.problems());
            java.util.Set<String> reported = new java.util.HashSet<>();
            all.forEach(p -> reported.add(p.keyPath()));
            for (ConfigProblem p : pluginCheck.apply(config)) {
                // a value the service already reported (e.g. an unset ${VAR}) gets no second message
                if (reported.add(p.keyPath())) {
                    all.add(p);
                }
            }
            // in file order, so the list reads top to bottom; problems without a line go last
            throw origin.invalid(all);
        }
        return config;
    }
}
