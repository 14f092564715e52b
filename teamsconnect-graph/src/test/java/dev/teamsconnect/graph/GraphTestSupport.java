package dev.teamsconnect.graph;

import dev.teamsconnect.testkit.graph.GraphEmulator;

/** Builders pointed at a {@link GraphEmulator} over HTTPS (trusting only its generated certificate in addition). */
final class GraphTestSupport {

    static final String APP = "11111111-2222-3333-4444-555555555555";
    static final String SECRET = "Xy7~secret-value-never-logged";

    private GraphTestSupport() {
    }

    static GraphEmulator emulator() {
        return GraphEmulator.builder().start().registerSecretClient(APP, SECRET);
    }

    /** Client credentials with a secret; fast backoff so 5xx tests do not wait seconds. */
    static GraphPresenceSource.Builder secretSource(GraphEmulator emu) {
        return base(emu).clientId(APP).clientSecret(SECRET);
    }

    static GraphPresenceSource.Builder base(GraphEmulator emu) {
        return GraphPresenceSource.builder()
                .tenantId(emu.tenantId())
                .authorityHost(emu.authorityHost())
                .graphBaseUrl(emu.graphBaseUrl())
                .trustCertificate(emu.certificate())
                .backoff(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(200));
    }
}
