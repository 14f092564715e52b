package dev.teamsconnect.starface;

import dev.teamsconnect.testkit.starface.StarfaceEmulator;

/**
 * The sink compatibility kit for the STARFACE sink with the bridge ({@code starface.bridge}) against the emulated
 * PBX's bridge over real HTTPS: the kit's chat-status contracts run here (the REST-only runs skip them, as STARFACE
 * has no chat status over REST).
 */
class StarfacePbxSinkBridgeCompatibilityTest extends StarfacePbxSinkCompatibilityTest {

    private static final String INSTANCE = "TeamsConnectBridge";
    private static final String SECRET = "compat-kit-bridge-secret-4711";

    @Override
    protected StarfaceEmulator.Builder emulator() {
        return super.emulator().bridge(INSTANCE, SECRET);
    }

    @Override
    protected StarfacePbxSink.Builder login(StarfacePbxSink.Builder sink) {
        return super.login(sink).bridge(INSTANCE, SECRET);
    }
}
