package dev.teamsconnect.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.spi.AuditEvent;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServiceMetricsTest {

    private final ServiceMetrics metrics = new ServiceMetrics();

    @Test
    void normalisesErrorKindsAndCapsTheirNumber() {
        metrics.error("Graph Unavailable");
        for (int i = 0; i < ServiceMetrics.MAX_ERROR_KINDS + 5; i++) {
            metrics.error("kind" + i);
        }

        String text = metrics.scrape();

        assertThat(text).contains("teamsconnect_errors_total{kind=\"graph_unavailable\"} 1");
        assertThat(text).contains("teamsconnect_errors_total{kind=\"other\"} 12");
        assertThat(text).doesNotContain("kind=\"kind" + (ServiceMetrics.MAX_ERROR_KINDS + 1) + "\"");
    }

    @Test
    void countsDecisionsByKindAndFailedCyclesSeparately() {
        metrics.onEvent(new AuditEvent(Instant.EPOCH, AuditEvent.Kind.HOLD_STARTED, "1", null, null, null, null, "r"));
        metrics.onEvent(new AuditEvent(Instant.EPOCH, AuditEvent.Kind.HOLD_STARTED, "2", null, null, null, null, "r"));
        metrics.cycleFinished(Duration.ofSeconds(1), false, Instant.ofEpochSecond(100));

        String text = metrics.scrape();

        assertThat(text).contains("teamsconnect_decisions_total{kind=\"hold_started\"} 2");
        assertThat(text).contains("teamsconnect_cycle_duration_seconds_count{outcome=\"failure\"} 1");
        assertThat(text).contains("teamsconnect_last_successful_cycle_timestamp_seconds 0");
    }

    @Test
    void exportsTheForeignDndChangesAndWhetherASecondSyncIsSuspectedWithinTheHour() {
        Instant at = Instant.parse("2026-01-01T10:00:00Z");
        assertThat(metrics.scrape()).contains("teamsconnect_second_sync_suspected 0")
                .contains("teamsconnect_foreign_dnd_changes_total 0");

        metrics.secondSync(new dev.teamsconnect.core.engine.EngineSnapshot.SecondSync(4, 3, at, "hint"), at.plusSeconds(60));
        assertThat(metrics.scrape()).contains("teamsconnect_second_sync_suspected 1")
                .contains("teamsconnect_foreign_dnd_changes_total 4");

        metrics.secondSync(new dev.teamsconnect.core.engine.EngineSnapshot.SecondSync(5, 3, at, "hint"), at.plusSeconds(3601));
        assertThat(metrics.scrape()).contains("teamsconnect_second_sync_suspected 0")
                .contains("teamsconnect_foreign_dnd_changes_total 5");
    }

    @Test
    void exportsTheSecondsLeftOfACredentialAtEachScrape() {
        dev.teamsconnect.testkit.ManualClock clock = new dev.teamsconnect.testkit.ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        metrics.credentialExpiry("source", Instant.parse("2026-01-31T00:00:00Z"), clock);

        assertThat(metrics.scrape()).contains("teamsconnect_credential_expiry_seconds{side=\"source\"} 2592000");
        clock.advance(Duration.ofDays(31));
        assertThat(metrics.scrape()).contains("teamsconnect_credential_expiry_seconds{side=\"source\"} -86400");
    }
}
