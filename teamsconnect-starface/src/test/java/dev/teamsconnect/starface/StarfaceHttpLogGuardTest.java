package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StarfaceHttpLogGuardTest {

    @Test
    void keepsOnlyLevelsThatPrintNoHeadersOrBodies() {
        assertThat(StarfaceHttpLogGuard.safeLevels("all")).isEqualTo("errors,requests");
        assertThat(StarfaceHttpLogGuard.safeLevels("headers")).isEqualTo("errors");
        assertThat(StarfaceHttpLogGuard.safeLevels("errors, requests ,headers,content")).isEqualTo("errors,requests");
        assertThat(StarfaceHttpLogGuard.safeLevels("frames:all,trace,ssl")).isEqualTo("errors");
        assertThat(StarfaceHttpLogGuard.safeLevels("requests")).isEqualTo("requests");
        assertThat(StarfaceHttpLogGuard.safeLevels("ALL")).isEqualTo("errors,requests");
    }
}
