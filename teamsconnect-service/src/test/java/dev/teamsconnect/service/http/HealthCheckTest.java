package dev.teamsconnect.service.http;

import static org.assertj.core.api.Assertions.assertThat;

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
}
