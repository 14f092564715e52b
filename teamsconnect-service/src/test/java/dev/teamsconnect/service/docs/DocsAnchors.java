package dev.teamsconnect.service.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/** The repository's docs/ and the anchors GitHub gives the headings of a Markdown file. */
public final class DocsAnchors {

    private DocsAnchors() {
    }

    /** docs/ of the repository (found upwards from the working directory). */
    public static Path docs() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docs/ above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("docs");
    }

    /** The anchors of the headings of {@code file}, as GitHub makes them (code blocks skipped). */
    public static Set<String> anchors(Path file) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        boolean code = false;
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("```")) {
                code = !code;
            } else if (!code && line.startsWith("#")) {
                String title = line.replaceFirst("^#+\\s*", "");
                out.add(title.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return out;
    }
}
