package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.spi.PresenceWriter;
import dev.teamsconnect.core.spi.TeamsSession;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's thread of the PBX-to-Teams direction: sends the {@code setPresence}/{@code clearPresence} of
 * {@link TeamsSessions} one at a time, off the cycle thread, so a slow or throttled write (the writer waits out a
 * {@code Retry-After} itself) never delays a DND change. A queue with the latest intent per user (bounded by the
 * users); what each write did is collected for the cycle thread ({@link #takeOutcomes()}).
 */
final class TeamsWriter {

    private static final Logger LOG = LoggerFactory.getLogger(TeamsWriter.class);

    /** A write for the writer's thread. */
    record Intent(String pbxUserId, String label, TeamsSession session, Kind kind, String reason) {
        enum Kind { SET, RENEW, CLEAR }
    }

    /** What the writer's thread did with an intent: failure null = done. */
    record Outcome(Intent intent, TeamsConnectException failure, Instant at) {
    }

    private final Duration sessionLength;
    private final boolean dryRun;
    private final Clock clock;
    private final Executor worker;
    private final ExecutorService ownWorker; // null when the engine's builder gave the executor
    private final Map<String, Intent> queued = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile PresenceWriter writer;
    private final AtomicLong setCount = new AtomicLong();
    private final AtomicLong renewedCount = new AtomicLong();
    private final AtomicLong clearedCount = new AtomicLong();
    private final AtomicLong failedCount = new AtomicLong();

    TeamsWriter(Duration sessionLength, boolean dryRun, Clock clock, Executor executor) {
        this.sessionLength = sessionLength;
        this.dryRun = dryRun;
        this.clock = clock;
        this.ownWorker = executor == null ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "teamsconnect-teams-writer");
            t.setDaemon(true);
            return t;
        }) : null;
        this.worker = executor != null ? executor : ownWorker;
    }

    /** The source's writer; writes are sent only once it is set. */
    void writer(PresenceWriter value) {
        this.writer = value;
    }

    /** Whether there is a writer to send to. */
    boolean canWrite() {
        return writer != null;
    }

    /** What the writer did since the last call, oldest first. */
    List<Outcome> takeOutcomes() {
        List<Outcome> out = new ArrayList<>();
        Outcome o;
        while ((o = outcomes.poll()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Queues a write; the latest intent per user wins while it waits. */
    void enqueue(Intent intent) {
        synchronized (queued) {
            queued.put(intent.pbxUserId(), intent);
        }
        if (draining.compareAndSet(false, true)) {
            try {
                worker.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                draining.set(false);
            }
        }
    }

    /** The writer's thread: sends the queued intents one after another, latest per user. */
    private void drain() {
        try {
            while (true) {
                Intent next;
                synchronized (queued) {
                    var it = queued.values().iterator();
                    if (!it.hasNext()) {
                        draining.set(false);
                        return;
                    }
                    next = it.next();
                    it.remove();
                }
                Outcome done = new Outcome(next, send(next), clock.instant());
                note(done);
                outcomes.add(done);
            }
        } catch (RuntimeException e) {
            draining.set(false);
            LOG.error("Teams presence writer failed", e);
        }
    }

    private TeamsConnectException send(Intent i) {
        PresenceWriter writer = this.writer;
        TeamsSession s = i.session();
        try {
            if (dryRun) {
                LOG.info("{}: dry run: Teams presence session would be {}: {}/{} ({})", i.label(),
                        i.kind() == Intent.Kind.CLEAR ? "cleared" : "set", s.availability().wireValue(),
                        s.activity().wireValue(), i.reason());
            } else if (i.kind() == Intent.Kind.CLEAR) {
                writer.clearPresence(s.teamsUserId());
            } else {
                writer.setPresence(s.teamsUserId(), s.availability(), s.activity(), sessionLength);
            }
            return null;
        } catch (TeamsConnectException e) {
            return e;
        } catch (RuntimeException e) {
            return new TeamsConnectException("presence writer failed: " + e) {
            };
        }
    }

    /** Waits (real time: the writer's thread works in real time) until the writer is idle or the deadline. */
    void awaitIdle(long deadlineNanos) {
        while (draining.get() || !isQueueEmpty()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.min(10, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean isQueueEmpty() {
        synchronized (queued) {
            return queued.isEmpty();
        }
    }

    /** Stops the writer's thread (what is queued is dropped). */
    void stop() {
        if (ownWorker == null) {
            return;
        }
        ownWorker.shutdownNow();
        try {
            ownWorker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts and logs what one write did: one INFO line per set and clear, with its reason. */
    private void note(Outcome o) {
        Intent i = o.intent();
        TeamsSession s = i.session();
        if (o.failure() != null) {
            failedCount.incrementAndGet();
            LOG.warn("{}: Teams presence session could not be {}: {}", i.label(),
                    i.kind() == Intent.Kind.CLEAR ? "cleared" : "set", o.failure().getMessage());
            return;
        }
        switch (i.kind()) {
            case SET -> {
                setCount.incrementAndGet();
                LOG.info("{}: Teams presence session set: {}/{} until {} ({})", i.label(), s.availability().wireValue(),
                        s.activity().wireValue(), s.expiresAt(), i.reason());
            }
            case RENEW -> {
                renewedCount.incrementAndGet();
                LOG.debug("{}: Teams presence session renewed until {}", i.label(), s.expiresAt());
            }
            case CLEAR -> {
                clearedCount.incrementAndGet();
                LOG.info("{}: Teams presence session cleared ({})", i.label(), i.reason());
            }
        }
    }

    /** The counters since start, with the sessions active now and the current problem. */
    EngineSnapshot.Sessions stats(int active, String problem) {
        return new EngineSnapshot.Sessions(active, setCount.get(), renewedCount.get(), clearedCount.get(),
                failedCount.get(), problem);
    }

    /** Whether the writer has nothing queued or running. */
    boolean idle() {
        return !draining.get() && isQueueEmpty();
    }
}
