package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryPbxSinkTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryPbxSink pbx = InMemoryPbxSink.create(clock);
    private final PbxUser alice = pbx.addUser("1001", "alice", "alice@example.com", "Alice", false);
    private final PbxUser bob = pbx.addUser("1002", "bob", "bob@example.com", "Bob", true);

    private static PbxChange change(PbxUser user, PbxState to, String reason) {
        return new PbxChange(user, PbxState.dnd(false), to, null, null, reason, T0);
    }

    @Test
    void logsWritesAndManualChangesWithTheClocksTime() {
        pbx.apply(change(alice, new PbxState(true, "On a call in MS Teams"), "Teams Busy/InACall -> DND on"));
        clock.advance(Duration.ofSeconds(30));
        pbx.pressDndKey("1001", false);

        assertThat(pbx.log()).hasSize(2);
        InMemoryPbxSink.LogEntry write = pbx.log().get(0);
        assertThat(write.at()).isEqualTo(T0);
        assertThat(write.origin()).isEqualTo(InMemoryPbxSink.Origin.SINK);
        assertThat(write.from()).isEqualTo(PbxState.dnd(false));
        assertThat(write.to()).isEqualTo(new PbxState(true, "On a call in MS Teams"));
        assertThat(write.reason()).isEqualTo("Teams Busy/InACall -> DND on");
        InMemoryPbxSink.LogEntry manual = pbx.log().get(1);
        assertThat(manual.at()).isEqualTo(T0.plusSeconds(30));
        assertThat(manual.origin()).isEqualTo(InMemoryPbxSink.Origin.MANUAL);
        assertThat(pbx.writes()).containsExactly(write);
        assertThat(pbx.state("1001")).isEqualTo(new PbxState(false, "On a call in MS Teams"));
    }

    @Test
    void writesOnlyDeclaredCapabilities() {
        pbx.capabilities(Set.of(Capability.DND));
        pbx.apply(change(alice, new PbxState(true, "ignored"), "r"));
        assertThat(pbx.state("1001")).isEqualTo(new PbxState(true, null));
        assertThat(pbx.capabilities()).containsExactly(Capability.DND);

        pbx.capabilities(Set.of(Capability.CHAT_STATUS));
        pbx.apply(change(alice, new PbxState(false, "text"), "r"));
        assertThat(pbx.state("1001")).isEqualTo(new PbxState(true, "text"));
    }

    @Test
    void readHidesChatStatusWithoutTheCapability() {
        pbx.setChatStatusByHand("1002", "Lunch");
        assertThat(pbx.readState(bob).chatStatus()).isEqualTo("Lunch");
        pbx.capabilities(Set.of(Capability.DND));
        assertThat(pbx.readState(bob)).isEqualTo(PbxState.dnd(true));
    }

    @Test
    void failsTheNextWritesOfOneUserOnly() {
        pbx.failNextWrites("1001", 2, InMemoryPbxSink.retryable("PBX 503"));
        List<PbxChange> both = List.of(change(alice, PbxState.dnd(true), "r"), change(bob, PbxState.dnd(false), "r"));

        BatchResult<PbxState> first = pbx.applyAll(both);
        assertThat(first.failures()).containsOnlyKeys("1001");
        assertThat(first.failures().get("1001")).isInstanceOf(RetryableException.class).hasMessage("PBX 503");
        assertThat(first.values()).containsOnlyKeys("1002");
        assertThatThrownBy(() -> pbx.apply(change(alice, PbxState.dnd(true), "r"))).hasMessage("PBX 503");
        pbx.apply(change(alice, PbxState.dnd(true), "r"));

        assertThat(pbx.dnd("1001")).isTrue();
        assertThat(pbx.dnd("1002")).isFalse();
        assertThat(pbx.writeCount("1001")).isEqualTo(3);
        assertThat(pbx.writeCount()).isEqualTo(4);
        assertThat(pbx.writes()).hasSize(2);
    }

    @Test
    void failsTheNextReadsOfOneUserOnly() {
        pbx.failNextReads("1002", 1, InMemoryPbxSink.terminal("forbidden"));
        BatchResult<PbxState> r = pbx.readStates(List.of(alice, bob));
        assertThat(r.values()).containsOnlyKeys("1001");
        assertThat(r.failures().get("1002")).isInstanceOf(TerminalException.class);
        assertThat(pbx.readStates(List.of(alice, bob)).failures()).isEmpty();
        assertThat(pbx.readCount()).isEqualTo(4);
    }

    @Test
    void backendFailureFailsTheWholeCall() {
        pbx.failNextCalls(2, InMemoryPbxSink.retryable("connection refused"));
        assertThatThrownBy(pbx::listUsers).isInstanceOf(RetryableException.class);
        assertThatThrownBy(() -> pbx.readStates(List.of(alice))).isInstanceOf(RetryableException.class);
        assertThat(pbx.listUsers()).extracting(PbxUser::id).containsExactly("1001", "1002");
    }

    @Test
    void unknownUserIsAnUnknownUserException() {
        PbxUser ghost = new PbxUser("9", null, null, null);
        assertThatThrownBy(() -> pbx.readState(ghost)).isInstanceOf(UnknownUserException.class);
        assertThatThrownBy(() -> pbx.apply(change(ghost, PbxState.dnd(true), "r")))
                .isInstanceOf(UnknownUserException.class);
        assertThatThrownBy(() -> pbx.pressDndKey("9", true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listsGroupMembers() {
        pbx.addGroupMember("support", "1002");
        assertThat(pbx.listGroupMembers("support")).containsExactly(bob);
        assertThatThrownBy(() -> pbx.listGroupMembers("sales")).isInstanceOf(TerminalException.class)
                .hasMessageContaining("sales");
        pbx.capabilities(Set.of(Capability.DND));
        assertThatThrownBy(() -> pbx.listGroupMembers("support")).hasMessageContaining("does not support user groups");
    }

    @Test
    void closedSinkRefusesCallsAndCloseIsIdempotent() {
        pbx.open();
        pbx.close();
        pbx.close();
        assertThat(pbx.isClosed()).isTrue();
        assertThat(pbx.openCount()).isEqualTo(1);
        assertThatThrownBy(pbx::listUsers).isInstanceOf(TerminalException.class).hasMessageContaining("closed");
    }

    @Test
    void providerHandsOutThisInstance() {
        assertThat(pbx.asProvider().id()).isEqualTo("memory");
        assertThat(pbx.asProvider().create(null)).isSameAs(pbx);
    }

    @Test
    void concurrentWritesAndManualTogglesLoseNothing() throws Exception {
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean manual = t % 2 == 0;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        if (manual) {
                            pbx.pressDndKey("1002", i % 2 == 0);
                        } else {
                            pbx.apply(change(alice, PbxState.dnd(i % 2 == 0), "r"));
                            pbx.readState(alice);
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(pbx.log()).hasSize(threads * perThread);
        assertThat(pbx.writeCount()).isEqualTo(threads / 2 * perThread);
        assertThat(pbx.writes()).hasSize(threads / 2 * perThread);
        assertThat(pbx.readCount()).isEqualTo(threads / 2 * perThread);
    }
}
