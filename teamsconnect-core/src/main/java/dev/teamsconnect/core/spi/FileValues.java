package dev.teamsconnect.core.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a file named in a config section must be, checked at start-up: a file to read exists, is a regular,
 * readable, non-empty file; a file to write may be missing but its directory must exist. Problems are reported on
 * the section; relative paths get a hint where they resolve.
 */
final class FileValues {

    private FileValues() {
    }

    static Optional<Path> readable(ProviderConfig c, String key) {
        Optional<Path> p = pathValue(c, key);
        if (p.isEmpty()) {
            return p;
        }
        Path file = p.get();
        String shownFile = c.shown(key, file.toString());
        if (!Files.exists(file)) {
            c.problem(key, "file " + shownFile + " does not exist" + relativeHint(file));
        } else if (!Files.isRegularFile(file)) {
            c.problem(key, shownFile + " is not a regular file");
        } else if (!Files.isReadable(file)) {
            c.problem(key, "file " + shownFile + " cannot be read by this user; check its owner and permissions");
        } else {
            try {
                if (Files.size(file) == 0) {
                    c.problem(key, "file " + shownFile + " is empty");
                }
            } catch (IOException e) {
                c.problem(key, "file " + shownFile + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return c.hasProblem(key) ? Optional.empty() : p;
    }

    static Optional<Path> writable(ProviderConfig c, String key, Path fallback) {
        Optional<Path> p = pathValue(c, key);
        if (p.isEmpty() && c.hasProblem(key)) {
            return Optional.empty();
        }
        Path file = p.orElse(fallback);
        if (file == null) {
            return Optional.empty();
        }
        Path parent = file.toAbsolutePath().getParent();
        String shownFile = c.shown(key, file.toString());
        if (Files.isDirectory(file)) {
            c.problem(key, shownFile + " is a directory; name a file in it"
                    + (c.isHidden(key) ? "" : ", e.g. \"" + file.resolve("teamsconnect.json") + "\""));
        } else if (parent != null && !Files.isDirectory(parent)) {
            c.problem(key, "the directory of " + shownFile + " does not exist; create it first");
        }
        return Optional.of(file);
    }

    private static Optional<Path> pathValue(ProviderConfig c, String key) {
        Optional<String> s = c.text(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(s.get()));
        } catch (InvalidPathException e) {
            c.problem(key, "must be a file path, but was " + c.shown(key, s.get()));
            return Optional.empty();
        }
    }

    private static String relativeHint(Path file) {
        return file.isAbsolute() ? "" : " (relative paths are resolved against the working directory "
                + Path.of("").toAbsolutePath() + ")";
    }
}
