package dev.teamsconnect.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** state.type, the postgres store's keys (owned by its provider) and the ha section. */
class StateAndHaConfigTest {

    private static final String DB_PASSWORD = "db-Passw0rd-4711";
    private static final Map<String, String> ENV = Map.of("TEAMS_CLIENT_SECRET", "client-secret-4711",
            "STARFACE_PASSWORD", "pbx-password-0815", "TEAMSCONNECT_DB_PASSWORD", DB_PASSWORD);

    private static final String MINIMAL = """
            teams:
              tenantId: contoso.onmicrosoft.com
              clientId: app-1
              auth:
                clientSecret: ${TEAMS_CLIENT_SECRET}
            starface:
              baseUrl: https://pbx.example.com
              loginId: "0001"
              password: ${STARFACE_PASSWORD}
            """;

    private final ConfigLoader loader = new ConfigLoader(ENV);

    private ServiceConfig parse(String extra) {
        return loader.parse(MINIMAL + extra, "t.yaml");
    }

    @Test
    void theDefaultsAreOneInstanceOnTheStateFile() {
        ServiceConfig c = parse("");
        assertThat(c.state().isFile()).isTrue();
        assertThat(c.ha().enabled()).isFalse();
        assertThat(c.ha().takeoverAfter()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void activePassiveOnPostgresIsAcceptedAndThePasswordStaysOutOfToString() {
        ServiceConfig c = parse("""
                state:
                  type: postgres
                  url: jdbc:postgresql://db.example.com:5432/teamsconnect
                  user: teamsconnect
                  password: ${TEAMSCONNECT_DB_PASSWORD}
                ha:
                  mode: active-passive
                  takeoverAfter: 30s
                """);
        assertThat(c.state().type()).isEqualTo("postgres");
        assertThat(c.ha().enabled()).isTrue();
        assertThat(c.ha().takeoverAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.toString()).doesNotContain(DB_PASSWORD);
        // the provider checks its keys; the service passes them on
        assertThat(new EngineWiring(c, PluginLookup.discover()).validate()).isEmpty();
    }

    @Test
    void thePostgresKeysAreCheckedByTheProviderOnceWithTheirLines() {
        ServiceConfig c = parse("""
                state:
                  type: postgres
                  url: http://db.example.com/x
                  usr: teamsconnect
                """);
        assertThatThrownBy(() -> new EngineWiring(c, PluginLookup.discover()).validate())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("state.url").hasMessageContaining("state.user")
                .hasMessageContaining("state.usr");
    }

    @Test
    void activePassiveNeedsTheDatabaseAndAShortTakeoverIsRefused() {
        assertThatThrownBy(() -> parse("""
                ha:
                  mode: active-passive
                  takeoverAfter: 2s
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ha.mode").hasMessageContaining("state.type")
                .hasMessageContaining("ha.takeoverAfter").hasMessageContaining("at least 5s");
    }

    @Test
    void anUnknownModeOrAFileKeyOnAnotherStoreIsNamed() {
        assertThatThrownBy(() -> parse("""
                ha:
                  mode: active-active
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("ha.mode");
        ServiceConfig c = parse("""
                state:
                  type: postgres
                  url: jdbc:postgresql://db/x
                  user: u
                  file: /tmp/x.json
                """);
        assertThatThrownBy(() -> new EngineWiring(c, PluginLookup.discover()).validate())
                .isInstanceOf(ConfigException.class).hasMessageContaining("state.file");
    }
}
