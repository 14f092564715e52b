package dev.teamsconnect.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.testkit.ManualClock;
import dev.teamsconnect.service.UnwiredServiceRuntime;
import dev.teamsconnect.service.config.MalformedConfigTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed config of {@link MalformedConfigTest}, through the command line: exit 2, key path on stderr. */
class MalformedConfigExitCodeTest {

    @BeforeAll
    static void files() throws IOException {
        // the cases refer to certificate files that MalformedConfigTest creates in its temp directory
        MalformedConfigTest.dir = Files.createTempDirectory("teamsconnect-malformed");
        MalformedConfigTest.files();
    }

    @org.junit.jupiter.api.AfterAll
    static void cleanUp() throws IOException {
        try (Stream<Path> files = Files.walk(MalformedConfigTest.dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Stream<Arguments> cases() {
        return MalformedConfigTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void exitsWith2AndNamesTheKeyPath(String name, String yaml, String keyPath, String fragment) throws IOException {
        Path file = Files.writeString(MalformedConfigTest.dir.resolve("config.yaml"), yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = TeamsConnectMain.execute(new String[] {"run", "--config", file.toString()}, MalformedConfigTest.ENV,
                new UnwiredServiceRuntime(), new ManualClock(Instant.EPOCH), new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).contains(keyPath + ": ").contains(fragment)
                .doesNotContain(MalformedConfigTest.CLIENT_SECRET).doesNotContain(MalformedConfigTest.PBX_PASSWORD)
                .doesNotContain(MalformedConfigTest.LITERAL_SECRET);
        assertThat(out.toString()).isEmpty();
    }
}
