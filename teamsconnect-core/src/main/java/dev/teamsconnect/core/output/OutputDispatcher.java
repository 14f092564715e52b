package dev.teamsconnect.core.output;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.spi.StatusOutput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host of the {@link StatusOutput}s: hands every user's status to each output, level-triggered, without ever
 * blocking, slowing or failing the PBX sync.
 *
 * <p><b>Feed.</b> {@link #offer(EngineSnapshot)} after every cycle (see {@link #cycleListener(Supplier)}): it
 * stores a reference per output and wakes the output's thread, O(number of outputs), no lock, no I/O. A snapshot not
 * yet taken in is replaced by the next one. Comparing the snapshot with what the output last accepted happens on
 * the output's own thread.
 *
 * <p><b>Delivery.</b> One thread per output. Each keeps a queue with at most one status per user (the latest: a
 * newer status replaces an undelivered older one), bounded by {@link OutputSettings#maxQueued()}. A user is queued
 * when their status differs from the one the output last accepted ({@link
 * dev.teamsconnect.core.spi.OutputStatus#sameAs}), and every user again every
 * {@link OutputSettings#republishInterval()}, so a receiver that was down or lost its state catches up. Users who
 * left the scope are handed to {@link StatusOutput#remove}.
 *
 * <p><b>Failures.</b> A failed call is counted ({@link #stats()}), the users stay queued (overtaken by newer
 * statuses), and the next attempt waits the core {@link dev.teamsconnect.core.retry.Backoff} (at least a
 * {@code RetryableException}'s retry-after); after a {@link dev.teamsconnect.core.error.TerminalException} it waits
 * a whole re-publish interval. Before the call after a failure, {@link StatusOutput#open()} is called again. A
 * failing output affects no other output and not the sync.
 *
 * <p><b>Time.</b> Every wait is computed from the injected {@link Clock}; threads wait at most {@link #MAX_PARK}
 * at a time and then look at the clock again. Without {@link #start()} no thread runs and {@link #deliverDue()}
 * does the work on the caller's thread, so tests drive time and delivery.
 *
 * <p><b>Close.</b> {@link #close()} gives each output up to its {@link OutputSettings#closeTimeout()} to deliver
 * what is queued (including the last snapshot offered, e.g. the released holds after the engine closed), one
 * attempt per batch without retry pauses, then closes it; a thread that does not end in time is interrupted and,
 * if still stuck after {@link #STUCK_GRACE}, left behind (a daemon) with a warning. Idempotent.
 */
public final class OutputDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputDispatcher.class);

    /** A delivery thread looks at the clock again at least this often. */
    public static final Duration MAX_PARK = Duration.ofSeconds(1);
    /** After an interrupt on close, how long a delivery thread gets to end. */
    public static final Duration STUCK_GRACE = Duration.ofSeconds(1);

    private final List<OutputChannel> channels;
    private final Clock clock;
    private final ThreadFactory threads;
    private final List<Thread> running = new ArrayList<>();
    private volatile boolean closing;
    private boolean started;
    private boolean closed;

    private OutputDispatcher(Builder b) {
        this.clock = b.clock;
        this.threads = b.threads;
        Random random = b.random != null ? b.random : new Random();
        List<OutputChannel> list = new ArrayList<>();
        for (Entry e : b.entries) {
            list.add(new OutputChannel(e.name, e.output, e.settings, clock, random));
        }
        this.channels = List.copyOf(list);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether there is no output at all (then feeding costs nothing and no thread runs). */
    public boolean isEmpty() {
        return channels.isEmpty();
    }

    /** The outputs' names, in configuration order. */
    public List<String> names() {
        return channels.stream().map(OutputChannel::name).toList();
    }

    /**
     * Hands the engine's latest picture to every output: never blocks, never throws, O(number of outputs). May be
     * called from any thread, also after {@link #close()} (then it does nothing).
     */
    public void offer(EngineSnapshot snapshot) {
        if (snapshot == null || closing) {
            return;
        }
        for (OutputChannel c : channels) {
            c.offer(snapshot);
        }
        synchronized (running) {
            // unpark is a no-op for a thread that is not parked; never blocks
            running.forEach(LockSupport::unpark);
        }
    }

    /**
     * A cycle listener for {@link dev.teamsconnect.core.engine.SyncEngine.Builder#cycleListener}: offers
     * {@code snapshots.get()} (e.g. {@code engine::snapshot}) after every cycle.
     */
    public Consumer<CycleReport> cycleListener(Supplier<EngineSnapshot> snapshots) {
        Objects.requireNonNull(snapshots, "snapshots");
        return report -> offer(snapshots.get());
    }

    /** Starts one delivery thread per output. Idempotent. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        synchronized (running) {
            for (OutputChannel c : channels) {
                Thread t = threads.newThread(() -> loop(c));
                running.add(t);
            }
            running.forEach(Thread::start);
        }
        if (!channels.isEmpty()) {
            LOG.info("Status outputs started: {}", String.join(", ", names()));
        }
    }

    /**
     * Without {@link #start()}: does on the caller's thread what is due now for every output, until each has
     * nothing left that is due (retries wait for their time on the clock). For tests and one-shot runs.
     *
     * @throws IllegalStateException when the delivery threads run
     */
    public synchronized void deliverDue() {
        if (started) {
            throw new IllegalStateException("deliverDue() is for a dispatcher whose threads were not started");
        }
        for (OutputChannel c : channels) {
            drain(c, false, null);
        }
    }

    /** Each output's figures, in configuration order; never blocks. */
    public List<OutputStats> stats() {
        List<OutputStats> out = new ArrayList<>(channels.size());
        for (OutputChannel c : channels) {
            out.add(c.stats());
        }
        return out;
    }

    private void loop(OutputChannel c) {
        try {
            while (!closing) {
                Instant next;
                try {
                    next = c.step(false);
                } catch (RuntimeException e) {
                    LOG.error("Output {}: delivery step failed; continuing", c.name(), e);
                    next = clock.instant().plus(MAX_PARK);
                }
                Instant now = clock.instant();
                if (!next.isAfter(now) || c.hasNewSnapshot()) {
                    continue;
                }
                long nanos = Math.min(Duration.between(now, next).toNanos(), MAX_PARK.toNanos());
                LockSupport.parkNanos(this, nanos);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            // closing: the last deliveries, without retry pauses, within the output's deadline
            drain(c, true, System.nanoTime() + c.settings().closeTimeout().toNanos());
        } finally {
            c.closeOutput();
        }
    }

    /**
     * Steps {@code c} while it has work that is due (or, on close, any work), up to {@code deadlineNanos} (a
     * {@link System#nanoTime()} value, or null for none: then the clock's retry times end it).
     */
    private void drain(OutputChannel c, boolean closingNow, Long deadlineNanos) {
        // bounded: each step either makes a call or reports that nothing is due; a failing call sets a retry time
        int guard = 0;
        while (guard++ < 1_000_000) {
            if (deadlineNanos != null && System.nanoTime() - deadlineNanos >= 0) {
                return;
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            Instant before = clock.instant();
            long failedBefore = c.stats().failed();
            Instant next;
            try {
                next = c.step(closingNow);
            } catch (RuntimeException e) {
                LOG.error("Output {}: delivery step failed", c.name(), e);
                return;
            }
            if (!c.hasWork()) {
                return;
            }
            if (closingNow && c.stats().failed() > failedBefore) {
                return; // one last attempt on close, no retry loop
            }
            if (next.isAfter(before)) {
                return; // nothing more is due now
            }
        }
    }

    /**
     * Delivers what is queued (each output within its close timeout), then closes the outputs and ends their threads.
     * Without {@link #start()}, the last delivery runs on the caller's thread. Idempotent; never throws for an output.
     */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closing = true;
            if (!started) {
                for (OutputChannel c : channels) {
                    drain(c, true, System.nanoTime() + c.settings().closeTimeout().toNanos());
                    c.closeOutput();
                }
                return;
            }
        }
        synchronized (running) {
            toJoin = List.copyOf(running);
            toJoin.forEach(LockSupport::unpark);
        }
        Map<Thread, OutputChannel> byThread = new HashMap<>();
        for (int i = 0; i < toJoin.size(); i++) {
            byThread.put(toJoin.get(i), channels.get(i));
        }
        try {
            for (Thread t : toJoin) {
                OutputChannel c = byThread.get(t);
                // the thread's own drain deadline, plus a little for the output's close()
                t.join(c.settings().closeTimeout().toMillis() + STUCK_GRACE.toMillis());
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(STUCK_GRACE.toMillis());
                }
                if (t.isAlive()) {
                    LOG.warn("Output {} did not stop within {} ms; left behind", c.name(),
                            c.settings().closeTimeout().toMillis() + 2 * STUCK_GRACE.toMillis());
                } else if (c.stats().queued() > 0) {
                    LOG.warn("Output {} closed with {} user(s) not delivered", c.name(), c.stats().queued());
                }
            }
        } catch (InterruptedException e) {
            toJoin.forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
        }
    }

    private record Entry(String name, StatusOutput output, OutputSettings settings) {
    }

    /**
     * Wires a dispatcher. Defaults: the system UTC clock, daemon threads named {@code output-<name>}, a new
     * {@link Random} for jitter, no outputs. Not thread-safe.
     */
    public static final class Builder {
        private final List<Entry> entries = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private ThreadFactory threads;
        private Random random;
        private final Map<String, Integer> perType = new HashMap<>();

        private Builder() {
        }

        /**
         * Adds an output; its name is its id, with {@code -2}, {@code -3}... for a second and third output of the
         * same id.
         */
        public Builder output(StatusOutput output, OutputSettings settings) {
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(settings, "settings");
            String id = Objects.requireNonNull(output.id(), "output.id()");
            int n = perType.merge(id, 1, Integer::sum);
            entries.add(new Entry(n == 1 ? id : id + "-" + n, output, settings));
            return this;
        }

        /** The source of time for retries and re-publishing. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Makes the delivery threads (one per output). */
        public Builder threadFactory(ThreadFactory value) {
            this.threads = Objects.requireNonNull(value, "threadFactory");
            return this;
        }

        /** Randomness for retry jitter. */
        public Builder random(Random value) {
            this.random = Objects.requireNonNull(value, "random");
            return this;
        }

        public OutputDispatcher build() {
            if (threads == null) {
                List<String> names = entries.stream().map(Entry::name).toList();
                int[] next = {0};
                threads = r -> {
                    Thread t = new Thread(r, "output-" + names.get(Math.min(next[0]++, names.size() - 1)));
                    t.setDaemon(true);
                    return t;
                };
            }
            return new OutputDispatcher(this);
        }
    }
}
