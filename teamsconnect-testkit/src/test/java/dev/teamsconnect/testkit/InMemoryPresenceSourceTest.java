package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryPresenceSourceTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryPresenceSource teams = InMemoryPresenceSource.create(clock)
            .addUser("t1", "alice@example.com", "Alice")
            .addUser("t2", "bob@example.com", "Bob");

    @Test
    void reportsPresenceWithClockTimeAndGrowingSequenceNumbers() {
        teams.setPresence("t1", Availability.BUSY, Activity.IN_A_CALL);
        clock.advance(Duration.ofSeconds(5));
        TeamsPresence first = teams.readPresence(List.of("t1")).values().get("t1");
        assertThat(first.availability()).isEqualTo(Availability.BUSY);
        assertThat(first.activity()).isEqualTo(Activity.IN_A_CALL);
        assertThat(first.observedAt()).isEqualTo(T0.plusSeconds(5));

        teams.setPresence("t1", Availability.AVAILABLE, Activity.AVAILABLE);
        TeamsPresence second = teams.readPresence(List.of("t1")).values().get("t1");
        assertThat(first.isOlderThan(second)).isTrue();
        assertThat(second.isOlderThan(first)).isFalse();
    }

    @Test
    void keepsRawWireValuesIncludingUnknownOnes() {
        teams.setPresence("t2", "busy", "FocusTime", "heads down", true);
        TeamsPresence p = teams.readPresence(List.of("t2")).values().get("t2");
        assertThat(p.availability()).isEqualTo(Availability.BUSY);
        assertThat(p.activity()).isEqualTo(Activity.UNKNOWN);
        assertThat(p.rawActivity()).isEqualTo("FocusTime");
        assertThat(p.statusMessage()).isEqualTo("heads down");
        assertThat(p.outOfOffice()).isTrue();
    }

    @Test
    void userWithoutPresenceIsPresenceUnknownAndUnknownIdIsAPerUserFailure() {
        var result = teams.readPresence(List.of("t1", "ghost"));
        assertThat(result.values().get("t1").availability()).isEqualTo(Availability.PRESENCE_UNKNOWN);
        assertThat(result.failures().get("ghost")).isInstanceOf(UnknownUserException.class);
    }

    @Test
    void failsTheNextReadsThenRecovers() {
        teams.failNextReads(2, InMemoryPresenceSource.retryable("Graph 503"))
                .failNextReads(1, InMemoryPresenceSource.terminal("consent revoked"));
        assertThatThrownBy(() -> teams.readPresence(List.of("t1"))).isInstanceOf(RetryableException.class);
        assertThatThrownBy(() -> teams.readPresence(List.of("t1"))).isInstanceOf(RetryableException.class);
        assertThatThrownBy(() -> teams.readPresence(List.of("t1"))).isInstanceOf(TerminalException.class)
                .hasMessage("consent revoked");
        assertThat(teams.readPresence(List.of("t1")).values()).containsOnlyKeys("t1");
        assertThat(teams.readCount()).isEqualTo(4);
    }

    @Test
    void failsListUsersAndSingleUsers() {
        teams.failNextListUsers(1, InMemoryPresenceSource.retryable("429")).failUser("t2", InMemoryPresenceSource.retryable("slow"));
        assertThatThrownBy(teams::listUsers).hasMessage("429");
        assertThat(teams.listUsers()).hasSize(2);
        assertThat(teams.listUsersCount()).isEqualTo(2);
        var r = teams.readPresence(List.of("t1", "t2"));
        assertThat(r.failures()).containsOnlyKeys("t2");
        teams.clearUserFailure("t2");
        assertThat(teams.readPresence(List.of("t2")).failures()).isEmpty();
    }

    @Test
    void recordsTheIdsAskedFor() {
        teams.readPresence(List.of("t1", "t2"));
        teams.readPresence(List.of("t2"));
        assertThat(teams.requestedIds()).containsExactly(List.of("t1", "t2"), List.of("t2"));
        teams.resetCounters();
        assertThat(teams.requestedIds()).isEmpty();
        assertThat(teams.readCount()).isZero();
    }

    @Test
    void pushesHintsToSubscribers() {
        List<Set<String>> hints = new ArrayList<>();
        teams.subscribe(hints::add);
        teams.pushChanged("t1", "t2");
        assertThat(hints).containsExactly(Set.of("t1", "t2"));
        assertThat(teams.subscriberCount()).isEqualTo(1);
    }

    @Test
    void removedUserBecomesUnknown() {
        teams.removeUser("t1");
        assertThat(teams.readPresence(List.of("t1")).failures()).containsOnlyKeys("t1");
        assertThatThrownBy(() -> teams.setPresence("t1", Availability.AWAY, Activity.AWAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t1");
    }

    @Test
    void closedSourceRefusesReads() {
        teams.close();
        teams.close();
        assertThatThrownBy(() -> teams.readPresence(List.of("t1"))).isInstanceOf(TerminalException.class);
        assertThat(teams.asProvider().create(null)).isSameAs(teams);
    }

    @Test
    void concurrentScriptingAndReadingLosesNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean writer = t % 2 == 0;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        if (writer) {
                            teams.setPresence("t1", i % 2 == 0 ? Availability.BUSY : Availability.AVAILABLE,
                                    i % 2 == 0 ? Activity.IN_A_CALL : Activity.AVAILABLE);
                        } else {
                            assertThat(teams.readPresence(List.of("t1", "t2")).values()).hasSize(2);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(teams.readCount()).isEqualTo(1000);
        assertThat(teams.requestedIds()).hasSize(1000);
        // 1000 presence changes: the sequence number counts every one.
        assertThat(teams.currentPresence("t1").sequenceNumber()).isEqualTo(String.format("%020d", 1000));
    }
}
