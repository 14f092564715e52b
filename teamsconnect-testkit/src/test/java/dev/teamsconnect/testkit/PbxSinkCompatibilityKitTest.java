package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The sink kit must catch broken sinks: each deliberately broken sink below fails exactly the contracts it
 * breaks, while a correct sink passes all of them.
 */
class PbxSinkCompatibilityKitTest {

    /** Forwards to an in-memory PBX; subclasses break one thing. */
    static class ForwardingSink implements PbxSink {
        final InMemoryPbxSink delegate;

        ForwardingSink(InMemoryPbxSink delegate) {
            this.delegate = delegate;
        }

        @Override public String id() { return delegate.id(); }
        @Override public Set<Capability> capabilities() { return delegate.capabilities(); }
        @Override public void open() { delegate.open(); }
        @Override public List<PbxUser> listUsers() { return delegate.listUsers(); }
        @Override public PbxState readState(PbxUser user) { return delegate.readState(user); }
        @Override public void apply(PbxChange change) { delegate.apply(change); }
        @Override public void close() { delegate.close(); }
    }

    /** A kit run over a sink made by {@code wrap}. */
    abstract static class KitOver extends PbxSinkCompatibilityKit {
        InMemoryPbxSink pbx;

        abstract PbxSink wrap(InMemoryPbxSink pbx);

        @Override
        protected PbxSink createSink(List<SeedUser> users) {
            pbx = InMemoryPbxSink.create();
            int id = 100;
            for (SeedUser u : users) {
                pbx.addUser(String.valueOf(++id), u.login(), u.email(), u.displayName(), u.dnd());
            }
            return wrap(pbx);
        }

        @Override
        protected void setDndOutOfBand(PbxUser user, boolean dnd) {
            pbx.pressDndKey(user.id(), dnd);
        }

        @Override
        protected boolean backendDnd(PbxUser user) {
            return pbx.dnd(user.id());
        }
    }

    /** Correct: only forwards (uses the SPI's default batch methods). */
    static class CorrectForwardingKit extends KitOver {
        @Override
        PbxSink wrap(InMemoryPbxSink pbx) {
            return new ForwardingSink(pbx);
        }
    }

    /** Broken: apply() never reaches the backend. */
    static class WriteDroppingKit extends KitOver {
        @Override
        PbxSink wrap(InMemoryPbxSink pbx) {
            return new ForwardingSink(pbx) {
                @Override
                public void apply(PbxChange change) {
                    // swallowed
                }
            };
        }
    }

    /** Broken: remembers the first state read per user and never asks the backend again. */
    static class CachingKit extends KitOver {
        @Override
        PbxSink wrap(InMemoryPbxSink pbx) {
            Map<String, PbxState> cache = new HashMap<>();
            return new ForwardingSink(pbx) {
                @Override
                public PbxState readState(PbxUser user) {
                    return cache.computeIfAbsent(user.id(), id -> delegate.readState(user));
                }
            };
        }
    }

    /** Broken: one unknown user fails the whole batch. */
    static class BatchFailingKit extends KitOver {
        @Override
        PbxSink wrap(InMemoryPbxSink pbx) {
            return new ForwardingSink(pbx) {
                @Override
                public BatchResult<PbxState> readStates(Collection<PbxUser> users) {
                    Map<String, PbxState> values = new HashMap<>();
                    for (PbxUser u : users) {
                        values.put(u.id(), delegate.readState(u));
                    }
                    return BatchResult.of(values);
                }

                @Override
                public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
                    changes.forEach(delegate::apply);
                    Map<String, PbxState> values = new HashMap<>();
                    changes.forEach(c -> values.put(c.user().id(), c.to()));
                    return BatchResult.of(values);
                }
            };
        }
    }

    /** Broken: upper-case id, no DND capability, and close() throws the second time. */
    static class SloppyLifecycleKit extends KitOver {
        @Override
        PbxSink wrap(InMemoryPbxSink pbx) {
            return new ForwardingSink(pbx) {
                private boolean closed;

                @Override
                public String id() {
                    return "Memory";
                }

                @Override
                public Set<Capability> capabilities() {
                    return Set.of(Capability.CHAT_STATUS);
                }

                @Override
                public void close() {
                    if (closed) {
                        throw new RetryableException("already closed");
                    }
                    closed = true;
                }
            };
        }
    }

    @Test
    void correctSinkPassesEveryContract() {
        KitRunner.Outcome outcome = KitRunner.run(CorrectForwardingKit.class);
        assertThat(outcome.failed()).isEmpty();
        assertThat(outcome.passed()).hasSizeGreaterThanOrEqualTo(18);
    }

    @Test
    void kitCatchesASinkThatDropsWrites() {
        assertThat(KitRunner.run(WriteDroppingKit.class).failed()).contains(
                "applyDndOnIsVisibleInBackend", "applyDndOffIsVisibleInBackend", "applyAllWritesSeveralChanges",
                "chatStatusIsWrittenAndReadBack")
                .doesNotContain("listUsersReturnsEverySeededUserWithItsEmail", "readStateReflectsSeededDnd");
    }

    @Test
    void kitCatchesASinkThatCachesState() {
        assertThat(KitRunner.run(CachingKit.class).failed())
                .contains("outOfBandDndChangeIsVisibleInReadState", "applyDndOnIsVisibleInBackend")
                .doesNotContain("readStateReflectsSeededDnd");
    }

    @Test
    void kitCatchesASinkWhereOneUnknownUserFailsTheBatch() {
        assertThat(KitRunner.run(BatchFailingKit.class).failed())
                .contains("unknownUserIsAPerUserFailureInReadStates", "unknownUserIsAPerUserFailureInApplyAll")
                .doesNotContain("readStatesReturnsEveryRequestedUser", "applyAllWritesSeveralChanges");
    }

    @Test
    void kitCatchesBadIdCapabilitiesAndClose() {
        assertThat(KitRunner.run(SloppyLifecycleKit.class).failed()).contains(
                "idIsNonBlankLowerCase", "declaresCapabilitiesIncludingDnd", "closeIsIdempotent",
                "closeWithoutOpenIsHarmless");
    }
}
