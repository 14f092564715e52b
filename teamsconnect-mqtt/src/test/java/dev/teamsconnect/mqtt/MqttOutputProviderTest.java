package dev.teamsconnect.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.spi.StatusOutputProvider;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mqtt entry's validation: every key, the messages naming the key path, no secret in a message. No network. */
class MqttOutputProviderTest {

    @TempDir
    Path dir;

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", "ssl://broker.example.com:8883");
        return m;
    }

    private static StatusOutput create(Map<String, Object> m) {
        return new MqttOutputProvider().create(new ProviderConfig("outputs[0]", m));
    }

    private static void rejects(Map<String, Object> m, String keyPath, String text) {
        assertThatThrownBy(() -> create(m)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> assertThat(p.toString()).contains(keyPath)))
                .hasMessageContaining(keyPath)
                .hasMessageContaining(text)
                .hasMessageNotContaining("s3cr3t-value");
    }

    @Test
    void isFoundWithServiceLoaderUnderItsId() {
        List<String> ids = ServiceLoader.load(StatusOutputProvider.class).stream().map(p -> p.get().id()).toList();
        assertThat(ids).contains("mqtt");
    }

    @Test
    void theDefaults() {
        MqttStatusOutput out = (MqttStatusOutput) create(minimal());
        assertThat(out.id()).isEqualTo("mqtt");
        assertThat(out.republishInterval()).contains(Duration.ofMinutes(5));
        assertThat(out.broker()).isEqualTo("ssl://broker.example.com:8883");
        assertThat(out.clientId()).isEqualTo("teamsconnect-teamsconnect");
        assertThat(out.toString()).contains("prefix=teamsconnect").contains("homeAssistant=false");
    }

    @Test
    void readsEveryKey() throws Exception {
        Path pem = SelfSignedCertificate.forLocalhost().writePem(dir.resolve("broker.pem"));
        Map<String, Object> m = minimal();
        m.put("url", "ssl://broker.local");
        m.put("username", "teamsconnect");
        m.put("password", "s3cr3t-value");
        m.put("topicPrefix", "office/teams");
        m.put("homeAssistant", "true");
        m.put("discoveryPrefix", "ha");
        m.put("republishInterval", "90s");
        m.put("tls", Map.of("certificate", pem.toString(), "pin", "sha256/47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
        MqttStatusOutput out = (MqttStatusOutput) create(m);
        assertThat(out.republishInterval()).contains(Duration.ofSeconds(90));
        assertThat(out.broker()).isEqualTo("ssl://broker.local:8883");
        assertThat(out.clientId()).isEqualTo("teamsconnect-office_teams");
        assertThat(out.toString()).doesNotContain("s3cr3t-value");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://broker.example.com | must start with tcp:// or ssl://",
            "mqtts://broker.example.com | write ssl://",
            "tcp:// | must",
            "ssl://broker.example.com/topic | must be only scheme, host and port",
            "ssl://broker.example.com:8883?x=1 | must be only scheme, host and port",
            "ssl://broker.example.com:70000 | ",
    })
    void rejectsABadUrl(String url, String text) {
        Map<String, Object> m = minimal();
        m.put("url", url);
        rejects(m, "outputs[0].url", text == null ? "" : text);
    }

    @Test
    void aUrlWithCredentialsIsRejectedWithoutShowingThem() {
        Map<String, Object> m = minimal();
        m.put("url", "ssl://user:s3cr3t-value@broker.example.com");
        rejects(m, "outputs[0].url", "must not carry a user or password");
    }

    @Test
    void requiresTheUrl() {
        Map<String, Object> m = minimal();
        m.remove("url");
        rejects(m, "outputs[0].url", "is required");
    }

    @Test
    void aPasswordNeedsAUsername() {
        Map<String, Object> m = minimal();
        m.put("password", "s3cr3t-value");
        rejects(m, "outputs[0].username", "is required when outputs[0].password is set");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "teams/+/x | wildcards",
            "teams/# | wildcards",
            "/teams | must not start or end with /",
            "teams/ | must not start or end with /",
            "a//b | empty level",
            "$SYS/x | must not start with $",
            "my teams | spaces",
    })
    void rejectsABadTopicPrefix(String prefix, String text) {
        Map<String, Object> m = minimal();
        m.put("topicPrefix", prefix);
        rejects(m, "outputs[0].topicPrefix", text);
        Map<String, Object> d = minimal();
        d.put("homeAssistant", "true");
        d.put("discoveryPrefix", prefix);
        rejects(d, "outputs[0].discoveryPrefix", text);
    }

    @Test
    void rejectsUnknownKeysWithAHint() {
        Map<String, Object> m = minimal();
        m.put("topicprefix", "x");
        rejects(m, "outputs[0].topicprefix", "topicPrefix");
    }

    @Test
    void rejectsBadFlagsAndIntervals() {
        Map<String, Object> m = minimal();
        m.put("homeAssistant", "perhaps");
        rejects(m, "outputs[0].homeAssistant", "");
        Map<String, Object> r = minimal();
        r.put("republishInterval", "0s");
        rejects(r, "outputs[0].republishInterval", "");
        Map<String, Object> t = minimal();
        t.put("republishInterval", "five minutes");
        rejects(t, "outputs[0].republishInterval", "");
        Map<String, Object> shortOne = minimal();
        shortOne.put("republishInterval", "9s");
        rejects(shortOne, "outputs[0].republishInterval", "must be at least 10s");
        Map<String, Object> type = minimal();
        type.put("type", "mqtt");
        rejects(type, "outputs[0].type", "is not a known key");
    }

    @Test
    void tlsWithPlainTcpIsAnError() throws Exception {
        Path pem = SelfSignedCertificate.forLocalhost().writePem(dir.resolve("broker.pem"));
        Map<String, Object> m = minimal();
        m.put("url", "tcp://broker.example.com");
        m.put("tls", Map.of("certificate", pem.toString()));
        rejects(m, "outputs[0].tls", "is plain tcp://");
    }

    @Test
    void tlsKeysAreCheckedLikeTheStarfaceSinks() throws Exception {
        Map<String, Object> missing = minimal();
        missing.put("tls", Map.of("certificate", dir.resolve("nope.pem").toString()));
        rejects(missing, "outputs[0].tls.certificate", "");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        Map<String, Object> bad = minimal();
        bad.put("tls", Map.of("certificate", notPem.toString()));
        rejects(bad, "outputs[0].tls.certificate", "PEM");
        Map<String, Object> pin = minimal();
        pin.put("tls", Map.of("pin", "12:34"));
        rejects(pin, "outputs[0].tls.pin", "must be a SHA-256 fingerprint");
        Map<String, Object> unknown = minimal();
        unknown.put("tls", Map.of("acceptAnyCertificate", "true"));
        rejects(unknown, "outputs[0].tls.acceptAnyCertificate", "is not a known key");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, Object> m = minimal();
        m.put("url", "http://x");
        m.put("topicPrefix", "a/#");
        m.put("republishInterval", "-1s");
        ConfigException e = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> create(m));
        assertThat(e.problems()).hasSize(3);
    }

    @Test
    void warnsAboutAPasswordOverPlainTcp() {
        Map<String, Object> m = minimal();
        m.put("url", "tcp://broker.example.com");
        m.put("username", "u");
        m.put("password", "s3cr3t-value");
        ProviderConfig c = new ProviderConfig("outputs[0]", m);
        new MqttOutputProvider().create(c);
        assertThat(c.warnings()).anySatisfy(w -> assertThat(w).startsWith("outputs[0].url").contains("unencrypted"))
                .noneSatisfy(w -> assertThat(w).contains("s3cr3t-value"));
    }
}
