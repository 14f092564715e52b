package dev.teamsconnect.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MqttTopicsTest {

    @Test
    void aSafeUserIdIsItsOwnKey() {
        assertThat(MqttTopics.userKey("0001")).isEqualTo("0001");
        assertThat(MqttTopics.userKey("anna_m-2")).isEqualTo("anna_m-2");
    }

    @Test
    void anUnsafeUserIdGetsItsSafeCharactersAndAHash() {
        String key = MqttTopics.userKey("anna@example.com");
        assertThat(key).matches("anna_example_com-[0-9a-f]{8}");
        assertThat(MqttTopics.userKey("a/b")).isNotEqualTo(MqttTopics.userKey("a+b")).doesNotContain("/").doesNotContain("+");
        assertThat(MqttTopics.userKey("#")).matches("_-[0-9a-f]{8}");
        assertThat(MqttTopics.userKey("x".repeat(100))).hasSize(48 + 9);
        assertThat(MqttTopics.userKey("anna@example.com")).isEqualTo(key);
    }

    @Test
    void theTopicLayout() {
        MqttTopics t = new MqttTopics("office/teams", "homeassistant");
        assertThat(t.availability()).isEqualTo("office/teams/availability");
        assertThat(t.state("0001")).isEqualTo("office/teams/0001/state");
        assertThat(t.discoveryConfig("sensor", "0001", "presence")).isEqualTo("homeassistant/sensor/office_teams/0001_presence/config");
        assertThat(t.discoveryConfig("binary_sensor", "0001", "busy")).isEqualTo("homeassistant/binary_sensor/office_teams/0001_busy/config");
    }
}
