package dev.teamsconnect.it;

import dev.teamsconnect.core.decorate.RetryPolicy;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.graph.GraphPresenceSource;
import dev.teamsconnect.starface.StarfacePbxSink;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;

/**
 * The engine as a separate process for {@link CrashSafetyIntegrationTest}: the real Graph source, STARFACE sink and
 * {@link JsonFileStateStore}, pointed at emulators that live in the parent process and survive this process's
 * SIGKILL. Prints {@code CYCLE <n> <summary>} after every cycle. Runs until killed.
 *
 * <p>Arguments: graphAuthority graphBase tenant appId appSecret graphCertPem pbxBase pbxLogin pbxPassword pbxCertPem
 * stateFile. The secrets come as arguments only because this is a test against emulators.
 */
public final class CrashChild {

    private CrashChild() {
    }

    public static void main(String[] a) throws Exception {
        X509Certificate graphCert;
        try (InputStream in = Files.newInputStream(Path.of(a[5]))) {
            graphCert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        GraphPresenceSource source = GraphPresenceSource.builder()
                .authorityHost(URI.create(a[0])).graphBaseUrl(URI.create(a[1])).tenantId(a[2])
                .clientId(a[3]).clientSecret(a[4]).trustCertificate(graphCert)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).httpTimeout(Duration.ofSeconds(5))
                .build();
        StarfacePbxSink sink = StarfacePbxSink.builder().baseUrl(URI.create(a[6])).loginId(a[7]).password(a[8])
                .trustCertificates(Path.of(a[9])).backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .requestTimeout(Duration.ofSeconds(5)).build();
        SyncEngine engine = SyncEngine.builder().source(source).sink(sink).store(new JsonFileStateStore(Path.of(a[10])))
                .config(EngineConfig.builder().pollInterval(Duration.ofMillis(20))
                        .retry(new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(20), 2.0, 0.0)).build())
                .clock(Clock.systemUTC()).build();
        long built = System.nanoTime();
        engine.open();
        System.out.println("OPENED after " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
                + " ms of JVM uptime (open took " + (System.nanoTime() - built) / 1_000_000 + " ms)");
        System.out.flush();
        while (true) {
            CycleReport r = engine.syncOnce();
            System.out.println("CYCLE " + r.cycle() + " " + r.summary());
            System.out.flush();
            Thread.sleep(20);
        }
    }
}
