package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.engine.PbxToTeams;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.starface.StarfacePbxSink;
import dev.teamsconnect.testkit.graph.PresenceWrite;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The STARFACE sink with the bridge (starface.bridge) against the emulated PBX over HTTPS, driven by the real engine
 * and Graph source: the chat status text during a Teams call and the user's own text back afterwards, a text the user
 * set meanwhile kept, the BLF state, PBX calls and a DND at the phone reaching Teams through the bridge's events
 * (the "Both directions" path, without reading every user's phoneconfig), and a wrong secret refused.
 */
class StarfaceBridgeIntegrationTest {

    private static final Duration POLL = Duration.ofSeconds(10);
    static final String INSTANCE = "TeamsConnectBridge";
    static final String SECRET = "bridge-secret-5b7e-2c41-9d0f";
    private static final String IN_A_CALL_TEXT = "On a call in MS Teams";

    private Landscape l;

    private void start(int users) {
        l = Landscape.start(users, b -> b.bridge(INSTANCE, SECRET));
    }

    @AfterEach
    void stop() {
        if (l != null) {
            l.close();
        }
    }

    private StarfacePbxSink bridged() {
        return l.sink().bridge(INSTANCE, SECRET).build();
    }

    private SyncEngine engine(EngineConfig config, StarfacePbxSink sink) {
        return l.engine(config, new InMemoryStateStore(), l.source().build(), sink);
    }

    /** An engine with {@code pbxToTeams} on, its writes to Graph on the cycle thread (done when a cycle returns). */
    private SyncEngine pbxToTeams(StarfacePbxSink sink, PbxToTeams.Show dnd, PbxToTeams.Show calls) {
        EngineConfig config = Landscape.config().manualDndMode(ManualDndMode.RESPECT)
                .pbxToTeams(new PbxToTeams(dnd, calls, Duration.ofHours(1), Duration.ofSeconds(60))).build();
        return SyncEngine.builder().source(l.source().build()).sink(sink).store(new InMemoryStateStore())
                .config(config).clock(l.clock).writerExecutor(Runnable::run).build();
    }

    private void run(SyncEngine engine, Duration d) {
        l.run(engine, POLL, d);
    }

    /** Waits (real time, with a deadline) for what the bridge's event thread does on its own. */
    private static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 15 s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private long count(int user, PresenceWrite.Kind kind) {
        return l.graph.presenceWrites().stream().filter(w -> w.userId().equals(l.graphId(user)) && w.kind() == kind
                && w.accepted()).count();
    }

    @Test
    void theChatTextShowsTheTeamsCallAndTheUsersOwnTextComesBackWithTheBlfState() {
        start(2);
        l.pbx.userChangesChatStatus(Landscape.login(1), "ONLINE", "Im Homeoffice");
        StarfacePbxSink sink = bridged();
        assertThat(sink.capabilities()).contains(Capability.CHAT_STATUS, Capability.BUSY_LAMP, Capability.PBX_CALLS,
                Capability.DND_EVENTS);
        SyncEngine engine = engine(Landscape.config().build(), sink);
        engine.syncOnce();
        assertThat(l.pbx.telephonyState(Landscape.login(1))).isEmpty();

        l.inCall(1);
        run(engine, POLL);
        assertThat(l.dnd(1)).isTrue();
        assertThat(l.pbx.chatState(Landscape.login(1)).text()).isEqualTo(IN_A_CALL_TEXT);
        assertThat(l.pbx.chatState(Landscape.login(1)).presence()).as("the presence is the user's").isEqualTo("ONLINE");
        assertThat(l.pbx.telephonyState(Landscape.login(1))).contains("ACTIVE");
        assertThat(l.pbx.chatState(Landscape.login(2)).text()).as("nobody else's").isEmpty();

        l.available(1);
        run(engine, POLL);
        assertThat(l.dnd(1)).isFalse();
        assertThat(l.pbx.chatState(Landscape.login(1)).text()).isEqualTo("Im Homeoffice");
        assertThat(l.pbx.telephonyState(Landscape.login(1))).contains("AVAILABLE");

        int calls = l.pbx.bridgeCalls().size();
        run(engine, Duration.ofMinutes(2));
        assertThat(l.pbx.bridgeCalls().subList(calls, l.pbx.bridgeCalls().size()))
                .as("settled: nothing written through the bridge").doesNotContain("setChatStatus", "setTelephonyState");
    }

    /** User 1 with the chat text "Im Homeoffice" starts a Teams call: the bridge shows the call's text. */
    private SyncEngine oneUserInACallWithItsOwnChatText() {
        start(1);
        l.pbx.userChangesChatStatus(Landscape.login(1), "ONLINE", "Im Homeoffice");
        SyncEngine engine = engine(Landscape.config().build(), bridged());
        engine.syncOnce();
        l.inCall(1);
        run(engine, POLL);
        assertThat(l.pbx.chatState(Landscape.login(1)).text()).isEqualTo(IN_A_CALL_TEXT);
        return engine;
    }

    @Test
    void aChatStatusTheUserSetsDuringTheCallIsKept() {
        SyncEngine engine = oneUserInACallWithItsOwnChatText();

        l.pbx.userChangesChatStatus(Landscape.login(1), "AWAY", "Mittagspause");
        run(engine, POLL);
        l.available(1);
        run(engine, Duration.ofMinutes(1));
        assertThat(l.pbx.chatState(Landscape.login(1)).text()).isEqualTo("Mittagspause");
        assertThat(l.pbx.chatState(Landscape.login(1)).presence()).isEqualTo("AWAY");
        assertThat(l.dnd(1)).isFalse();
    }

    @Test
    void aPbxCallReachesTeamsThroughTheBridgesEvents() {
        start(2);
        StarfacePbxSink sink = bridged();
        try (SyncEngine engine = pbxToTeams(sink, PbxToTeams.Show.OFF, PbxToTeams.Show.IN_A_CALL)) {
            engine.syncOnce();
            l.pbx.setOnCall(Landscape.login(1), true);
            String id = Integer.toString(l.pbx.userId(Landscape.login(1)));
            await("the bridge's events show the call", () -> sink.usersOnCall().contains(id));
            run(engine, POLL);
            assertThat(count(1, PresenceWrite.Kind.SET)).isEqualTo(1);
            assertThat(l.graph.shownPresence(l.graphId(1))).containsExactly("Busy", "InACall");
            run(engine, Duration.ofMinutes(1));
            assertThat(l.dnd(1)).as("no hold from the call's echo").isFalse();

            l.pbx.setOnCall(Landscape.login(1), false);
            await("the bridge's events show the end of the call", () -> !sink.usersOnCall().contains(id));
            run(engine, POLL);
            assertThat(count(1, PresenceWrite.Kind.CLEAR)).isEqualTo(1);
            assertThat(count(2, PresenceWrite.Kind.SET)).isZero();
        }
    }

    @Test
    void aDndAtThePhoneReachesTeamsThroughTheBridgesEventsWithoutReadingEveryUser() {
        start(40);
        StarfacePbxSink sink = bridged();
        try (SyncEngine engine = pbxToTeams(sink, PbxToTeams.Show.IN_A_CALL, PbxToTeams.Show.OFF)) {
            engine.syncOnce();
            run(engine, POLL);
            int before = l.pbx.requestCount("GET /rest/users/{id}/phoneconfig");
            l.pressDnd(7, true);
            await("the bridge's events carry the DND to Teams", () -> {
                run(engine, POLL);
                return count(7, PresenceWrite.Kind.SET) == 1;
            });
            run(engine, Duration.ofMinutes(3));
            int reads = l.pbx.requestCount("GET /rest/users/{id}/phoneconfig") - before;
            // without events, readInterval 60 s reads all 40 users every minute: 120+ reads in these 3 minutes
            assertThat(reads).as("phoneconfig reads for a DND at the phone, with events").isLessThan(40);
            l.pressDnd(7, false);
            await("the bridge's events carry the DND off", () -> {
                run(engine, POLL);
                return count(7, PresenceWrite.Kind.CLEAR) == 1;
            });
        }
    }

    @Test
    void aWrongSecretIsReportedWithTheKeyToFixAndTheDndSyncGoesOnWithoutTheBridge() {
        start(1);
        String wrong = "not-the-bridge-secret-0000";
        l.pbx.userChangesChatStatus(Landscape.login(1), "ONLINE", "Im Homeoffice");
        StarfacePbxSink sink = l.sink().bridge(INSTANCE, wrong).build();
        SyncEngine engine = engine(Landscape.config().build(), sink);
        engine.syncOnce();
        List<CheckNote> notes = sink.checkNotes();
        assertThat(notes).hasSize(1);
        assertThat(notes.get(0).level()).isEqualTo(CheckNote.Level.PROBLEM);
        assertThat(notes.get(0).text()).contains("refused the secret", "starface.bridge.secret")
                .doesNotContain(wrong).doesNotContain(SECRET);
        assertThat(l.pbx.bridgeSecretRejections()).isPositive();

        l.inCall(1);
        run(engine, POLL);
        assertThat(l.dnd(1)).isTrue();
        l.available(1);
        run(engine, POLL);
        assertThat(l.dnd(1)).as("nobody stays in DND for a bridge that refuses us").isFalse();
        assertThat(l.pbx.chatState(Landscape.login(1)).text()).as("nothing written without the secret")
                .isEqualTo("Im Homeoffice");
    }

    @Test
    void whileTheBridgeIsAwayDndIsRestoredAndTheUsersOwnChatTextComesBackWhenItAnswersAgain() {
        SyncEngine engine = oneUserInACallWithItsOwnChatText();

        l.pbx.failNext("POST /xml-rpc", 1_000, 503); // the module is being updated
        l.available(1);
        run(engine, POLL);
        assertThat(l.dnd(1)).as("DND restored without the bridge").isFalse();
        assertThat(engine.snapshot().stats().holds()).as("the chat text is still remembered").isEqualTo(1);

        l.pbx.clearScriptedFailures();
        run(engine, POLL);
        assertThat(l.pbx.chatState(Landscape.login(1)).text()).isEqualTo("Im Homeoffice");
        assertThat(engine.snapshot().stats().holds()).isZero();
    }
}
