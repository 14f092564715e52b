package dev.teamsconnect.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.spi.StateStoreProvider;
import dev.teamsconnect.core.spi.TeamsSession;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The StateStore contract and the leadership against a real PostgreSQL (embedded, started once for the class). */
class PostgresStateStoreTest {

    private static EmbeddedPostgres pg;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

    private String url;
    private PostgresSettings settings;

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void freshDatabase() throws Exception {
        String name = "tc" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        url = pg.getJdbcUrl("postgres", name);
        settings = new PostgresSettings(url, "postgres", "");
    }

    private static Hold held(String user, boolean prior) {
        return new Hold(user, Hold.Kind.HELD, prior, true, "own text", "In a call", true, T0);
    }

    private void sql(String statement) throws Exception {
        try (Connection c = new org.postgresql.Driver().connect(url, props()); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static java.util.Properties props() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "postgres");
        return p;
    }

    @Test
    void theProviderIsFoundByServiceLoaderAndOwnsUrlUserPassword() {
        StateStoreProvider provider = ServiceLoader.load(StateStoreProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("postgres")).findFirst().orElseThrow();
        try (StateStore s = provider.create(new ProviderConfig("state", Map.of("url", url, "user", "postgres")))) {
            assertThat(s.id()).isEqualTo("postgres");
        }
        assertThatThrownBy(() -> provider.create(new ProviderConfig("state", Map.of("url", "http://x", "usr", "a"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("state.url").hasMessageContaining("state.user")
                .hasMessageContaining("state.usr");
    }

    @Test
    void commitsSurviveANewStoreAndRemovalsRemove() {
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThat(s.load()).isEmpty();
            s.claim(Optional.of("pbx-a"));
            s.commit(List.of(held("u1", false), held("u2", true)), List.of());
            s.commit(List.of(new Hold("u2", Hold.Kind.MANUAL, true, true, null, null, false, T0)), List.of("u1"));
        }
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            Map<String, Hold> holds = s.load();
            assertThat(holds).containsOnlyKeys("u2");
            assertThat(holds.get("u2")).isEqualTo(new Hold("u2", Hold.Kind.MANUAL, true, true, null, null, false, T0));
        }
    }

    @Test
    void sessionsArePersistedLikeHolds() {
        TeamsSession t = new TeamsSession("u1", "aad-1", TeamsSession.Cause.PBX_CALL, Availability.BUSY,
                Activity.IN_A_CALL, T0, T0.plusSeconds(3600));
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
            s.claim(Optional.empty());
            s.commitSessions(List.of(t), List.of());
        }
        TeamsSession cleared = t.clearedAt(T0.plusSeconds(600));
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThat(s.loadSessions()).containsExactlyEntriesOf(Map.of("u1", t));
            s.claim(Optional.empty());
            s.commitSessions(List.of(cleared), List.of());
        }
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThat(s.loadSessions()).as("a cleared session keeps its clear (its echo)")
                    .containsExactlyEntriesOf(Map.of("u1", cleared));
            s.claim(Optional.empty());
            s.commitSessions(List.of(), List.of("u1"));
            assertThat(s.loadSessions()).isEmpty();
        }
    }

    @Test
    void aBatchIsAllOrNothing() {
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
            s.claim(Optional.empty());
            s.commit(List.of(held("u1", false)), List.of());
            // the second hold breaks a column constraint (text too long is fine in PG, so use a NUL byte)
            assertThatThrownBy(() -> s.commit(List.of(held("u2", false), held("bad\u0000id", false)), List.of("u1")))
                    .isInstanceOf(StateStoreException.class).hasMessageContaining("Nothing of this call was stored");
            assertThat(s.load()).containsOnlyKeys("u1");
        }
    }

    @Test
    void aSecondProcessIsRefusedNamingTheFirst() {
        try (PostgresStateStore first = new PostgresStateStore(settings);
             PostgresStateStore second = new PostgresStateStore(settings)) {
            first.load();
            first.claim(Optional.empty());
            second.load();
            assertThatThrownBy(() -> second.claim(Optional.empty())).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("in use by another TeamsConnect process")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("ha.mode: active-passive");
        }
    }

    @Test
    void holdsOfAnotherPbxAreRefused() {
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
            s.claim(Optional.of("pbx-a"));
            s.commit(List.of(held("u1", false)), List.of());
        }
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
            assertThatThrownBy(() -> s.claim(Optional.of("pbx-b"))).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("\"pbx-a\"").hasMessageContaining("\"pbx-b\"")
                    .hasMessageContaining("teamsconnect release");
        }
    }

    @Test
    void aNewerSchemaIsRefusedAndLeftAlone() throws Exception {
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
        }
        sql("UPDATE teamsconnect_schema SET version = 99");
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThatThrownBy(s::load).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("schema version 99").hasMessageContaining("newer TeamsConnect")
                    .hasMessageContaining("Way out");
        }
        sql("SELECT 1 FROM teamsconnect_schema WHERE version = 99"); // untouched
    }

    @Test
    void aForeignOrDamagedSchemaIsRefused() throws Exception {
        sql("CREATE TABLE teamsconnect_holds (x int)");
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThatThrownBy(s::load).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("no teamsconnect_schema table").hasMessageContaining("will not reset it");
        }
        sql("DROP TABLE teamsconnect_holds");
        sql("CREATE TABLE teamsconnect_schema (id int, product text, version int, pbx text)");
        sql("INSERT INTO teamsconnect_schema VALUES (1, 'someone-else', 1, null)");
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThatThrownBy(s::load).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("belong to \"someone-else\"");
        }
    }

    @Test
    void aDamagedRowIsRefusedByName() throws Exception {
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
        }
        sql("INSERT INTO teamsconnect_sessions VALUES ('u9', 'aad', 'no-such-cause', 'Busy', 'InACall', now(), now())");
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            assertThatThrownBy(s::loadSessions).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("\"u9\"").hasMessageContaining("teamsconnect_sessions");
        }
    }

    @Test
    void aFencedLeaderCannotCommitAfterItsSuccessorTookOver() throws Exception {
        PostgresStateStore old = new PostgresStateStore(settings);
        PostgresStateStore successor = new PostgresStateStore(settings);
        try {
            PostgresLeadership a = old.leadership(Duration.ofSeconds(5));
            assertThat(a.tryAcquire()).isTrue();
            old.claim(Optional.empty());
            old.commit(List.of(held("u1", false)), List.of());
            PostgresLeadership b = successor.leadership(Duration.ofSeconds(5));
            assertThat(b.tryAcquire()).isFalse();
            AtomicReference<String> lost = new AtomicReference<>();
            a.watch(lost::set);
            // the old leader's lock session is cut (as pg_terminate_backend by an administrator or a network cut)
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'teamsconnect leader lock'"
                    + " AND pid <> pg_backend_pid()");
            // the backend ends asynchronously; its lock goes with it
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean got = b.tryAcquire();
            while (!got && System.nanoTime() < until) {
                Thread.sleep(50);
                got = b.tryAcquire();
            }
            assertThat(got).isTrue();
            assertThat(b.epoch()).isGreaterThan(a.epoch());
            // its data connection still works, but the epoch check in the same transaction refuses the write
            assertThatThrownBy(() -> old.commit(List.of(held("u2", false)), List.of()))
                    .isInstanceOf(StateStoreException.class).hasMessageContaining("no longer the leader");
            successor.load();
            successor.claim(Optional.empty());
            successor.commit(List.of(held("u3", false)), List.of());
            assertThat(successor.load()).containsOnlyKeys("u1", "u3");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (lost.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(lost.get()).contains("leader lock");
            assertThat(a.leading()).isFalse();
        } finally {
            old.close();
            successor.close();
        }
    }

    @Test
    void theStoreReconnectsAfterTheDatabaseDroppedItsConnection() throws Exception {
        try (PostgresStateStore s = new PostgresStateStore(settings)) {
            s.load();
            s.claim(Optional.empty());
            // as a database restart does: both sessions, the data and the lock, end
            sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'teamsconnect %'");
            Thread.sleep(200); // the backends end asynchronously
            assertThatThrownBy(() -> s.commit(List.of(held("u1", false)), List.of()))
                    .isInstanceOf(StateStoreException.class);
            s.commit(List.of(held("u1", false)), List.of());
            assertThat(s.load()).containsOnlyKeys("u1");
            // the lock was taken again: a second process is still kept out
            try (PostgresStateStore second = new PostgresStateStore(settings)) {
                second.load();
                assertThatThrownBy(() -> second.claim(Optional.empty())).isInstanceOf(StateStoreException.class)
                        .hasMessageContaining("in use by another TeamsConnect process");
            }
        }
    }

    @Test
    void thePasswordIsMaskedInTheUrlAndInMessages() {
        PostgresSettings p = new PostgresSettings("jdbc:postgresql://127.0.0.1:1/x?user=a&password=s3cret&ssl=true", "a",
                "s3cret");
        assertThat(p.shownUrl()).doesNotContain("s3cret").contains("password=***").contains("ssl=true");
        assertThatThrownBy(() -> new PostgresStateStore(p).load()).isInstanceOf(StateStoreException.class)
                .hasMessageNotContaining("s3cret").hasMessageContaining("Cannot read the holds");
    }
}
