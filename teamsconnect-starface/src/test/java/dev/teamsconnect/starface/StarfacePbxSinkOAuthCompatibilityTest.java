package dev.teamsconnect.starface;

import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import org.junit.jupiter.api.AfterEach;

/**
 * The sink compatibility kit over STARFACE 10's OAuth: the emulator over real HTTPS offers the Keycloak-like realm
 * and <em>no</em> nonce login (as STARFACE 11 is said to), and the sink runs with its default {@code starface.login:
 * auto} and a client secret, so every request of the kit goes with a bearer token.
 */
class StarfacePbxSinkOAuthCompatibilityTest extends StarfacePbxSinkCompatibilityTest {

    private static final String CLIENT_SECRET = "compat-kit-client-secret";

    @Override
    protected StarfaceEmulator.Builder emulator() {
        return StarfaceEmulator.builder().https().oauth(CLIENT_SECRET).withoutNonceLogin();
    }

    @Override
    protected StarfacePbxSink.Builder login(StarfacePbxSink.Builder sink) {
        return sink.oauthClientSecret(CLIENT_SECRET);
    }

    @AfterEach
    void everyRequestWentWithOAuth() {
        for (StarfaceEmulator e : emulators) {
            int rest = e.requestCounts().entrySet().stream().filter(c -> c.getKey().contains(" /rest/"))
                    .mapToInt(c -> c.getValue()).sum();
            if (rest > 0 && e.passwordGrantCount() == 0) {
                throw new AssertionError("the kit reached the REST API without an OAuth grant: " + e.requestCounts());
            }
            if (e.requestCount("/rest/login") > 0) {
                throw new AssertionError("the nonce login was tried on a PBX that has none: " + e.requestCounts());
            }
        }
    }
}
