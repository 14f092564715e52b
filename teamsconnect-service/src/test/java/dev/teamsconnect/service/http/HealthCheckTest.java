package dev.teamsconnect.service.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.service.status.HealthSnapshot;
import dev.teamsconnect.service.status.SideStatus;
import dev.teamsconnect.service.status.SignInState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

    private static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");
    private static final SideStatus GRAPH_OK = new SideStatus("graph", SignInState.SIGNED_IN, null, NOW);
    private static final SideStatus PBX_OK = new SideStatus("starface", SignInState.SIGNED_IN, null, NOW);

    @Test
    void staleLimitIsThreeIntervalsButAtLeastAMinute() {
        assertThat(HealthCheck.staleAfter(Duration.ofSeconds(5))).isEqualTo(Duration.ofMinutes(1));
        assertThat(HealthCheck.staleAfter(Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(6));
    }

    @Test
    void readyExactlyAtTheStaleLimitButNotAfter() {
        Duration limit = Duration.ofMinutes(1);
        HealthSnapshot s = new HealthSnapshot(true, NOW.minus(limit), NOW, GRAPH_OK, PBX_OK);

        assertThat(HealthCheck.evaluate(s, NOW, limit).ready()).isTrue();
        assertThat(HealthCheck.evaluate(s, NOW.plusSeconds(1), limit).ready()).isFalse();
    }

    @Test
    void notReadyWhileTheLoopIsStopped() {
        HealthCheck check = HealthCheck.evaluate(new HealthSnapshot(false, NOW, NOW, GRAPH_OK, PBX_OK), NOW, Duration.ofMinutes(1));

        assertThat(check.live()).isFalse();
        assertThat(check.ready()).isFalse();
        assertThat(check.problems()).containsExactly("the sync loop is not running");
    }

    @Test
    void notReadyWhenTheSourceSignInFailed() {
        SideStatus failed = new SideStatus("graph", SignInState.FAILED, "AADSTS7000215: invalid client secret", NOW);

        HealthCheck check = HealthCheck.evaluate(new HealthSnapshot(true, NOW, NOW, failed, PBX_OK), NOW, Duration.ofMinutes(1));

        assertThat(check.live()).isTrue();
        assertThat(check.ready()).isFalse();
        assertThat(check.problems()).containsExactly("presence source graph: sign-in failed: AADSTS7000215: invalid client secret");
    }

    @Test
    void notLiveWhenTheRunningLoopMadeNoProgressForLongerThanTheStallLimit() {
        Duration stall = Duration.ofMinutes(2);
        // the last cycle ended long ago, but a batch of the current one completed later
        HealthSnapshot s = new HealthSnapshot(true, NOW.minusSeconds(600), NOW.minusSeconds(600), GRAPH_OK, PBX_OK,
                NOW.minusSeconds(3600), NOW.minus(stall));

        assertThat(HealthCheck.evaluate(s, NOW, Duration.ofHours(1), stall).live()).as("at the limit").isTrue();
        HealthCheck stuck = HealthCheck.evaluate(s, NOW.plusSeconds(1), Duration.ofHours(1), stall);

        assertThat(stuck.live()).isFalse();
        assertThat(stuck.ready()).isFalse();
        assertThat(stuck.notLiveBecause()).isEqualTo("the sync loop has made no progress for 121s (limit 120s): it is stuck");
        assertThat(stuck.problems()).containsExactly(stuck.notLiveBecause());
    }

    @Test
    void theStallClockStartsWhenTheLoopStartsAndAFinishedCycleCountsAsProgress() {
        Duration stall = Duration.ofSeconds(30);
        HealthSnapshot startedOnly = new HealthSnapshot(true, null, null, GRAPH_OK, PBX_OK, NOW.minusSeconds(31), null);
        HealthSnapshot cycleSince = new HealthSnapshot(true, NOW.minusSeconds(5), NOW.minusSeconds(5), GRAPH_OK, PBX_OK,
                NOW.minusSeconds(31), null);

        assertThat(HealthCheck.evaluate(startedOnly, NOW, Duration.ofMinutes(1), stall).notLiveBecause())
                .contains("no progress for 31s (limit 30s)");
        assertThat(HealthCheck.evaluate(cycleSince, NOW, Duration.ofMinutes(1), stall).live()).isTrue();
    }

    @Test
    void theDefaultStallLimitIsTwoMinutes() {
        HealthSnapshot s = new HealthSnapshot(true, NOW, NOW, GRAPH_OK, PBX_OK, NOW, NOW);

        assertThat(HealthCheck.DEFAULT_STALL_AFTER).isEqualTo(Duration.ofMinutes(2));
        assertThat(HealthCheck.evaluate(s, NOW.plusSeconds(120), Duration.ofHours(1)).live()).isTrue();
        assertThat(HealthCheck.evaluate(s, NOW.plusSeconds(121), Duration.ofHours(1)).live()).isFalse();
    }

    @Test
    void aStoppedLoopIsNotLiveWhateverItsProgress() {
        HealthCheck check = HealthCheck.evaluate(new HealthSnapshot(false, NOW, NOW, GRAPH_OK, PBX_OK, NOW, NOW), NOW,
                Duration.ofMinutes(1), Duration.ofMinutes(2));

        assertThat(check.notLiveBecause()).isEqualTo("the sync loop is not running");
    }

    @Test
    void limitsMustBePositive() {
        HealthSnapshot s = new HealthSnapshot(true, NOW, NOW, GRAPH_OK, PBX_OK);

        assertThatThrownBy(() -> HealthCheck.evaluate(s, NOW, Duration.ofMinutes(1), Duration.ZERO))
                .hasMessage("stallAfter must be > 0, but was PT0S");
        assertThatThrownBy(() -> HealthCheck.evaluate(s, NOW, Duration.ofSeconds(-1), Duration.ofMinutes(2)))
                .hasMessage("staleAfter must be > 0, but was PT-1S");
    }

    @Test
    void aStandbyIsReadyWithoutSignInOrCyclesWhileItReachesTheDatabase() {
        SideStatus notYet = SideStatus.notYet("graph");
        HealthSnapshot s = new HealthSnapshot(true, null, null, notYet, SideStatus.notYet("starface"), NOW, NOW);
        HealthCheck ok = HealthCheck.evaluateStandby(s, null, NOW.plusSeconds(1), Duration.ofMinutes(2));
        assertThat(ok.live()).isTrue();
        assertThat(ok.ready()).isTrue();
        HealthCheck db = HealthCheck.evaluateStandby(s, "cannot reach the state database", NOW, Duration.ofMinutes(2));
        assertThat(db.ready()).isFalse();
        assertThat(db.problems()).containsExactly("standby: cannot reach the state database");
        HealthCheck stuck = HealthCheck.evaluateStandby(s, null, NOW.plusSeconds(200), Duration.ofMinutes(2));
        assertThat(stuck.live()).isFalse();
    }
}
