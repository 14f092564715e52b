package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.decorate.ForwardingPbxSink;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.engine.PbxToTeams;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.graph.PresenceWrite;
import dev.teamsconnect.testkit.starface.StarfaceEmulator.DndSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The PBX-to-Teams direction ({@code pbxToTeams}) with the real engine, Graph source and writer and STARFACE sink
 * over HTTPS: each cause sets, renews and clears the product's presence session in the Graph emulator, which serves
 * the aggregate presence back (the echo a real tenant shows), and the loop cases 1-4 in both {@code manualDnd}
 * modes. A DND at the phone goes the real way (a key press on the emulated PBX, read back by the DND scan); PBX
 * calls come from a stand-in for a sink with call state (STARFACE's REST API has none): the STARFACE sink, declaring
 * {@code PBX_CALLS} and reporting the emulated PBX's calls. Writes run on the cycle thread here (the engine's
 * {@code writerExecutor}), so each cycle's writes have reached Graph when it returns.
 */
class PbxToTeamsIntegrationTest {

    private static final Duration POLL = Duration.ofSeconds(10);

    private Landscape l;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        l = Landscape.start(2);
    }

    @AfterEach
    void stop() {
        l.close();
    }

    private SyncEngine engine(ManualDndMode mode, StateStore store) {
        EngineConfig config = Landscape.config().pollInterval(POLL).manualDndMode(mode)
                .pbxToTeams(new PbxToTeams(PbxToTeams.Show.IN_A_CALL, PbxToTeams.Show.IN_A_CALL, Duration.ofHours(1),
                        Duration.ofSeconds(60))).build();
        PbxSink calls = new ForwardingPbxSink(l.sink().recheckInterval(Duration.ZERO).build()) {
            @Override
            public Set<Capability> capabilities() {
                EnumSet<Capability> c = EnumSet.of(Capability.PBX_CALLS);
                c.addAll(delegate().capabilities());
                return c;
            }

            @Override
            public Set<String> usersOnCall() {
                return l.pbx.usersOnCall();
            }
        };
        SyncEngine e = SyncEngine.builder().source(l.source().build()).sink(calls).store(store).config(config)
                .clock(l.clock).writerExecutor(Runnable::run).build();
        return e;
    }

    private void run(SyncEngine engine, Duration d) {
        l.run(engine, POLL, d);
    }

    private List<PresenceWrite> writes(int user) {
        return l.graph.presenceWrites().stream().filter(w -> w.userId().equals(l.graphId(user))).toList();
    }

    private long count(int user, PresenceWrite.Kind kind) {
        return writes(user).stream().filter(w -> w.kind() == kind && w.accepted()).count();
    }

    private long apiDndWrites(int user) {
        int id = l.pbx.userId(Landscape.login(user));
        return l.pbx.dndChanges().stream().filter(c -> c.userId() == id && c.source() == DndSource.API).count();
    }

    private List<String> shown(int user) {
        return l.graph.shownPresence(l.graphId(user));
    }

    /** Loop cases 1 and 2: the session's echo holds nothing, also while Graph still reports a cleared session. */
    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void aDndAtThePhoneSetsRenewsAndClearsASessionAndItsEchoHoldsNothing(ManualDndMode mode) {
        try (SyncEngine engine = engine(mode, new InMemoryStateStore())) {
            engine.syncOnce();
            l.pressDnd(1, true);
            run(engine, Duration.ofSeconds(70));
            assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(1);
            PresenceWrite set = writes(1).get(0);
            assertThat(set.sessionId()).isEqualTo(Landscape.APP);
            assertThat(set.expirationDuration()).isEqualTo("PT1H");
            assertThat(shown(1)).containsExactly("Busy", "InACall");
            run(engine, Duration.ofMinutes(5));
            assertThat(apiDndWrites(1)).as("case 1: no hold from the echo").isZero();
            assertThat(engine.snapshot().stats().holds()).isZero();

            run(engine, Duration.ofMinutes(41)); // renewed with a quarter of the hour left
            assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(2);

            // case 2: DND off at the phone; Graph keeps reporting the session's presence after the clear (late, as
            // it may). The emulator clears at once, so the late report is played by the user's own presence showing
            // the same pair from just before the clear until Graph "catches up"
            l.inCall(1);
            l.pressDnd(1, false);
            run(engine, Duration.ofSeconds(70));
            assertThat(count(1, PresenceWrite.Kind.CLEAR)).isEqualTo(1);
            assertThat(l.graph.presenceSessions(l.graphId(1))).isEmpty();
            run(engine, Duration.ofMinutes(3));
            assertThat(apiDndWrites(1)).as("case 2: no DND from the late echo").isZero();
            assertThat(l.dnd(1)).isFalse();
            l.available(1);
            run(engine, Duration.ofSeconds(20));
            l.inCall(1); // a real call after Teams showed the session gone
            run(engine, Duration.ofSeconds(20));
            assertThat(l.dnd(1)).isTrue();
            assertThat(count(1, PresenceWrite.Kind.SET)).as("case 4: the engine's DND sets no session").isEqualTo(2);
        }
    }

    /** Loop case 3: a Teams call while a session is active, and DND switched off at the phone during it. */
    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void dndOffByHandDuringATeamsCallThatTheSessionHidesStandsUntilTeamsShowsSomethingElse(ManualDndMode mode) {
        try (SyncEngine engine = engine(mode, new InMemoryStateStore())) {
            engine.syncOnce();
            l.pressDnd(1, true);
            run(engine, Duration.ofSeconds(70));
            l.inCall(1);
            run(engine, Duration.ofMinutes(1));
            l.pressDnd(1, false);
            run(engine, Duration.ofMinutes(3));
            assertThat(count(1, PresenceWrite.Kind.CLEAR)).isEqualTo(1);
            assertThat(l.dnd(1)).as("the user's choice wins for this call").isFalse();
            assertThat(apiDndWrites(1)).isZero();
            l.available(1);
            run(engine, Duration.ofSeconds(20));
            l.inCall(1);
            run(engine, Duration.ofSeconds(20));
            assertThat(l.dnd(1)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(ManualDndMode.class)
    void aPbxCallShowsInTeamsUntilItEndsAndTheEnginesOwnDndNeverDoes(ManualDndMode mode) {
        try (SyncEngine engine = engine(mode, new InMemoryStateStore())) {
            l.inCall(2); // case 4: a Teams call, DND by the engine
            engine.syncOnce();
            l.pbx.setOnCall(Landscape.login(1), true);
            run(engine, POLL);
            assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(1);
            assertThat(shown(1)).containsExactly("Busy", "InACall");
            run(engine, Duration.ofMinutes(2));
            assertThat(apiDndWrites(1)).as("no hold from the call's echo").isZero();
            assertThat(count(1, PresenceWrite.Kind.SET)).as("not renewed before a quarter of the hour is left")
                    .isEqualTo(1);
            run(engine, Duration.ofMinutes(44)); // a long call: renewed with a quarter of the hour left
            assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(2);
            assertThat(l.graph.presenceSessions(l.graphId(1))).as("renewed, not a second session").hasSize(1);
            assertThat(shown(1)).containsExactly("Busy", "InACall");
            l.pbx.setOnCall(Landscape.login(1), false);
            run(engine, POLL);
            assertThat(count(1, PresenceWrite.Kind.CLEAR)).isEqualTo(1);
            assertThat(l.graph.presenceSessions(l.graphId(1))).isEmpty();
            assertThat(l.dnd(2)).isTrue();
            assertThat(writes(2)).as("case 4: the engine's own DND creates no session").isEmpty();
        }
    }

    @Test
    void aRestartRenewsTheSessionOnceInsteadOfLosingItAndCloseClearsIt() {
        Path state = dir.resolve("state.json");
        SyncEngine first = engine(ManualDndMode.RESPECT, new JsonFileStateStore(state));
        first.syncOnce();
        l.pressDnd(1, true);
        run(first, Duration.ofSeconds(70));
        first.abandon(); // as after a crash: nothing cleared
        assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(1);

        try (SyncEngine second = engine(ManualDndMode.RESPECT, new JsonFileStateStore(state))) {
            run(second, Duration.ofSeconds(20));
            assertThat(count(1, PresenceWrite.Kind.SET)).as("set again once at start: renewed").isEqualTo(2);
            assertThat(l.graph.presenceSessions(l.graphId(1))).as("one session, not two").hasSize(1);
            run(second, Duration.ofMinutes(10));
            assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(2);
        }
        // close() with releaseOnShutdown (the SIGTERM path) clears it
        assertThat(count(1, PresenceWrite.Kind.CLEAR)).isEqualTo(1);
        assertThat(l.graph.presenceSessions(l.graphId(1))).isEmpty();
    }

    @Test
    void aMissingPermissionIsReportedOnceAndTheDndSyncGoesOn() {
        l.graph.grantPermissions(Landscape.APP, GraphEmulator.READ_PERMISSIONS.toArray(String[]::new));
        try (SyncEngine engine = engine(ManualDndMode.RESPECT, new InMemoryStateStore())) {
            engine.syncOnce();
            l.pressDnd(1, true);
            run(engine, Duration.ofSeconds(70));
            // refused (403) before the emulator's write log: counted as requests
            assertThat(l.graph.requestCount(GraphEmulator.SET_PRESENCE)).isEqualTo(1);
            assertThat(writes(1)).isEmpty();
            assertThat(engine.snapshot().stats().sessions().problem()).contains("Presence.ReadWrite.All");
            l.inCall(2);
            run(engine, Duration.ofMinutes(5));
            assertThat(l.dnd(2)).as("the Teams -> PBX sync goes on").isTrue();
            assertThat(l.graph.requestCount(GraphEmulator.SET_PRESENCE)).as("not tried again every cycle").isEqualTo(1);
        }
    }

    @Test
    void aThrottledSetPresenceWaitsRetryAfterAndThenSucceeds() {
        l.graph.failNext(GraphEmulator.SET_PRESENCE, 1, 429, Duration.ofSeconds(1));
        try (SyncEngine engine = engine(ManualDndMode.RESPECT, new InMemoryStateStore())) {
            engine.syncOnce();
            l.pbx.setOnCall(Landscape.login(1), true);
            run(engine, POLL);
            assertThat(l.graph.requestCount(GraphEmulator.SET_PRESENCE)).as("the 429, then the retry").isEqualTo(2);
            assertThat(writes(1)).hasSize(1);
            assertThat(writes(1).get(0).accepted()).isTrue();
            assertThat(l.graph.earlyRequests()).as("nothing sent before Retry-After ended").isEmpty();
            assertThat(engine.snapshot().stats().sessions().set()).isEqualTo(1);
            assertThat(engine.snapshot().stats().sessions().failed()).isZero();
        }
    }
}
