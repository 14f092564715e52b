package dev.teamsconnect.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusPolicyConfigTest {

    private static ConfigurableStatusPolicy read(Map<String, ?> values) {
        return StatusPolicyConfig.fromConfig(new ProviderConfig("policy", values));
    }

    private static ConfigException failure(Map<String, ?> values) {
        try {
            read(values);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException for " + values);
    }

    @Test
    void emptySectionGivesTheDefaults() {
        ConfigurableStatusPolicy p = read(Map.of());
        assertThat(p.dndCategories()).isEqualTo(ConfigurableStatusPolicy.DEFAULT_DND_CATEGORIES);
        assertThat(p.chatStatusEnabled()).isTrue();
        assertThat(p.language()).isEqualTo("en");
    }

    @Test
    void readsEverySetting() {
        Map<String, Object> templatesDe = new HashMap<>();
        templatesDe.put("busy", "{category}: {message}");
        templatesDe.put("AWAY", "");
        templatesDe.put("OFFLINE", null);
        ConfigurableStatusPolicy p = read(Map.of(
                "dndCategories", List.of("IN_A_CALL", "do-not-disturb"),
                "chatStatus", "yes",
                "language", "de",
                "chatTemplates", Map.of("de", templatesDe),
                "users", Map.of(
                        "Alice@Example.com", Map.of("optOut", true),
                        "1002", Map.of("dndCategories", List.of("IN_A_CALL"), "chatStatus", false)),
                "groups", Map.of("support", Map.of("members", List.of("carol@example.com"), "dndCategories", List.of()))));
        assertThat(p.dndCategories()).containsExactlyInAnyOrder(PresenceCategory.IN_A_CALL, PresenceCategory.DO_NOT_DISTURB);
        assertThat(p.language()).isEqualTo("de");
        assertThat(p.template(PresenceCategory.BUSY)).isEqualTo("{category}: {message}");
        assertThat(p.template(PresenceCategory.AWAY)).isNull();
        assertThat(p.template(PresenceCategory.IN_A_CALL)).isEqualTo("Im Gespräch in MS Teams");
        assertThat(p.userOverrides().get("alice@example.com").optOut()).isTrue();
        assertThat(p.userOverrides().get("1002")).isEqualTo(
                new UserOverride(false, java.util.Set.of(PresenceCategory.IN_A_CALL), false));
        assertThat(p.groups()).singleElement().satisfies(g -> {
            assertThat(g.name()).isEqualTo("support");
            assertThat(g.members()).containsExactly("carol@example.com");
            assertThat(g.override().dndCategories()).isEmpty();
        });
    }

    @Test
    void errorsNameTheKeyPath() {
        assertThat(failure(Map.of("dndCategories", List.of("BUSY", "BSY"))).keyPath())
                .isEqualTo("policy.dndCategories[1]");
        ConfigException unknown = failure(Map.of("dndCategories", List.of("UNKNOWN")));
        assertThat(unknown.keyPath()).isEqualTo("policy.dndCategories");
        assertThat(unknown).hasMessageContaining("must not contain UNKNOWN");
        assertThat(failure(Map.of("language", "fr"))).hasMessage(
                "policy.language: language must be one of [de, en], but was \"fr\"");
        assertThat(failure(Map.of("chatStatus", "maybe")).keyPath()).isEqualTo("policy.chatStatus");
        assertThat(failure(Map.of("dndCategory", List.of("BUSY"))))
                .hasMessageStartingWith("policy.dndCategory: unknown key");
        assertThat(failure(Map.of("chatTemplates", Map.of("fr", Map.of("BUSY", "x")))).keyPath())
                .isEqualTo("policy.chatTemplates.fr");
        assertThat(failure(Map.of("chatTemplates", Map.of("en", Map.of("BUSY", "{msg}")))))
                .hasMessageStartingWith("policy.chatTemplates.en.BUSY: chatTemplates.en.BUSY uses the unknown placeholder {msg}");
        assertThat(failure(Map.of("users", Map.of("a@x", Map.of("optOut", true, "chatStatus", true)))).keyPath())
                .isEqualTo("policy.users.a@x");
        assertThat(failure(Map.of("users", Map.of("a@x", Map.of())))).hasMessage(
                "policy.users.a@x: is empty; give optOut, dndCategories or chatStatus");
        assertThat(failure(Map.of("users", Map.of("a@x", "opt-out"))).keyPath()).isEqualTo("policy.users.a@x");
        assertThat(failure(Map.of("groups", Map.of("g", Map.of("members", List.of(), "optOut", true)))))
                .hasMessage("policy.groups.g: groups[\"g\"].members must not be empty, but was []");
        assertThat(failure(Map.of("groups", Map.of(
                "g1", Map.of("members", List.of("a"), "optOut", true),
                "g2", Map.of("members", Arrays.asList("A"), "chatStatus", false)))))
                .hasMessageContaining("is a member of both");
    }
}
