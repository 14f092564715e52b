package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.StatusOutput;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The output kit must catch broken outputs: each deliberately broken output below fails the contracts it breaks,
 * while a correct one passes all of them.
 */
class StatusOutputCompatibilityKitTest {

    /** A receiver in memory: the latest status per user. */
    static final class Receiver {
        final Map<String, OutputStatus> held = new ConcurrentHashMap<>();
        volatile boolean down;
    }

    /** Delivers into a {@link Receiver}; subclasses break one thing. */
    static class MemoryOutput implements StatusOutput {
        final Receiver receiver;

        MemoryOutput(Receiver receiver) {
            this.receiver = receiver;
        }

        @Override
        public String id() {
            return "memory";
        }

        @Override
        public void publish(List<OutputStatus> statuses) {
            if (receiver.down) {
                throw new RetryableException("receiver down");
            }
            statuses.forEach(s -> receiver.held.put(s.pbxUserId(), s));
        }

        @Override
        public void remove(Collection<String> pbxUserIds) {
            if (receiver.down) {
                throw new RetryableException("receiver down");
            }
            pbxUserIds.forEach(receiver.held::remove);
        }
    }

    abstract static class KitOver extends StatusOutputCompatibilityKit {
        final Receiver receiver = new Receiver();

        abstract StatusOutput make(Receiver receiver);

        @Override
        protected StatusOutput createOutput() {
            return make(receiver);
        }

        @Override
        protected Optional<OutputStatus> received(String pbxUserId) {
            return Optional.ofNullable(receiver.held.get(pbxUserId));
        }

        @Override
        protected boolean canTakeReceiverDown() {
            return true;
        }

        @Override
        protected void takeReceiverDown() {
            receiver.down = true;
        }

        @Override
        protected void bringReceiverBack() {
            receiver.down = false;
        }

        @Override
        protected Duration receiveTimeout() {
            return Duration.ofMillis(200);
        }
    }

    static class CorrectKit extends KitOver {
        @Override
        StatusOutput make(Receiver receiver) {
            return new MemoryOutput(receiver);
        }
    }

    /** Broken: the hold kind never arrives. */
    static class HoldDroppingKit extends KitOver {
        @Override
        StatusOutput make(Receiver receiver) {
            return new MemoryOutput(receiver) {
                @Override
                public void publish(List<OutputStatus> statuses) {
                    super.publish(statuses.stream().map(s -> new OutputStatus(s.pbxUserId(), s.label(), s.teamsUserId(),
                            s.availability(), s.activity(), s.category(), s.wantedDnd(), s.pbxDnd(), null, s.reason(),
                            s.at())).toList());
                }
            };
        }
    }

    /** Broken: remove does nothing. */
    static class RemoveIgnoringKit extends KitOver {
        @Override
        StatusOutput make(Receiver receiver) {
            return new MemoryOutput(receiver) {
                @Override
                public void remove(Collection<String> pbxUserIds) {
                }
            };
        }
    }

    /** Broken: a receiver that is down leaks an IllegalStateException instead of a TeamsConnectException. */
    static class WrongExceptionKit extends KitOver {
        @Override
        StatusOutput make(Receiver receiver) {
            return new MemoryOutput(receiver) {
                @Override
                public void publish(List<OutputStatus> statuses) {
                    if (receiver.down) {
                        throw new IllegalStateException("socket closed");
                    }
                    super.publish(statuses);
                }
            };
        }
    }

    /** Broken: only the first status of a call is delivered. */
    static class FirstOnlyKit extends KitOver {
        @Override
        StatusOutput make(Receiver receiver) {
            return new MemoryOutput(receiver) {
                @Override
                public void publish(List<OutputStatus> statuses) {
                    super.publish(statuses.isEmpty() ? statuses : statuses.subList(0, 1));
                }
            };
        }
    }

    @Test
    void aCorrectOutputPassesEveryTest() {
        KitRunner.Outcome o = KitRunner.run(CorrectKit.class);
        assertThat(o.failed()).isEmpty();
        assertThat(o.passed()).hasSizeGreaterThanOrEqualTo(12);
    }

    @Test
    void anOutputThatDropsTheHoldKindFails() {
        assertThat(KitRunner.run(HoldDroppingKit.class).failed()).contains("publishedStatusArrivesWithEveryField",
                "nonAsciiTextSurvives").doesNotContain("unknownValuesArriveAsUnknown", "idIsNonBlankLowerCase");
    }

    @Test
    void anOutputThatDoesNotRemoveFails() {
        assertThat(KitRunner.run(RemoveIgnoringKit.class).failed()).containsExactlyInAnyOrder("removeTakesAUserAway",
                "worksUnderTheDispatcher");
    }

    @Test
    void anOutputThatThrowsTheWrongExceptionFails() {
        assertThat(KitRunner.run(WrongExceptionKit.class).failed()).containsExactly("receiverDownFailsCleanlyAndRecovers");
    }

    @Test
    void anOutputThatDeliversOnlyPartOfACallFails() {
        assertThat(KitRunner.run(FirstOnlyKit.class).failed()).contains("publishedStatusArrivesWithEveryField",
                "publishingOneUserLeavesTheOthersAlone", "worksUnderTheDispatcher");
    }
}
