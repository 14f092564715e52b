package dev.teamsconnect.testkit.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScriptedFaultsTest {

    private final RouteTable<String> routes = new RouteTable<String>()
            .add("GET", "/rest/users/{id}", "one")
            .add("PUT", "/rest/users/{id}/phoneconfig", "write");
    private final ScriptedFaults<String> faults = new ScriptedFaults<>();

    @Test
    void aRequestTakesTheOldestFaultItsKeyNamesCountTimes() {
        faults.add("PUT /rest/users/{id}/phoneconfig", 2, "503", "failNext");
        faults.add("/rest/users/3/phoneconfig", 1, "raw body", "respondNext");

        RouteTable.Match<String> put = routes.match("PUT", "/rest/users/3/phoneconfig");
        assertThat(faults.take(routes.match("GET", "/rest/users/3"))).isEmpty();
        assertThat(faults.take(put)).contains("503");
        assertThat(faults.take(put)).contains("503");
        assertThat(faults.take(put)).contains("raw body");
        assertThat(faults.take(put)).isEmpty();
    }

    @Test
    void clearForgetsWhatIsLeft() {
        faults.add("/rest/users/{id}", 5, "503", "failNext");
        faults.clear();

        assertThat(faults.take(routes.match("GET", "/rest/users/1"))).isEmpty();
    }

    @Test
    void namesTheHookWhenKeyOrCountIsWrong() {
        assertThatThrownBy(() -> faults.add("/rest/users", 0, "503", "dropNext"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dropNext needs count >= 1, but was 0");
        assertThatThrownBy(() -> faults.add("users", 1, "503", "dropNext"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dropNext needs a path");
    }
}
