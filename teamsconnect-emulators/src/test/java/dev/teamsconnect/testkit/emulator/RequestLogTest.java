package dev.teamsconnect.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestLogTest {

    private final RouteTable<String> routes = new RouteTable<String>().add("GET", "/v1.0/users/{id}/presence", "p");
    private final RequestLog log = new RequestLog();

    @Test
    void countsPerEndpointAndPerPath() {
        log.record(routes.match("GET", "/v1.0/users/a/presence"));
        log.record(routes.match("GET", "/v1.0/users/b/presence"));
        log.record(routes.match("GET", "/v1.0/users/a/presence"));

        assertThat(log.count("GET /v1.0/users/{id}/presence")).isEqualTo(3);
        assertThat(log.countByPath("/v1.0/users/a/presence")).isEqualTo(2);
        assertThat(log.count("POST /v1.0/users/{id}/presence")).isZero();
        assertThat(log.counts()).containsOnlyKeys("GET /v1.0/users/{id}/presence");
    }

    @Test
    void keepsUnhandledRequestsInOrder() {
        log.unhandled("GET", "/nowhere");
        log.unhandled("POST", "/v1.0/users");

        assertThat(log.unhandledRequests()).containsExactly("GET /nowhere", "POST /v1.0/users");
    }
}
