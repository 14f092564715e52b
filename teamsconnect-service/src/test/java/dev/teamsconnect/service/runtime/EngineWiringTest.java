package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineWiringTest {

    @TempDir
    Path dir;

    private ServiceConfig load(String mapping) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, """
                teams:
                  tenantId: contoso.onmicrosoft.com
                  clientId: "abc"
                  auth:
                    clientSecret: ${S}
                  pollInterval: 3s
                starface:
                  baseUrl: https://pbx.example.com
                  loginId: "0001"
                  password: ${S}
                state:
                  file: %s
                """.formatted(dir.resolve("state.json")) + mapping);
        return new ConfigLoader(Map.of("S", "x")).load(file);
    }

    @Test
    void engineSettingsComeFromMappingAndThePollInterval() throws Exception {
        EngineWiring w = new EngineWiring(load("""
                mapping:
                  graceAfterCall: 30s
                  debounce: 2s
                  manualDnd: teams-leads
                  failOpenAfter: 5m
                """), PluginLookup.discover());

        EngineConfig c = w.engineConfig(true, false);

        assertThat(c.pollInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.gracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.debounce()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.manualDndMode()).isEqualTo(ManualDndMode.TEAMS_LEADS);
        assertThat(c.failOpenAfter()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.dryRun()).isTrue();
        assertThat(c.releaseOnShutdown()).isTrue();
        assertThat(c.userRefreshInterval()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void usersAreListedAgainAsOftenAsUsersRefreshIntervalSays() throws Exception {
        EngineWiring w = new EngineWiring(load("users:\n  refreshInterval: 2m\n"), PluginLookup.discover());

        assertThat(w.engineConfig(false, false).userRefreshInterval()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void failOpenAfterAndTheUserRefreshMustBeLongerThanTheSourcesPollInterval() throws Exception {
        // teams.pollInterval is 3s: only the Graph plugin reads it, the engine settings are checked against it
        ServiceConfig c = load("mapping:\n  failOpenAfter: 2s\nusers:\n  refreshInterval: 1s\n");

        dev.teamsconnect.service.config.InvalidConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.teamsconnect.service.config.InvalidConfigException.class,
                () -> new EngineWiring(c, PluginLookup.discover()).validate());

        assertThat(e.problems()).extracting(p -> p.keyPath()).containsExactly("mapping.failOpenAfter", "users.refreshInterval");
        assertThat(e.problems()).extracting(p -> p.line()).containsExactly(14, 16);
        assertThat(e.getMessage()).contains("must be longer than the poll interval (3000ms)");
        assertThatThrownBy(() -> new EngineWiring(c, PluginLookup.discover()).engineConfig(false, false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mapping.failOpenAfter");
    }

    @Test
    void problemsOfBothPluginSectionsAreReportedTogetherWithTheirLines() throws Exception {
        ServiceConfig c = new ConfigLoader(Map.of("S", "x")).parse("""
                teams:
                  tenantId: contoso.onmicrosoft.com
                  clientId: "abc"
                  auth:
                    clientSecret: ${S}
                  chunkSize: 651
                starface:
                  baseUrl: http://pbx.example.com
                  loginId: "0001"
                  password: ${S}
                  paralelism: 8
                  tls:
                    pin: sha256/AAAA
                """, "c.yaml");

        dev.teamsconnect.service.config.InvalidConfigException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.teamsconnect.service.config.InvalidConfigException.class,
                () -> new EngineWiring(c, PluginLookup.discover()).validate());

        assertThat(e.problems()).extracting(p -> p.describe()).containsExactly(
                "teams.chunkSize: must be between 1 and 650, but was 651 (line 6)",
                "starface.paralelism: is not a known key; did you mean \"parallelism\"? (line 11)",
                "starface.tls: is set, but starface.baseUrl is plain http://; use https:// or remove tls (line 12)",
                "starface.tls.pin: must be a SHA-256 fingerprint: 64 hex digits (colons allowed) or sha256/<base64 of 32"
                        + " bytes>, but was \"sha256/AAAA\" (line 13)");
        // run asks for the poll interval first: the same complete report
        dev.teamsconnect.service.config.InvalidConfigException fromRun = org.assertj.core.api.Assertions.catchThrowableOfType(
                dev.teamsconnect.service.config.InvalidConfigException.class,
                () -> new EngineWiring(c, PluginLookup.discover()).pollInterval());
        assertThat(fromRun.problems()).isEqualTo(e.problems());
    }

    @Test
    void runOnceKeepsItsHoldsForTheNextRunAndTheConfigCanTurnReleasingOff() throws Exception {
        assertThat(new EngineWiring(load(""), PluginLookup.discover()).engineConfig(false, true).releaseOnShutdown())
                .isFalse();
        assertThat(new EngineWiring(load("mapping:\n  releaseOnShutdown: false\n"), PluginLookup.discover())
                .engineConfig(false, false).releaseOnShutdown()).isFalse();
    }

    @Test
    void thePolicyHasTheConfiguredCategoriesChatStatusAndLanguage() throws Exception {
        ConfigurableStatusPolicy p = new EngineWiring(load("""
                mapping:
                  dnd: [IN_A_CALL]
                  chatStatus: false
                  language: en
                """), PluginLookup.discover()).policy();

        assertThat(p.dndCategories()).containsExactly(PresenceCategory.IN_A_CALL);
        assertThat(p.chatStatusEnabled()).isFalse();
        assertThat(p.language()).isEqualTo("en");
    }

    @Test
    void aChatStatusThatTheSinkCannotWriteIsAWarningNamingTheSinksCapabilities() throws Exception {
        List<String> warnings = new EngineWiring(load("mapping:\n  chatStatus: true\n"), PluginLookup.discover()).validate();

        assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith("mapping.chatStatus: is true, but the sink"
                + " 'starface' cannot write a chat status (it can: DND, GROUPS)"));
        // the default (true, for sinks that can) is no reason to warn on every STARFACE installation
        assertThat(new EngineWiring(load(""), PluginLookup.discover()).validate())
                .noneSatisfy(w -> assertThat(w).contains("chatStatus"));
    }

    @Test
    void theStateStoreIsTheJsonFileAtStateFile() throws Exception {
        var store = new EngineWiring(load(""), PluginLookup.discover()).store();

        assertThat(store.id()).isEqualTo("file");
        assertThat(store.toString()).contains("state.json");
    }

    @Test
    void aSinkThatRejectsItsSectionIsAConfigErrorWithTheKeyPath() throws Exception {
        Path file = dir.resolve("c.yaml");
        ServiceConfig c = load("");
        // a provider that rejects its section the way older plugins do: one ConfigException naming the key
        PluginLookup lookup = PluginLookup.of(new dev.teamsconnect.core.spi.PresenceSourceProvider() {
            @Override
            public String id() {
                return "graph";
            }

            @Override
            public dev.teamsconnect.core.spi.PresenceSource create(dev.teamsconnect.core.spi.ProviderConfig config) {
                throw new ConfigException(config.path("chunkSize"), "must be between 1 and 650, but was 0");
            }
        }, new dev.teamsconnect.starface.StarfaceSinkProvider());

        assertThatThrownBy(() -> new EngineWiring(c, lookup).source())
                .isInstanceOf(dev.teamsconnect.service.config.InvalidConfigException.class)
                .hasMessageContaining("teams.chunkSize").hasMessageContaining("(line 1)");
        assertThat(file).exists();
    }
}
