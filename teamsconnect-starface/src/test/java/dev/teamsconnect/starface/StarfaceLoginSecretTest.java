package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class StarfaceLoginSecretTest {

    @Test
    void internalSecretMatchesTheVendorTestVector() {
        assertThat(StarfaceLoginSecret.internal("0001", "pds24hmip1ctbogn1l8ujvs5u4", "foobar")).isEqualTo(
                "0001:5e9c7778287782c26d32e0d754b491efde1c5618037e64e46802f91b8ab14959f64e34d7f93f2a25ec71bbbc69638d71bea82f3b81e9edb0e0cc66f60ef64f04");
    }

    @Test
    void internalSecretDependsOnTheNonce() {
        assertThat(StarfaceLoginSecret.internal("0001", "othernonce", "foobar"))
                .startsWith("0001:")
                .isNotEqualTo(StarfaceLoginSecret.internal("0001", "pds24hmip1ctbogn1l8ujvs5u4", "foobar"));
    }

    @Test
    void activeDirectorySecretIsBase64OfLoginNonceAndPassword() {
        String secret = StarfaceLoginSecret.activeDirectory("0001", "pds24hmip1ctbogn1l8ujvs5u4", "foobär");
        assertThat(secret).isEqualTo("MDAwMXBkczI0aG1pcDFjdGJvZ24xbDh1anZzNXU0Zm9vYsOkcg==");
        assertThat(new String(Base64.getDecoder().decode(secret), StandardCharsets.UTF_8))
                .isEqualTo("0001pds24hmip1ctbogn1l8ujvs5u4foobär");
    }
}
