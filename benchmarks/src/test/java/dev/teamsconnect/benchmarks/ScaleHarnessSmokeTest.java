package dev.teamsconnect.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the whole harness briefly (200 users, 4 s of calls) to prove that it wires the emulators, the real clients
 * and the engine, and that its figures come out of the emulators' records. Asserts counts only, never times:
 * speed is what the harness measures, not what a unit test may assume on a shared machine.
 */
class ScaleHarnessSmokeTest {

    @Test
    void mirrorsEveryCallOnceWithOnePresenceRequestPerCycle() throws Exception {
        ScaleHarness.Options o = new ScaleHarness.Options(List.of(200), Duration.ofSeconds(4), 0.05,
                Duration.ofMillis(500), false, Duration.ofSeconds(2), Duration.ZERO, Duration.ZERO, 8,
                Duration.ofMillis(2), java.util.Map.of(), ScaleHarness.Scenario.CHANGES, 0, 0, 7, null);

        ScaleReport r = ScaleHarness.run(200, o);

        assertThat(r.cycles()).isPositive();
        assertThat(r.requestFloor()).isEqualTo(1);
        assertThat(r.recording().presenceRequestsPerCycle()).containsOnly(1);
        assertThat(r.recording().tooManyRequests()).isZero();
        assertThat(r.expectedWrites()).isPositive();
        assertThat(r.matched()).isEqualTo(r.expectedWrites());
        assertThat(r.missed()).isZero();
        assertThat(r.redundantWrites()).isZero();
        assertThat(r.recording().pbxWrites()).isEqualTo(r.expectedWrites());
        assertThat(r.recording().usersRequestsMeasured()).isZero();
        assertThat(r.pbxRequestsPerChange()).isLessThanOrEqualTo(2.0);
        assertThat(r.recording().maxPbxInFlight()).isPositive();
        assertThat(ScaleReport.markdown("Machine: smoke", List.of(r))).contains("| N = 200, poll 500 ms |");
    }

    @Test
    void withTwoWebhookOutputsTheSyncMirrorsTheSameAndEveryOutputGetsEveryStatus() throws Exception {
        ScaleHarness.Options o = new ScaleHarness.Options(List.of(200), Duration.ofSeconds(4), 0.05,
                Duration.ofMillis(500), false, Duration.ofSeconds(2), Duration.ZERO, Duration.ZERO, 8,
                Duration.ofMillis(2), java.util.Map.of(), ScaleHarness.Scenario.CHANGES, 0, 0, 7, null).withOutputs(2);

        ScaleReport r = ScaleHarness.run(200, o);

        assertThat(r.missed()).isZero();
        assertThat(r.redundantWrites()).isZero();
        assertThat(r.recording().pbxWrites()).isEqualTo(r.expectedWrites());
        assertThat(r.recording().presenceRequestsPerCycle()).containsOnly(1);
        // every mapped user once per output at least, no failure, nothing left
        assertThat(r.recording().mode()).contains("2 webhook outputs").contains(" 0 failed, 0 queued");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([\\d,]+) statuses delivered").matcher(r.recording().mode());
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1).replace(",", ""))).isGreaterThanOrEqualTo(2 * 200);
    }
}
