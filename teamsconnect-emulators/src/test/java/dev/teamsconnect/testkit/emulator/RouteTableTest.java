package dev.teamsconnect.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteTableTest {

    private final RouteTable<String> routes = new RouteTable<String>()
            .add("GET", "/rest/users", "list")
            .add("GET", "/rest/users/{id}", "one")
            .add("GET", "/rest/users/me", "me")
            .add("GET", "/rest/users/{id}/phoneconfig", "read")
            .add("PUT", "/rest/users/{id}/phoneconfig", "write");

    @Test
    void matchesATemplateAndNamesItsParameters() {
        RouteTable.Match<String> m = routes.match("put", "/rest/users/17/phoneconfig");

        assertThat(m.found()).isTrue();
        assertThat(m.handler()).isEqualTo("write");
        assertThat(m.param("id")).isEqualTo("17");
        assertThat(m.endpoint()).isEqualTo("PUT /rest/users/{id}/phoneconfig");
    }

    @Test
    void aLiteralSegmentBeatsAParameterWhateverTheOrderOfAdding() {
        assertThat(routes.match("GET", "/rest/users/me").handler()).isEqualTo("me");
        assertThat(routes.match("GET", "/rest/users/mel").handler()).isEqualTo("one");
    }

    @Test
    void tellsAWrongMethodFromAnUnknownPath() {
        RouteTable.Match<String> wrongMethod = routes.match("DELETE", "/rest/users/3/phoneconfig");
        RouteTable.Match<String> unknown = routes.match("GET", "/rest/users/3/phones");

        assertThat(wrongMethod.found()).isFalse();
        assertThat(wrongMethod.pathKnown()).isTrue();
        assertThat(wrongMethod.endpoint()).isEqualTo("DELETE /rest/users/{id}/phoneconfig");
        assertThat(unknown.found()).isFalse();
        assertThat(unknown.pathKnown()).isFalse();
        assertThat(unknown.endpoint()).isEqualTo("GET /rest/users/3/phones");
    }

    @Test
    void aParameterMatchesOneNonEmptySegmentOnly() {
        assertThat(routes.match("GET", "/rest/users/").found()).isFalse();
        assertThat(routes.match("GET", "/rest/users/1/2").found()).isFalse();
    }

    @Test
    void aKeyIsAPathOrTemplateForAnyMethodOrAMethodWithEither() {
        RouteTable.Match<String> m = routes.match("PUT", "/rest/users/3/phoneconfig");

        assertThat(m.isNamedBy("/rest/users/3/phoneconfig")).isTrue();
        assertThat(m.isNamedBy("PUT /rest/users/3/phoneconfig")).isTrue();
        assertThat(m.isNamedBy("PUT /rest/users/{id}/phoneconfig")).isTrue();
        assertThat(m.isNamedBy("GET /rest/users/{id}/phoneconfig")).isFalse();
        assertThat(m.isNamedBy("/rest/users/{id}/phoneconfig")).isTrue();
        assertThat(m.isNamedBy("/rest/users/4/phoneconfig")).isFalse();
        assertThat(RouteTable.checkKey(" put  /rest/users ", "failNext")).isEqualTo("PUT /rest/users");
        assertThatThrownBy(() -> RouteTable.checkKey("rest/users", "failNext"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("failNext needs a path");
    }

    @Test
    void refusesAnEndpointTwice() {
        assertThatThrownBy(() -> routes.add("GET", "/rest/users", "again"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GET /rest/users");
    }
}
