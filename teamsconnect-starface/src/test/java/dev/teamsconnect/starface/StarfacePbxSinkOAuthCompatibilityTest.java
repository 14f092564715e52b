package dev.teamsconnect.starface;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.testkit.PbxSinkCompatibilityKit;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * The sink compatibility kit over STARFACE 10's OAuth: the emulator over real HTTPS offers the Keycloak-like realm
 * and <em>no</em> nonce login (as STARFACE 11 is said to), and the sink runs with its default {@code starface.login:
 * auto} and a client secret, so every request of the kit goes with a bearer token.
 */
class StarfacePbxSinkOAuthCompatibilityTest extends PbxSinkCompatibilityKit {

    private static final String API_LOGIN = "api";
    private static final String API_PASSWORD = "compat-kit-pw";
    private static final String CLIENT_SECRET = "compat-kit-client-secret";

    private final List<StarfaceEmulator> emulators = new ArrayList<>();
    private StarfaceEmulator pbx;

    @Override
    protected PbxSink createSink(List<SeedUser> users) {
        StarfaceEmulator.Builder b = StarfaceEmulator.builder().https().oauth(CLIENT_SECRET).withoutNonceLogin()
                .user(API_LOGIN, API_PASSWORD, "api-account@pbx.invalid", "API", "Account", false);
        for (SeedUser u : users) {
            String name = u.displayName() == null ? "" : u.displayName();
            int space = name.indexOf(' ');
            b.user(u.login(), "pw-" + u.login(), u.email(), space < 0 ? name : name.substring(0, space),
                    space < 0 ? "" : name.substring(space + 1), u.dnd());
        }
        pbx = b.start();
        emulators.add(pbx);
        return StarfacePbxSink.builder()
                .baseUrl(pbx.baseUrl())
                .loginId(API_LOGIN)
                .password(API_PASSWORD)
                .oauthClientSecret(CLIENT_SECRET)
                .trustCertificate(pbx.certificate().orElseThrow().certificate())
                .requestTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Override
    protected void setDndOutOfBand(PbxUser user, boolean dnd) {
        pbx.pressDndKey(Integer.parseInt(user.id()), dnd);
    }

    @Override
    protected boolean backendDnd(PbxUser user) {
        return pbx.dnd(Integer.parseInt(user.id()));
    }

    @AfterEach
    void everyRequestWentWithOAuthAndStopEmulators() {
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
        emulators.forEach(StarfaceEmulator::close);
        emulators.clear();
    }
}
