package dev.teamsconnect.benchmarks;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.testkit.InMemoryPbxSink;
import dev.teamsconnect.testkit.InMemoryPresenceSource;
import dev.teamsconnect.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One engine cycle ({@link SyncEngine#syncOnce()}: presence read, classifier, debounce, policy, grace, PBX reads of
 * the users that need them, reconcile, write-ahead store commits, writes, snapshot) over the in-memory source,
 * sink and store with a {@link ManualClock}, for 10,000 and 50,000 users.
 *
 * <p>{@code cycle}: before each cycle (outside the measurement) 1 % of the users change presence: half of them start
 * a Teams call, the other half end the call they started two cycles before. Each cycle therefore writes DND for
 * 1 % of the users and reads the PBX state of the 1 % in a call (the engine reads only users who need it).
 *
 * <p>{@code baseline}: a cycle with no presence change at all, the fixed cost of looking at every user; the
 * difference to {@code cycle} is what the changes cost.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Xmx1g"})
public class SyncCycleBenchmark {

    /** The users, the fakes and the engine, set up once per trial. */
    @State(Scope.Thread)
    public static class Office {

        @Param({"10000", "50000"})
        public int users;

        /** Share of users whose presence changes before each {@code cycle}. */
        static final double CHANGE_SHARE = 0.01;

        private ManualClock clock;
        private InMemoryPresenceSource source;
        private InMemoryPbxSink sink;
        SyncEngine engine;
        int changesPerCycle;
        private int nextStart;
        private int nextEnd;

        /** How many cycles a call lasts. */
        static final int CALL_CYCLES = 2;

        @Setup(Level.Trial)
        public void setUp() {
            clock = new ManualClock(Instant.parse("2026-11-27T08:00:00Z"));
            source = InMemoryPresenceSource.create(clock);
            sink = InMemoryPbxSink.create(clock);
            for (int i = 0; i < users; i++) {
                String mail = "user" + i + "@example.com";
                source.addUser(String.format("%08d-0000-4000-8000-%012d", i, i), mail, "User " + i);
                source.setPresence(teamsId(i), Availability.AVAILABLE, Activity.AVAILABLE);
                sink.addUser(String.valueOf(i + 1), String.format("%05d", i), mail, "User " + i, false);
            }
            changesPerCycle = 2 * Math.max(1, (int) Math.round(users * CHANGE_SHARE / 2));
            // users are listed once (refresh interval far beyond the run): the benchmark measures the cycle itself
            EngineConfig config = EngineConfig.builder().pollInterval(Duration.ofSeconds(2))
                    .userRefreshInterval(Duration.ofDays(365)).build();
            engine = SyncEngine.builder().source(source).sink(sink).store(new InMemoryStateStore()).config(config)
                    .clock(clock).build();
            CycleReport first = engine.syncOnce();
            if (first.matched() != users || !first.success()) {
                throw new IllegalStateException("set-up cycle did not map every user: " + first.summary());
            }
            // steady state: CALL_CYCLES blocks of users are in a call before the first measured cycle
            for (int c = 0; c < CALL_CYCLES; c++) {
                startCalls();
                clock.advance(Duration.ofSeconds(2));
                engine.syncOnce();
            }
        }

        private static String teamsId(int i) {
            return String.format("%08d-0000-4000-8000-%012d", i, i);
        }

        /** One poll interval passes; the fakes forget their request logs so memory stays flat over the run. */
        @Setup(Level.Invocation)
        public void changePresences() {
            source.resetCounters();
            sink.resetCounters();
            clock.advance(Duration.ofSeconds(2));
        }

        /**
         * Half of the 1 % start a call (the next block of users), the other half end the call they started
         * {@link #CALL_CYCLES} cycles ago, so the share of users in a call stays constant.
         */
        void toggleNextShare() {
            startCalls();
            for (int k = 0; k < changesPerCycle / 2; k++) {
                source.setPresence(teamsId(nextEnd), Availability.AVAILABLE, Activity.AVAILABLE);
                nextEnd = (nextEnd + 1) % users;
            }
        }

        private void startCalls() {
            for (int k = 0; k < changesPerCycle / 2; k++) {
                source.setPresence(teamsId(nextStart), Availability.BUSY, Activity.IN_A_CALL);
                nextStart = (nextStart + 1) % users;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
        }
    }

    /** The same office, where 1 % of the users change presence before each invocation. */
    @State(Scope.Thread)
    public static class ChangingOffice extends Office {
        @Setup(Level.Invocation)
        public void toggle() {
            toggleNextShare();
        }
    }

    @Benchmark
    public CycleReport cycle(ChangingOffice office) {
        SyncEngine engine = office.engine;
        int changesPerCycle = office.changesPerCycle;
        CycleReport r = engine.syncOnce();
        if (r.writes() != changesPerCycle) {
            throw new IllegalStateException("expected " + changesPerCycle + " writes, got " + r.summary());
        }
        return r;
    }

    @Benchmark
    public CycleReport baseline(Office office) {
        SyncEngine engine = office.engine;
        CycleReport r = engine.syncOnce();
        if (r.writes() != 0) {
            throw new IllegalStateException("expected no writes without changes, got " + r.summary());
        }
        return r;
    }
}
