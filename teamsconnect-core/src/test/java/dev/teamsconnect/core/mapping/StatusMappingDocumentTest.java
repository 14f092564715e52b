package dev.teamsconnect.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PresenceCategory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/status-mapping.md is generated from the code. This test fails when the committed file differs from what
 * the code renders; with {@code -Dteamsconnect.updateDocs=true} it rewrites the file instead.
 */
class StatusMappingDocumentTest {

    static final String UPDATE_PROPERTY = "teamsconnect.updateDocs";

    @Test
    void committedStatusMappingDocMatchesTheCode() throws IOException {
        Path doc = projectRoot().resolve("docs").resolve("status-mapping.md");
        String rendered = StatusMappingDocument.defaults().render();
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(doc.getParent());
            Files.writeString(doc, rendered, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(doc)) {
            fail(doc + " is missing. Generate it with:\n  " + regenerateCommand());
        }
        String committed = Files.readString(doc, StandardCharsets.UTF_8).replace("\r\n", "\n");
        if (!committed.equals(rendered)) {
            fail(doc + " differs from the classification in the code (TeamsStatusClassifier /"
                    + " ConfigurableStatusPolicy). Do not edit it by hand; regenerate it with:\n  "
                    + regenerateCommand() + "\nFirst differing line: " + firstDifference(committed, rendered));
        }
    }

    @Test
    void renderedDocumentListsEveryPairAndCategory() {
        String md = StatusMappingDocument.defaults().render();
        for (PresenceCategory c : PresenceCategory.values()) {
            assertThat(md).contains("| `" + c.code() + "` | " + c.displayName("de") + " | " + c.displayName("en"));
        }
        long pairRows = md.lines().filter(l -> l.matches("\\| [^|]+ \\| [^|]+ \\| `[A-Z_]+` \\| `[A-Z_]+` \\| .*")).count();
        assertThat(pairRows).isEqualTo((long) Availability.values().length * Activity.values().length);
        assertThat(md).contains("| Busy | InACall | `IN_A_CALL` | `IN_A_CALL` |")
                .contains("| DoNotDisturb | Presenting | `DO_NOT_DISTURB` |")
                .contains("\"Im Gespräch in MS Teams\"")
                .contains("\"On a call in MS Teams\"")
                .contains("`IN_A_CALL` > `DO_NOT_DISTURB` > `BUSY` > `AWAY` > `OFFLINE` > `AVAILABLE` > `UNKNOWN`");
    }

    @Test
    void renderedDocumentFollowsAChangedPolicy() {
        ConfigurableStatusPolicy onlyCalls = ConfigurableStatusPolicy.builder()
                .dndCategories(PresenceCategory.IN_A_CALL)
                .chatTemplate(PresenceCategory.BUSY, "en", "Heads down")
                .build();
        String md = new StatusMappingDocument(TeamsStatusClassifier.INSTANCE, onlyCalls).render();
        assertThat(md).contains("| `BUSY` | Beschäftigt | Busy | no (user's own) |").contains("\"Heads down\"");
    }

    private static String regenerateCommand() {
        return "mvn -B -ntp -pl teamsconnect-core -am test -Dtest=StatusMappingDocumentTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -D" + UPDATE_PROPERTY + "=true";
    }

    private static String firstDifference(String committed, String rendered) {
        String[] a = committed.split("\n", -1);
        String[] b = rendered.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end of file>";
            String y = i < b.length ? b[i] : "<end of file>";
            if (!x.equals(y)) {
                return (i + 1) + "\n  file: " + x + "\n  code: " + y;
            }
        }
        return "none";
    }

    /** The reactor root: the nearest directory upwards holding both pom.xml and teamsconnect-core. */
    static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("teamsconnect-core"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the project root above " + dir);
    }
}
