package dev.teamsconnect.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.benchmarks.ScaleReport.DndChange;
import dev.teamsconnect.benchmarks.ScaleReport.Recording;
import dev.teamsconnect.benchmarks.ScaleReport.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleReportTest {

    private static final Instant T = Instant.parse("2026-11-27T08:00:00Z");

    private static Instant at(long millis) {
        return T.plusMillis(millis);
    }

    private static Recording recording(int users, List<Transition> transitions, List<DndChange> changes, int puts,
                                       List<Integer> requestsPerCycle, int tooMany) {
        return new Recording(users, "poll 2s", Duration.ofSeconds(2), Duration.ofSeconds(10), transitions, changes,
                puts, 0, requestsPerCycle, 1, 0, tooMany, List.of(Duration.ofMillis(300)), List.of(Duration.ofSeconds(2)),
                Duration.ofMillis(100), Duration.ofMillis(400), 64L << 20, ScaleHarness.Scenario.CHANGES, 4, 8, 267,
                0, Duration.ofSeconds(60), Duration.ofSeconds(8));
    }

    @Test
    void pairsEveryCallWithItsDndChangeAndMeetsTheAims() {
        List<Transition> ts = List.of(new Transition("u1", at(0), true), new Transition("u1", at(5000), false),
                new Transition("u2", at(1000), true));
        List<DndChange> cs = List.of(new DndChange("u1", at(1500), true), new DndChange("u1", at(7000), false),
                new DndChange("u2", at(2000), true));
        ScaleReport r = ScaleReport.of(recording(1300, ts, cs, 3, List.of(2, 2, 2), 0));

        assertThat(r.expectedWrites()).isEqualTo(3);
        assertThat(r.matched()).isEqualTo(3);
        assertThat(r.missed()).isZero();
        assertThat(r.redundantWrites()).isZero();
        assertThat(r.p50()).isEqualTo(Duration.ofMillis(1500));
        assertThat(r.max()).isEqualTo(Duration.ofMillis(2000));
        assertThat(r.requestFloor()).isEqualTo(2);
        assertThat(r.failedAims()).isEmpty();
    }

    @Test
    void countsAWriteOfAnUnchangedValueAndAChangeNobodyAskedForAsRedundant() {
        List<Transition> ts = List.of(new Transition("u1", at(0), true));
        // u1 mirrored once but written twice (the second PUT changed nothing); u2 was switched without a call
        List<DndChange> cs = List.of(new DndChange("u1", at(800), true), new DndChange("u2", at(900), true));
        ScaleReport r = ScaleReport.of(recording(100, ts, cs, 3, List.of(1), 0));

        assertThat(r.writesWithoutChange()).isEqualTo(1);
        assertThat(r.unexplainedChanges()).isEqualTo(1);
        assertThat(r.redundantWrites()).isEqualTo(2);
        assertThat(r.failedAims()).containsExactly("2 redundant PBX writes");
    }

    @Test
    void reportsChangesThatNeverReachedThePbxAndWrongValues() {
        List<Transition> ts = List.of(new Transition("u1", at(0), true), new Transition("u2", at(0), true));
        List<DndChange> cs = List.of(new DndChange("u2", at(100), false)); // the wrong value
        ScaleReport r = ScaleReport.of(recording(100, ts, cs, 1, List.of(1), 0));

        assertThat(r.missed()).isEqualTo(2);
        assertThat(r.unexplainedChanges()).isEqualTo(1);
        assertThat(r.p99()).isNull();
        assertThat(r.failedAims()).anyMatch(s -> s.contains("never reached the PBX"));
    }

    @Test
    void flagsRequestsAboveTheFloor429sAndASlowP99() {
        List<Transition> ts = new ArrayList<>();
        List<DndChange> cs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ts.add(new Transition("u" + i, at(0), true));
            cs.add(new DndChange("u" + i, at(i < 98 ? 1000 : 3000), true));
        }
        ScaleReport r = ScaleReport.of(recording(651, ts, cs, 100, List.of(2, 3), 4));

        assertThat(r.p50()).isEqualTo(Duration.ofMillis(1000));
        assertThat(r.p99()).isEqualTo(Duration.ofMillis(3000)); // nearest rank: the 99th of 100
        assertThat(r.meanRequestsPerCycle()).isEqualTo(2.5);
        assertThat(r.failedAims()).containsExactly("presence requests per cycle 3 > ceil(N/650) = 2", "4 answers 429",
                "p99 delay 3,000 ms > poll + 250 ms = 2,250 ms");
    }

    @Test
    void rendersOneColumnPerRunWithTheMachineAbove() {
        ScaleReport r = ScaleReport.of(recording(1000, List.of(), List.of(), 0, List.of(2), 0));
        String md = ScaleReport.markdown("Machine: test", List.of(r, r));

        assertThat(md).startsWith("Machine: test\n\n| figure | N = 1,000, poll 2s | N = 1,000, poll 2s | aim |");
        assertThat(md).contains("| ceil(N / 650) | 2 | 2 | max = ceil(N/650) |");
        assertThat(md).contains("| peak heap, whole JVM (incl. emulators) | 64 MiB | 64 MiB |  |");
    }

    @Test
    void parsesTheDocumentedCommandLine() {
        ScaleHarness.Options o = ScaleHarness.Options.parse(new String[] {"--users", "1000,10_000", "--duration", "60s",
                "--change-rate", "0.005", "--poll", "2s", "--at-limit", "--set", "starface.parallelism=8",
                "--pbx-workers", "4", "--pbx-service-time", "40ms", "--burst", "0.2"});

        assertThat(o.users()).containsExactly(1000, 10000);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.poll()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.atLimit()).isTrue();
        assertThat(o.overrides()).containsExactly(java.util.Map.entry("starface.parallelism", "8"));
        assertThat(o.pbxWorkers()).isEqualTo(4);
        assertThat(o.pbxCapacity()).isEqualTo(100.0);
        assertThat(o.scenario()).isEqualTo(ScaleHarness.Scenario.BURST);
        assertThat(o.burst()).isEqualTo(0.2);
    }
}
