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
 * The sink compatibility kit against the STARFACE emulator over real HTTPS (self-signed certificate, trusted via
 * the sink's TLS settings). The emulator also holds the API account the sink logs in with; the kit finds its
 * users by e-mail, so that extra user does not disturb it.
 */
class StarfacePbxSinkCompatibilityTest extends PbxSinkCompatibilityKit {

    private static final String API_LOGIN = "api";
    private static final String API_PASSWORD = "compat-kit-pw";

    /** The emulators of one test, closed after it. */
    protected final List<StarfaceEmulator> emulators = new ArrayList<>();
    private StarfaceEmulator pbx;

    /** The emulator's login options (subclasses: another way to sign in). */
    protected StarfaceEmulator.Builder emulator() {
        return StarfaceEmulator.builder().https();
    }

    /** The sink's login options (subclasses: another way to sign in). */
    protected StarfacePbxSink.Builder login(StarfacePbxSink.Builder sink) {
        return sink;
    }

    @Override
    protected PbxSink createSink(List<SeedUser> users) {
        StarfaceEmulator.Builder b = emulator()
                .user(API_LOGIN, API_PASSWORD, "api-account@pbx.invalid", "API", "Account", false);
        for (SeedUser u : users) {
            String name = u.displayName() == null ? "" : u.displayName();
            int space = name.indexOf(' ');
            b.user(u.login(), "pw-" + u.login(), u.email(), space < 0 ? name : name.substring(0, space),
                    space < 0 ? "" : name.substring(space + 1), u.dnd());
        }
        pbx = b.start();
        emulators.add(pbx);
        return login(StarfacePbxSink.builder()
                .baseUrl(pbx.baseUrl())
                .loginId(API_LOGIN)
                .password(API_PASSWORD)
                .trustCertificate(pbx.certificate().orElseThrow().certificate())
                .requestTimeout(Duration.ofSeconds(5)))
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
    void stopEmulators() {
        // Runs before the kit closes the sink; the sink's logout then fails fast and is ignored, as documented.
        emulators.forEach(StarfaceEmulator::close);
        emulators.clear();
    }
}
