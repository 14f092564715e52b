package dev.teamsconnect.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanDurationTest {

    @Test
    void writesDurationsForPeople() {
        assertThat(HumanDuration.of(Duration.ofSeconds(30))).isEqualTo("30 s");
        assertThat(HumanDuration.of(Duration.ofMillis(5000))).isEqualTo("5 s");
        assertThat(HumanDuration.of(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(HumanDuration.of(Duration.ofMillis(1500))).isEqualTo("1.5 s");
        assertThat(HumanDuration.of(Duration.ofMinutes(15))).isEqualTo("15 min");
        assertThat(HumanDuration.of(Duration.ofSeconds(90))).isEqualTo("1 min 30 s");
        assertThat(HumanDuration.of(Duration.ofHours(2))).isEqualTo("2 h");
        assertThat(HumanDuration.of(Duration.ZERO)).isEqualTo("0 ms");
    }
}
