package dev.teamsconnect.core.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void equalJitterStaysBetweenHalfAndAllOfTheCappedExponential() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(500));
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delay(1, random)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(backoff.delay(3, random)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(backoff.delay(40, random)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        }
    }

    @Test
    void exponentialGrowsByTheMultiplierUpToTheMax() {
        Duration max = Duration.ofSeconds(1);
        assertThat(Backoff.exponential(Duration.ofMillis(100), 2, max, 1)).isEqualTo(Duration.ofMillis(100));
        assertThat(Backoff.exponential(Duration.ofMillis(100), 2, max, 3)).isEqualTo(Duration.ofMillis(400));
        assertThat(Backoff.exponential(Duration.ofMillis(100), 1.5, max, 2)).isEqualTo(Duration.ofMillis(150));
        assertThat(Backoff.exponential(Duration.ofMillis(100), 2, max, 5)).isEqualTo(max);
        assertThat(Backoff.exponential(Duration.ofMillis(100), 2, max, Integer.MAX_VALUE)).isEqualTo(max);
        assertThat(Backoff.exponential(Duration.ZERO, 2, Duration.ZERO, 3)).isEqualTo(Duration.ZERO);
    }

    @Test
    void jitterSpreadsByTheFractionEitherWayWithinZeroAndMax() {
        Random random = new Random(5);
        boolean below = false;
        boolean above = false;
        for (int i = 0; i < 500; i++) {
            Duration d = Backoff.jitter(Duration.ofMillis(1000), 0.2, Duration.ofSeconds(10), random);
            assertThat(d).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
            below |= d.toMillis() < 1000;
            above |= d.toMillis() > 1000;
            assertThat(Backoff.jitter(Duration.ofMillis(1000), 1, Duration.ofMillis(1100), random))
                    .isBetween(Duration.ZERO, Duration.ofMillis(1100));
        }
        assertThat(below && above).as("spread both ways").isTrue();
    }

    @Test
    void jitterWithoutSpreadDrawsNothingFromTheRandom() {
        Random random = new Random(9);
        assertThat(Backoff.jitter(Duration.ofMillis(300), 0, Duration.ofSeconds(1), random)).isEqualTo(Duration.ofMillis(300));
        assertThat(random.nextLong()).isEqualTo(new Random(9).nextLong());
    }

    @Test
    void theSameSeedGivesTheSameWaits() {
        Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5));
        assertThat(waits(backoff, new Random(42))).isEqualTo(waits(backoff, new Random(42)));
    }

    private static List<Duration> waits(Backoff backoff, Random random) {
        List<Duration> waits = new ArrayList<>();
        for (int retry = 1; retry <= 6; retry++) {
            waits.add(backoff.delay(retry, random));
            waits.add(Backoff.jitter(Backoff.exponential(Duration.ofMillis(200), 2, Duration.ofSeconds(5), retry), 0.3,
                    Duration.ofSeconds(5), random));
        }
        return waits;
    }
}
