package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.retry.RetryAfter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pacer with a driven clock: the sleeper advances time instead of waiting. */
class PresencePacerTest {

    private final MutableClock clock = new MutableClock();
    private final List<Instant> sends = new ArrayList<>();

    private PresencePacer pacer(int limit, Duration window) {
        return new PresencePacer(limit, window, clock, clock::advance);
    }

    private void send(PresencePacer p, Duration latency) throws InterruptedException {
        p.acquire();
        sends.add(clock.instant());
        clock.advance(latency);
        p.completed();
    }

    @Test
    void sendsBackToBackWhileLessThanNineTenthsOfTheBudgetIsUsedThenSpreadsEvenly() throws InterruptedException {
        PresencePacer p = pacer(1500, Duration.ofSeconds(30));
        for (int i = 0; i < 1355; i++) {
            send(p, Duration.ZERO);
        }
        // the first 1,350 (nine tenths of the budget) need no wait; from then on they are window / limit apart
        assertThat(sends.get(1349)).isEqualTo(sends.get(0));
        for (int i = 1351; i < sends.size(); i++) {
            assertThat(Duration.between(sends.get(i - 1), sends.get(i))).isEqualTo(Duration.ofMillis(20));
        }
    }

    @Test
    void neverExceedsTheLimitInAnySlidingWindowMeasuredFromAnswers() throws InterruptedException {
        PresencePacer p = pacer(10, Duration.ofSeconds(1));
        for (int i = 0; i < 50; i++) {
            // the network delay varies; the window is measured from answers so it cannot look early to the server
            send(p, Duration.ofMillis(i % 3 == 0 ? 40 : 1));
        }
        for (int i = 10; i < sends.size(); i++) {
            assertThat(Duration.between(sends.get(i - 10), sends.get(i))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void sendsNothingBeforeARetryAfterEnds() throws InterruptedException {
        PresencePacer p = pacer(1500, Duration.ofSeconds(30));
        send(p, Duration.ZERO);
        Instant until = clock.instant().plus(Duration.ofMillis(1500));
        p.pauseUntil(until);
        send(p, Duration.ZERO);
        assertThat(sends.get(1)).isEqualTo(until);
    }

    @Test
    void aWaitPastTheDeadlineReturnsAtOnceWithoutWaiting() throws InterruptedException {
        PresencePacer p = pacer(1500, Duration.ofSeconds(30));
        Instant start = clock.instant();
        p.pauseUntil(start.plus(Duration.ofSeconds(40)));
        assertThat(p.acquire(start.plus(Duration.ofSeconds(30)))).isFalse();
        assertThat(clock.instant()).isEqualTo(start);
        assertThat(p.acquire(start.plus(Duration.ofSeconds(41)))).isTrue();
        assertThat(clock.instant()).isEqualTo(start.plus(Duration.ofSeconds(40)));
    }

    /** The source reads Retry-After with the core parser: Graph's fractional seconds round up to the next ms. */
    @Test
    void parsesFractionalRetryAfterRoundingUp() {
        assertThat(RetryAfter.parse("1.5", clock)).contains(Duration.ofMillis(1500));
        assertThat(RetryAfter.parse("2.1281", clock)).contains(Duration.ofMillis(2129));
        assertThat(RetryAfter.parse("3", clock)).contains(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse("1000000000", clock)).contains(RetryAfter.MAX);
        assertThat(RetryAfter.parse("-1", clock)).contains(Duration.ZERO);
    }

    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
