package dev.teamsconnect.core.decorate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.PluginException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.store.InMemoryStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class DecoratorsTest {

    private static final PbxUser ANNA = new PbxUser("1", "0001", "anna@corp.example", "Anna");

    /** A sink whose listUsers and readState answers come from a script. */
    private static final class ScriptedSink implements PbxSink {
        final List<Supplier<List<PbxUser>>> listAnswers = new ArrayList<>();
        final Map<String, PbxState> states = new HashMap<>();
        int listCalls;
        final List<PbxChange> applied = new ArrayList<>();

        public String id() {
            return "scripted";
        }

        public Set<Capability> capabilities() {
            return Set.of(Capability.DND);
        }

        public List<PbxUser> listUsers() {
            return listAnswers.get(Math.min(listCalls++, listAnswers.size() - 1)).get();
        }

        public PbxState readState(PbxUser user) {
            return states.get(user.id());
        }

        public void apply(PbxChange change) {
            applied.add(change);
            states.put(change.user().id(), change.to());
        }
    }

    @Test
    void backoffGrowsAndIsBounded() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(300), 2, 0);
        Random r = new Random(1);
        assertThat(List.of(p.backoff(1, r), p.backoff(2, r), p.backoff(3, r), p.backoff(4, r)))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(300));
        RetryPolicy jittered = new RetryPolicy(5, Duration.ofMillis(1000), Duration.ofSeconds(10), 2, 0.5);
        for (int i = 0; i < 100; i++) {
            assertThat(jittered.backoff(1, r).toMillis()).isBetween(500L, 1500L);
        }
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 1, 0))
                .isInstanceOf(ConfigException.class).hasMessage("retry.maxAttempts: must be >= 1, but was 0");
    }

    @Test
    void retriesRetryableFailuresWithBackoffThroughTheSleeper() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> {
            throw new RetryableException("503");
        });
        sink.listAnswers.add(() -> {
            throw new RetryableException("503");
        });
        sink.listAnswers.add(() -> List.of(ANNA));
        List<Duration> slept = new ArrayList<>();
        RetryingPbxSink retrying = new RetryingPbxSink(sink,
                new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0), slept::add, new Random(1));
        assertThat(retrying.listUsers()).containsExactly(ANNA);
        assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void givesUpAfterMaxAttempts() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> {
            throw new RetryableException("503");
        });
        List<Duration> slept = new ArrayList<>();
        RetryingPbxSink retrying = new RetryingPbxSink(sink,
                new RetryPolicy(3, Duration.ofMillis(10), Duration.ofSeconds(1), 2, 0), slept::add, new Random(1));
        assertThatThrownBy(retrying::listUsers).isInstanceOf(RetryableException.class);
        assertThat(sink.listCalls).isEqualTo(3);
        assertThat(slept).hasSize(2);
    }

    @Test
    void doesNotRetryTerminalFailures() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> {
            throw new TerminalException("401 bad credentials");
        });
        RetryingPbxSink retrying = new RetryingPbxSink(sink, RetryPolicy.defaults(), d -> {
            throw new AssertionError("must not sleep");
        }, new Random(1));
        assertThatThrownBy(retrying::listUsers).isInstanceOf(TerminalException.class);
        assertThat(sink.listCalls).isEqualTo(1);
    }

    @Test
    void honoursRetryAfterAndLeavesLongerPausesToTheNextCycle() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> {
            throw new RetryableException("429", Duration.ofMillis(700), null);
        });
        sink.listAnswers.add(() -> List.of(ANNA));
        List<Duration> slept = new ArrayList<>();
        RetryingPbxSink retrying = new RetryingPbxSink(sink,
                new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0), slept::add, new Random(1));
        assertThat(retrying.listUsers()).containsExactly(ANNA);
        assertThat(slept).containsExactly(Duration.ofMillis(700));

        ScriptedSink slow = new ScriptedSink();
        slow.listAnswers.add(() -> {
            throw new RetryableException("429", Duration.ofSeconds(30), null);
        });
        RetryingPbxSink r2 = new RetryingPbxSink(slow,
                new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0), slept::add, new Random(1));
        assertThatThrownBy(r2::listUsers).isInstanceOf(RetryableException.class);
        assertThat(slow.listCalls).isEqualTo(1);
    }

    @Test
    void isolationCountsAndWrapsForeignExceptions() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> {
            throw new NullPointerException("oops");
        });
        FailureCounts counts = new FailureCounts();
        IsolatingPbxSink isolated = new IsolatingPbxSink(sink, counts);
        assertThatThrownBy(isolated::listUsers)
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("scripted").hasMessageContaining("listUsers")
                .hasCauseInstanceOf(NullPointerException.class);
        assertThatThrownBy(isolated::listUsers).isInstanceOf(PluginException.class);
        assertThat(counts.snapshot()).containsEntry("sink.listUsers", 2L);
    }

    @Test
    void isolationPassesOurExceptionsAndErrorsThrough() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> {
            throw new RetryableException("timeout");
        });
        FailureCounts counts = new FailureCounts();
        IsolatingPbxSink isolated = new IsolatingPbxSink(sink, counts);
        assertThatThrownBy(isolated::listUsers).isInstanceOf(RetryableException.class);

        ScriptedSink broken = new ScriptedSink();
        broken.listAnswers.add(() -> {
            throw new OutOfMemoryError("simulated");
        });
        assertThatThrownBy(new IsolatingPbxSink(broken, counts)::listUsers).isInstanceOf(OutOfMemoryError.class);
        assertThat(counts.get("sink.listUsers")).isEqualTo(1);
    }

    @Test
    void isolationTreatsNullAnswersAsFailures() {
        ScriptedSink sink = new ScriptedSink();
        sink.listAnswers.add(() -> null);
        FailureCounts counts = new FailureCounts();
        assertThatThrownBy(new IsolatingPbxSink(sink, counts)::listUsers).isInstanceOf(PluginException.class)
                .hasMessageContaining("returned null");
    }

    @Test
    void dryRunWritesNothingAndShowsTheSimulatedStateUntilTheRealOneMoves() {
        ScriptedSink sink = new ScriptedSink();
        sink.states.put("1", PbxState.dnd(false));
        List<AuditEvent> events = new ArrayList<>();
        DryRunPbxSink dry = new DryRunPbxSink(sink, events::add);
        dry.applyAll(List.of(new PbxChange(ANNA, PbxState.dnd(false), PbxState.dnd(true), null, null, "test", Instant.EPOCH)));
        assertThat(sink.applied).isEmpty();
        assertThat(events).singleElement().extracting(AuditEvent::kind).isEqualTo(AuditEvent.Kind.DRY_RUN);
        assertThat(dry.readStates(List.of(ANNA)).values().get("1")).isEqualTo(PbxState.dnd(true));
        sink.states.put("1", PbxState.dnd(false).withChatStatus("by hand"));
        assertThat(dry.readStates(List.of(ANNA)).values().get("1")).isEqualTo(PbxState.dnd(false).withChatStatus("by hand"));
    }

    @Test
    void dryRunStoreNeverChangesTheRealStore() {
        InMemoryStateStore real = new InMemoryStateStore();
        Hold h = new Hold("1", Hold.Kind.HELD, false, true, null, null, true, Instant.EPOCH);
        real.commit(List.of(h), List.of());
        DryRunStateStore dry = new DryRunStateStore(real);
        dry.commit(List.of(new Hold("2", Hold.Kind.HELD, false, true, null, null, true, Instant.EPOCH)), List.of("1"));
        assertThat(dry.load()).containsOnlyKeys("2");
        assertThat(real.load()).containsOnlyKeys("1");
    }
}
