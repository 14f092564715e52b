package dev.teamsconnect.core.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.StatusOutput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutputDispatcherTest {

    static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    final TestClock clock = new TestClock(T0);
    final RecordingOutput out = new RecordingOutput("rec");

    OutputDispatcher dispatcher(OutputSettings settings) {
        return OutputDispatcher.builder().clock(clock).random(new Random(1)).output(out, settings).build();
    }

    static OutputSettings settings() {
        return OutputSettings.defaults().withBackoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8)));
    }

    @Test
    void sendsEachUserOnceThenOnlyChanges() {
        OutputDispatcher d = dispatcher(settings());
        d.offer(snapshot(user("1", "Busy/InACall", true), user("2", "Available/Available", null)));
        d.deliverDue();
        assertThat(out.published()).extracting(OutputStatus::pbxUserId).containsExactly("1", "2");

        clock.advance(Duration.ofSeconds(5));
        d.offer(snapshot(user("1", "Busy/InACall", true), user("2", "Away/Away", null)));
        d.deliverDue();
        assertThat(out.published()).extracting(OutputStatus::pbxUserId).containsExactly("1", "2", "2");
        OutputStatus last = out.published().get(2);
        assertThat(last.availability()).isEqualTo("Away");
        assertThat(last.activity()).isEqualTo("Away");
        assertThat(d.stats().get(0).delivered()).isEqualTo(3);
        assertThat(d.stats().get(0).queued()).isZero();
    }

    @Test
    void carriesTheSnapshotFieldsIntoTheStatus() {
        OutputDispatcher d = dispatcher(settings());
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        OutputStatus s = out.published().get(0);
        assertThat(s.label()).isEqualTo("User 1");
        assertThat(s.teamsUserId()).isEqualTo("t-1");
        assertThat(s.category()).isEqualTo(PresenceCategory.IN_A_CALL);
        assertThat(s.wantedDnd()).isTrue();
        assertThat(s.pbxDnd()).isTrue();
        assertThat(s.holdKind()).isEqualTo(Hold.Kind.HELD);
        assertThat(s.reason()).isEqualTo("because 1");
        assertThat(s.at()).isEqualTo(T0);
    }

    @Test
    void republishesEveryUserEveryInterval() {
        OutputDispatcher d = dispatcher(settings().withRepublishInterval(Duration.ofMinutes(2)));
        d.offer(snapshot(user("1", "Busy/InACall", true), user("2", "Available/Available", null)));
        d.deliverDue();
        clock.advance(Duration.ofMinutes(1));
        d.deliverDue();
        assertThat(out.published()).hasSize(2);
        clock.advance(Duration.ofMinutes(1));
        d.deliverDue();
        assertThat(out.published()).extracting(OutputStatus::pbxUserId).containsExactly("1", "2", "1", "2");
    }

    @Test
    void retriesWithBackoffAndKeepsOnlyTheLatestStatusPerUser() {
        OutputDispatcher d = dispatcher(settings());
        out.failNext(2, () -> new RetryableException("receiver down"));
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue(); // open, then publish fails
        assertThat(d.stats().get(0).failed()).isEqualTo(1);
        assertThat(d.stats().get(0).lastError()).isEqualTo("receiver down");
        assertThat(d.stats().get(0).failing()).isTrue();
        assertThat(d.stats().get(0).queued()).isEqualTo(1);

        d.offer(snapshot(user("1", "Available/Available", null)));
        d.deliverDue(); // the retry is not due yet: no call
        assertThat(out.calls()).isEqualTo(out.callsAtLastFailure());

        clock.advance(Duration.ofSeconds(1)); // the first retry waits 0.5..1 s
        d.deliverDue(); // fails again
        assertThat(d.stats().get(0).failed()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(2));
        d.deliverDue();
        assertThat(out.published()).extracting(OutputStatus::availability).containsExactly("Available");
        assertThat(d.stats().get(0).failing()).isFalse();
        assertThat(d.stats().get(0).delivered()).isEqualTo(1);
        assertThat(out.opens()).as("open() again after each failure").isEqualTo(3);
    }

    @Test
    void waitsAtLeastAsLongAsTheReceiverAsks() {
        OutputDispatcher d = dispatcher(settings());
        out.failNext(1, () -> new RetryableException("429", Duration.ofSeconds(30), null));
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        clock.advance(Duration.ofSeconds(29));
        d.deliverDue();
        assertThat(out.published()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        d.deliverDue();
        assertThat(out.published()).hasSize(1);
    }

    @Test
    void aTerminalFailureIsRetriedOnlyAtTheNextRepublish() {
        OutputDispatcher d = dispatcher(settings().withRepublishInterval(Duration.ofMinutes(1)));
        out.failNext(1, () -> new TerminalException("credentials rejected"));
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        clock.advance(Duration.ofSeconds(59));
        d.deliverDue();
        assertThat(out.published()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        d.deliverDue();
        assertThat(out.published()).hasSize(1);
    }

    @Test
    void removesUsersWhoLeftTheScope() {
        OutputDispatcher d = dispatcher(settings());
        d.offer(snapshot(user("1", "Busy/InACall", true), user("2", "Away/Away", null)));
        d.deliverDue();
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        assertThat(out.removed()).containsExactly(List.of("2"));
        assertThat(d.stats().get(0).removed()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        d.deliverDue();
        assertThat(out.published()).extracting(OutputStatus::pbxUserId).containsExactly("1", "2", "1");
    }

    @Test
    void theSnapshotBeforeTheFirstCycleRemovesNobody() {
        OutputDispatcher d = dispatcher(settings());
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        d.offer(new EngineSnapshot(clock.instant(), stats(null), List.of()));
        d.deliverDue();
        assertThat(out.removed()).isEmpty();
    }

    @Test
    void theQueueIsBoundedAndWhatDidNotFitComesWithTheNextSnapshot() {
        OutputDispatcher d = dispatcher(settings().withMaxQueued(2).withBatchSize(1));
        d.offer(snapshot(user("1", "Busy/InACall", true), user("2", "Away/Away", null), user("3", "Away/Away", null)));
        d.deliverDue();
        assertThat(d.stats().get(0).dropped()).isEqualTo(1);
        assertThat(out.published()).extracting(OutputStatus::pbxUserId).containsExactly("1", "2");
        d.offer(snapshot(user("1", "Busy/InACall", true), user("2", "Away/Away", null), user("3", "Away/Away", null)));
        d.deliverDue();
        assertThat(out.published()).extracting(OutputStatus::pbxUserId).containsExactly("1", "2", "3");
        assertThat(out.batchSizes()).containsOnly(1);
    }

    @Test
    void oneFailingOutputDoesNotHoldUpAnother() {
        RecordingOutput broken = new RecordingOutput("broken");
        broken.failNext(Integer.MAX_VALUE, () -> new RetryableException("down"));
        OutputDispatcher d = OutputDispatcher.builder().clock(clock).random(new Random(1))
                .output(broken, settings()).output(out, settings()).build();
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        assertThat(out.published()).hasSize(1);
        assertThat(d.stats()).extracting(OutputStats::name).containsExactly("broken", "rec");
        assertThat(d.stats().get(0).failing()).isTrue();
        assertThat(d.stats().get(1).failing()).isFalse();
    }

    @Test
    void namesSeveralOutputsOfOneType() {
        OutputDispatcher d = OutputDispatcher.builder().clock(clock).output(new RecordingOutput("webhook"), settings())
                .output(new RecordingOutput("webhook"), settings()).output(new RecordingOutput("mqtt"), settings()).build();
        assertThat(d.names()).containsExactly("webhook", "webhook-2", "mqtt");
    }

    @Test
    void closeDeliversTheLastSnapshotThenClosesTheOutput() {
        OutputDispatcher d = dispatcher(settings());
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        d.deliverDue();
        d.offer(snapshot(user("1", "Available/Available", false)));
        d.close();
        assertThat(out.published()).extracting(OutputStatus::availability).containsExactly("Busy", "Available");
        assertThat(out.closed()).isTrue();
        d.offer(snapshot(user("1", "Away/Away", false)));
        assertThat(out.published()).hasSize(2);
    }

    @Test
    void deliversOnItsOwnThreadAndAnOfferNeverWaitsForASlowOutput() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstCall = new CountDownLatch(1);
        RecordingOutput slow = new RecordingOutput("slow") {
            @Override
            public void publish(List<OutputStatus> statuses) {
                firstCall.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.publish(statuses);
            }
        };
        OutputDispatcher d = OutputDispatcher.builder().clock(Clock.systemUTC())
                .output(slow, settings().withCloseTimeout(Duration.ofSeconds(5))).build();
        d.start();
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        assertThat(firstCall.await(10, TimeUnit.SECONDS)).isTrue();
        // the output is stuck in publish: offers still return (they only replace a reference)
        for (int i = 0; i < 1000; i++) {
            d.offer(snapshot(user("1", i % 2 == 0 ? "Away/Away" : "Available/Available", null)));
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        release.countDown();
        d.close();
        // the first status, then only the latest of the thousand (coalesced), delivered on close at the latest
        assertThat(slow.published()).extracting(OutputStatus::availability).containsExactly("Busy", "Available");
        assertThat(slow.closed()).isTrue();
        assertThat(slow.threads()).allMatch(name -> name.startsWith("output-slow"));
    }

    @Test
    void closeEndsEvenWhenAnOutputNeverReturns() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        RecordingOutput stuck = new RecordingOutput("stuck") {
            @Override
            public void publish(List<OutputStatus> statuses) {
                inside.countDown();
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        // ignores interrupts, like a badly written plugin
                    }
                }
            }
        };
        OutputDispatcher d = OutputDispatcher.builder().clock(Clock.systemUTC())
                .output(stuck, settings().withCloseTimeout(Duration.ZERO)).build();
        d.start();
        d.offer(snapshot(user("1", "Busy/InACall", true)));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        d.close(); // returns: bounded by closeTimeout + 2 * STUCK_GRACE
        assertThat(d.stats().get(0).queued()).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------

    EngineSnapshot snapshot(EngineSnapshot.UserStatus... users) {
        return new EngineSnapshot(clock.instant(), stats(new CycleReport(1, clock.instant(), Duration.ZERO, users.length,
                users.length, users.length, users.length, 0, 0, 0, 0, 0, false, List.of())), List.of(users));
    }

    static EngineSnapshot.Stats stats(CycleReport last) {
        return new EngineSnapshot.Stats(1, 0, T0, T0, 0, Map.of(), 0, 0, last, EngineSnapshot.SecondSync.NONE,
                EngineSnapshot.Sessions.NONE);
    }

    static EngineSnapshot.UserStatus user(String id, String presence, Boolean dnd) {
        PresenceCategory category = presence.startsWith("Busy") ? PresenceCategory.IN_A_CALL : PresenceCategory.AVAILABLE;
        Hold hold = Boolean.TRUE.equals(dnd) ? new Hold(id, Hold.Kind.HELD, false, true, null, null, true, T0) : null;
        return new EngineSnapshot.UserStatus(id, "User " + id, "t-" + id, "Teams " + id, presence, category, dnd, dnd,
                null, hold, null, "because " + id, T0, null);
    }

    static class RecordingOutput implements StatusOutput {
        private final String id;
        private final List<OutputStatus> published = new ArrayList<>();
        private final List<List<String>> removed = new ArrayList<>();
        private final List<Integer> batchSizes = new ArrayList<>();
        private final List<String> threads = new ArrayList<>();
        private final AtomicInteger failures = new AtomicInteger();
        private java.util.function.Supplier<RuntimeException> failure;
        private int calls;
        private int callsAtLastFailure;
        private int opens;
        private volatile boolean closed;

        RecordingOutput(String id) {
            this.id = id;
        }

        synchronized void failNext(int n, java.util.function.Supplier<RuntimeException> f) {
            failures.set(n);
            failure = f;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public synchronized void open() {
            opens++;
        }

        @Override
        public synchronized void publish(List<OutputStatus> statuses) {
            calls++;
            threads.add(Thread.currentThread().getName());
            if (failures.get() > 0) {
                failures.decrementAndGet();
                callsAtLastFailure = calls;
                throw failure.get();
            }
            batchSizes.add(statuses.size());
            published.addAll(statuses);
        }

        @Override
        public synchronized void remove(Collection<String> pbxUserIds) {
            removed.add(List.copyOf(pbxUserIds));
        }

        @Override
        public void close() {
            closed = true;
        }

        synchronized List<OutputStatus> published() {
            return List.copyOf(published);
        }

        synchronized List<List<String>> removed() {
            return List.copyOf(removed);
        }

        synchronized List<Integer> batchSizes() {
            return List.copyOf(batchSizes);
        }

        synchronized List<String> threads() {
            return List.copyOf(threads);
        }

        synchronized int calls() {
            return calls;
        }

        synchronized int callsAtLastFailure() {
            return callsAtLastFailure;
        }

        synchronized int opens() {
            return opens;
        }

        boolean closed() {
            return closed;
        }
    }

    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
