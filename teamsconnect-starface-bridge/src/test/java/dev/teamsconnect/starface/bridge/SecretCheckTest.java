package dev.teamsconnect.starface.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretCheckTest {

    private static final String SECRET = "bridge-secret-0123456789";

    @Test
    void onlyTheSecretItselfMatches() {
        SecretCheck c = new SecretCheck(SECRET);
        assertThat(c.matches(SECRET)).isTrue();
        assertThat(c.matches(SECRET + "x")).isFalse();
        assertThat(c.matches(SECRET.substring(1))).isFalse();
        assertThat(c.matches("")).isFalse();
        assertThat(c.matches(null)).isFalse();
        assertThat(c.matches(42)).isFalse();
    }

    @Test
    void aShortSecretIsRefusedAndTheSecretIsNeverShown() {
        assertThatThrownBy(() -> new SecretCheck("short-1234"))
                .hasMessageContaining("shorter than " + BridgeProtocol.MIN_SECRET)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-1234"));
        assertThat(new SecretCheck(SECRET).toString()).doesNotContain(SECRET);
    }

    @Test
    void theXmlRpcLoginIsThePublishedHashOfLoginAndPassword() {
        // the example of the SFWiki page dev_xmlrpc (login 123, password Pass123)
        assertThat(XmlRpcLogin.authValue("123", "Pass123")).isEqualTo("123:81d8af78c98b153485f7d48e3437eb735ba37f0f013c5e06ba74536776c5945694e7cde71e2effbed7b5a1d1a4566fadcd847ef4098c234052fdfd288e8b6ced");
    }
}
