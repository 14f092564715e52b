package dev.teamsconnect.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A small run of the user refresh benchmark: it checks every refresh's result itself; here only counts. */
class UserRefreshBenchmarkSmokeTest {

    @Test
    void aFullRefreshTakesOneRequestPer999UsersAndADeltaRefreshOne() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            UserRefreshBenchmark.main(new String[] {"--users", "2500", "--changes", "20", "--rounds", "2"});
        } finally {
            System.setOut(old);
        }
        String table = buf.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("| full listing (baseline) | 3 |").contains("| users delta (shipped default) | 1 |");
    }
}
