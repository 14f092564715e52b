package dev.teamsconnect.service.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code teamsconnect.jar} (built by the shade plugin in {@code package}) ships: the Graph and STARFACE
 * emulators the built-in {@code demo} runs, and nothing of the test kit's test-framework side (JUnit, AssertJ,
 * opentest4j, the compatibility kits compiled against JUnit).
 */
class TeamsConnectJarContentsIT {

    private static List<String> entries;

    @BeforeAll
    static void readJar() throws IOException {
        try (ZipFile jar = new ZipFile(ServiceProcess.jar().toFile())) {
            entries = jar.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void shipsNoJUnit() {
        assertThat(entries).noneMatch(e -> e.startsWith("org/junit/"));
    }

    @Test
    void shipsNoAssertJ() {
        assertThat(entries).noneMatch(e -> e.startsWith("org/assertj/"));
    }

    @Test
    void shipsNoOpentest4j() {
        assertThat(entries).noneMatch(e -> e.startsWith("org/opentest4j/"));
    }

    @Test
    void shipsNoCompatibilityKit() {
        assertThat(entries).noneMatch(e -> e.startsWith("dev/teamsconnect/testkit/") && e.contains("CompatibilityKit"));
    }

    @Test
    void shipsNoInMemoryFakesOrLogCapture() {
        assertThat(entries).noneMatch(e -> e.startsWith("dev/teamsconnect/testkit/InMemory")
                || e.startsWith("dev/teamsconnect/testkit/logging/"));
    }

    @Test
    void shipsTheEmulatorsTheDemoRuns() {
        assertThat(entries).contains(
                "dev/teamsconnect/testkit/graph/GraphEmulator.class",
                "dev/teamsconnect/testkit/starface/StarfaceEmulator.class",
                "dev/teamsconnect/testkit/tls/SelfSignedCertificate.class",
                "dev/teamsconnect/service/demo/WorkingDayDemo.class");
    }
}
