package dev.teamsconnect.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderConfigTest {

    @TempDir
    Path dir;

    private static ProviderConfig section(Map<String, ?> values) {
        return ProviderConfig.of("pbx", values, Map.of("pbx", 3, "pbx.port", 4, "pbx.timeout", 5, "pbx.tls", 6,
                "pbx.tls.pin", 7, "pbx.prot", 8), Set.of("pbx.timeout", "pbx.tls.pin"));
    }

    @Test
    void collectsEveryProblemWithLineAndThrowsThemTogetherInFileOrder() {
        ProviderConfig c = section(Map.of("prot", "1", "port", "x", "timeout", "soon", "tls", Map.of("pin", "bad")));
        c.rejectUnknownKeys(List.of("port", "timeout", "tls", "host"));
        assertThat(c.wholeNumber("port", 80, 1, 65535)).isEqualTo(80);
        assertThat(c.interval("timeout", Duration.ofSeconds(5), false)).isEqualTo(Duration.ofSeconds(5));
        ProviderConfig tls = c.child("tls");
        tls.text("pin").ifPresent(p -> tls.problem("pin", "must be a fingerprint, but was " + tls.shown("pin", p)));
        assertThat(c.requiredText("host", "(the PBX)")).isEmpty();

        ConfigException e = catchThrowableOfType(ConfigException.class, c::requireValid);

        assertThat(e.problems()).extracting(ConfigProblem::describe).containsExactly(
                // a missing key gets the line of its section
                "pbx.host: is required (the PBX), but is missing or empty (line 3)",
                "pbx.port: must be a whole number between 1 and 65535, but was \"x\" (line 4)",
                "pbx.timeout: must be a duration like 500ms, 5s, 2m, but was (hidden) (line 5)",
                "pbx.tls.pin: must be a fingerprint, but was (hidden) (line 7)",
                "pbx.prot: is not a known key; did you mean \"port\"? (line 8)");
        assertThat(e.keyPath()).isEqualTo("pbx.host");
        assertThat(e.getMessage()).startsWith("5 problems").contains("pbx.prot");
    }

    @Test
    void nothingIsThrownWhenTheSectionIsValid() {
        ProviderConfig c = section(Map.of("port", "5060", "timeout", "1m30s", "flag", "yes", "mode", "Teams-Leads"));
        assertThat(c.wholeNumber("port", 80, 1, 65535)).isEqualTo(5060);
        assertThat(c.interval("timeout", Duration.ZERO, false)).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.flag("flag", false)).isTrue();
        assertThat(c.choice("mode", ManualDndMode.RESPECT, Map.of("respect", ManualDndMode.RESPECT,
                "teams-leads", ManualDndMode.TEAMS_LEADS))).isEqualTo(ManualDndMode.TEAMS_LEADS);
        c.requireValid();
        assertThat(c.problems()).isEmpty();
    }

    @Test
    void hidesSecretKeysAndSubstitutedValuesButNotTheTokenCacheFileName() {
        ProviderConfig c = section(Map.of());
        assertThat(c.shown("clientSecret", "s")).isEqualTo("(hidden)");
        assertThat(c.shown("password", "s")).isEqualTo("(hidden)");
        assertThat(c.shown("timeout", "s")).isEqualTo("(hidden)");
        assertThat(c.shown("port", "5060")).isEqualTo("\"5060\"");
        assertThat(ProviderConfig.isSecretKey("tokenCache")).isFalse();
        assertThat(ProviderConfig.isSecretKey("refreshToken")).isTrue();
    }

    @Test
    void checksFilesAndUrls() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        ProviderConfig c = ProviderConfig.of("x", Map.of("cert", empty.toString(), "missing", dir.resolve("no.pem").toString(),
                "out", dir.resolve("no-dir/state.json").toString(), "base", "https://pbx.example.com/x?y=1",
                "plain", "http://graph.example.com", "hook", "https://h.example.com/p?token=T0KEN"), Map.of(), Set.of());
        c.readableFile("cert");
        c.readableFile("missing");
        c.writableFile("out", null);
        c.url("base", false);
        c.url("plain", true);
        assertThat(c.endpointUrl("hook")).isPresent();

        assertThat(c.problems()).extracting(ConfigProblem::keyPath).containsExactly("x.cert", "x.missing", "x.out", "x.base", "x.plain");
        assertThat(c.problems()).extracting(ConfigProblem::message).anySatisfy(m -> assertThat(m).contains("is empty"))
                .anySatisfy(m -> assertThat(m).contains("does not exist"))
                .anySatisfy(m -> assertThat(m).contains("without ?query"))
                .anySatisfy(m -> assertThat(m).contains("must use https"));
    }

    @Test
    void recordsTheKeysItIsAskedFor() {
        ProviderConfig c = new ProviderConfig("asked", Map.of("list", List.of(Map.of("id", "1"))));
        c.text("one");
        c.children("list").forEach(item -> item.text("id"));
        assertThat(ProviderConfig.askedKeyPaths()).contains("asked.one", "asked.list", "asked.list[].id");
    }

    @Test
    void manualDndModesHaveStableCodes() {
        assertThat(ManualDndMode.RESPECT.code()).isEqualTo("respect");
        assertThat(ManualDndMode.TEAMS_LEADS.code()).isEqualTo("teams-leads");
        assertThat(ManualDndMode.fromCode(" Teams-Leads ")).contains(ManualDndMode.TEAMS_LEADS);
        assertThat(ManualDndMode.fromCode("teams")).isEmpty();
    }
}
