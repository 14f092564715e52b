package dev.teamsconnect.it;

import dev.teamsconnect.testkit.logging.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.graph.GraphPresenceSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets stay secret in a full run (engine, Graph with a client secret and with a delegated password sign-in,
 * STARFACE) at TRACE, and the files meant for secrets or user data are owner-only.
 */
class SecretsAndFilesIntegrationTest {

    private static final String PUBLIC_APP = "0b6f1d2e-3c4a-4b5c-8d9e-0f1a2b3c4d5e";
    private static final String READER = "presence.reader@contoso.test";
    private static final String READER_PASSWORD = "Rd9!delegated-password-5521";

    @TempDir
    Path dir;

    @Test
    void traceLogsOfAFullRunContainNoPasswordSecretOrToken() throws Exception {
        Set<String> secrets = new LinkedHashSet<>();
        List<String> lines;
        List<String> reports = new ArrayList<>();
        Path state = dir.resolve("state.json");
        try (Landscape l = Landscape.start(3); LogCapture logs = LogCapture.trace()) {
            l.graph.registerPublicClient(PUBLIC_APP);
            l.graph.addUser(READER, "Presence Reader", true, READER_PASSWORD);
            SyncEngine appEngine = l.engine(Landscape.config().build(), new JsonFileStateStore(state));
            SyncEngine delegated = l.engine(Landscape.config().build(), new JsonFileStateStore(dir.resolve("state2.json")),
                    delegatedSource(l).build(), l.sink().build());
            for (SyncEngine engine : List.of(appEngine, delegated)) {
                reports.add(engine.syncOnce().summary());
                l.inCall(1);
                reports.add(engine.syncOnce().summary());
                secrets.addAll(l.pbx.activeTokens());
                l.graph.expireAllTokens();
                l.pbx.expireAllTokens();
                l.inCall(2);
                CycleReport r = engine.syncOnce();
                assertThat(r.success()).as(r.summary()).isTrue();
                reports.add(r.summary());
                secrets.addAll(l.pbx.activeTokens());
                l.available(1);
                l.available(2);
                reports.add(engine.syncOnce().summary());
                secrets.addAll(l.pbx.activeTokens());
                reports.add(engine.snapshot().toString());
                engine.close();
            }
            assertThat(l.dnd(1)).isFalse();
            secrets.addAll(l.graph.secrets());
            secrets.addAll(l.pbx.loginSecretsSeen());
            secrets.addAll(List.of(Landscape.APP_SECRET, Landscape.PBX_PASSWORD, READER_PASSWORD));
            lines = logs.lines();
        }
        assertThat(lines).as("TRACE must actually capture the plugins' traffic").hasSizeGreaterThan(50);
        assertThat(secrets).as("secrets and tokens to look for").hasSizeGreaterThan(6);
        List<String> texts = new ArrayList<>(lines);
        texts.addAll(reports);
        texts.add(Files.readString(state));
        for (String secret : secrets) {
            assertThat(secret.length()).as("a secret long enough to grep for").isGreaterThanOrEqualTo(8);
            for (String line : texts) {
                if (line.contains(secret)) {
                    throw new AssertionError("a secret (" + secret.length() + " chars, starting "
                            + secret.substring(0, 3) + "...) is in: " + line.replace(secret, "<SECRET>"));
                }
            }
        }
    }

    private GraphPresenceSource.Builder delegatedSource(Landscape l) {
        return GraphPresenceSource.builder()
                .tenantId(l.graph.tenantId()).authorityHost(l.graph.authorityHost()).graphBaseUrl(l.graph.graphBaseUrl())
                .trustCertificate(l.graph.certificate()).clientId(PUBLIC_APP).password(READER, READER_PASSWORD)
                .tokenCache(dir.resolve("cache").resolve("token-cache.json"));
    }

    @Test
    void theStateFileAndTheTokenCacheAreCreatedOwnerOnly() throws Exception {
        Path state = dir.resolve("data").resolve("state.json");
        Path cache = dir.resolve("cache").resolve("token-cache.json");
        try (Landscape l = Landscape.start(2)) {
            l.graph.registerPublicClient(PUBLIC_APP);
            l.graph.addUser(READER, "Presence Reader", true, READER_PASSWORD);
            SyncEngine engine = l.engine(Landscape.config().build(), new JsonFileStateStore(state),
                    delegatedSource(l).build(), l.sink().build());
            l.inCall(1);
            CycleReport r = engine.syncOnce();
            assertThat(r.success()).as(r.summary()).isTrue();
            assertThat(l.dnd(1)).isTrue();
            engine.close();
        }
        assertThat(Files.exists(state)).isTrue();
        assertThat(Files.exists(cache)).as("the delegated sign-in keeps its tokens in the cache file").isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");
        assertThat(Files.readString(state)).doesNotContain(READER_PASSWORD).doesNotContain(Landscape.PBX_PASSWORD);
    }
}
