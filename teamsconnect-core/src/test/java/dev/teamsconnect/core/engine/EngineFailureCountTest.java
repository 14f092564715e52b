package dev.teamsconnect.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.decorate.ForwardingPresenceSource;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EngineFailureCountTest {

    @Test
    void aFailureOfTheEngineItselfCountsOnceInTheCycleReportAndOnceByKind() {
        EngineFixture f = new EngineFixture().user("1", false);
        // a source that hands the engine a null user: nothing in the plugin layer catches that, the engine trips on it
        PresenceSource broken = new ForwardingPresenceSource(f.source) {
            @Override
            public List<TeamsUser> listUsers() {
                return Arrays.asList((TeamsUser) null);
            }
        };
        try (SyncEngine engine = SyncEngine.builder().source(broken).sink(f.sink).store(f.store)
                .classifier(EngineFixture.CLASSIFIER).policy(EngineFixture.POLICY).config(f.config.build()).clock(f.clock)
                .sleeper(d -> { }).random(new Random(1)).build()) {
            CycleReport report = engine.syncOnce();

            assertThat(report.errors()).singleElement().asString().startsWith("engine: ");
            assertThat(report.failures()).isEqualTo(1);
            assertThat(engine.snapshot().stats().failuresByKind()).containsEntry("engine", 1L);
        }
    }
}
