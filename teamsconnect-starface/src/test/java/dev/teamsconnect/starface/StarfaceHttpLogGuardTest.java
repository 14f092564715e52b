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

    @Test
    void dropsRequestLinesThatHoldTheXmlRpcLogin() {
        java.util.logging.Filter f = StarfaceHttpLogGuard.safeRecords();
        assertThat(f.isLoggable(record("REQUEST: https://pbx/rest/users GET", null))).isTrue();
        assertThat(f.isLoggable(record("REQUEST: https://pbx/xml-rpc?de.vertico.starface.auth=0001:ab POST", null))).isFalse();
        assertThat(f.isLoggable(record("REQUEST: {0} {1}", new Object[] {"https://pbx/xml-rpc?de.vertico.starface.jwt=ey", "POST"})))
                .isFalse();
        assertThat(f.isLoggable(record("HEADERS: authToken: x", null))).isFalse();
    }

    private static java.util.logging.LogRecord record(String message, Object[] params) {
        java.util.logging.LogRecord r = new java.util.logging.LogRecord(java.util.logging.Level.INFO, message);
        r.setParameters(params);
        return r;
    }
}
