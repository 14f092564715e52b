package dev.teamsconnect.core.output;

import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.StatusOutput;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one output: the latest snapshot handed over by the sync thread (one reference, replaced by the
 * next), the coalescing queue (at most one status per user, the latest), what the output last accepted per user,
 * the re-publish timer, retries. Everything but {@link #offer} and {@link #stats} runs on one thread at a time (the
 * output's delivery thread, or the caller of {@link OutputDispatcher#deliverDue()} when no thread was started).
 */
final class OutputChannel {

    private static final Logger LOG = LoggerFactory.getLogger(OutputChannel.class);

    private final String name;
    private final StatusOutput output;
    private final OutputSettings settings;
    private final Clock clock;
    private final Random random;

    /** The sync thread's hand-over: only the latest snapshot counts, an unread one is simply replaced. */
    private final AtomicReference<EngineSnapshot> latest = new AtomicReference<>();

    // delivery thread only
    private final Map<String, OutputStatus> current = new HashMap<>();
    private final Map<String, OutputStatus> sent = new HashMap<>();
    private final LinkedHashMap<String, OutputStatus> pending = new LinkedHashMap<>();
    private final Set<String> toRemove = new LinkedHashSet<>();
    private boolean opened;
    private int attempt;
    private Instant retryAt;
    private Instant nextRepublish;
    private boolean terminalLogged;

    // read by any thread
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile int queued;
    private volatile Instant lastDeliveredAt;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    private volatile boolean failing;

    OutputChannel(String name, StatusOutput output, OutputSettings settings, Clock clock, Random random) {
        this.name = name;
        this.output = output;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
    }

    String name() {
        return name;
    }

    StatusOutput output() {
        return output;
    }

    OutputSettings settings() {
        return settings;
    }

    /** O(1), never blocks: the delivery thread picks the snapshot up. */
    void offer(EngineSnapshot snapshot) {
        latest.set(snapshot);
    }

    boolean hasNewSnapshot() {
        return latest.get() != null;
    }

    /**
     * Takes in the latest snapshot, queues what is due, and makes at most one call to the output (open, remove or
     * one batch of publish), unless a retry is not due yet.
     *
     * @param ignoreRetryWait make the call even if a retry is not due (the last attempt on close)
     * @return when this channel wants to run again: now (more work), the retry or re-publish time
     */
    Instant step(boolean ignoreRetryWait) {
        Instant now = clock.instant();
        EngineSnapshot snapshot = latest.getAndSet(null);
        if (snapshot != null) {
            absorb(snapshot);
        }
        if (nextRepublish == null) {
            nextRepublish = now.plus(settings.republishInterval());
        } else if (!now.isBefore(nextRepublish)) {
            republish();
            nextRepublish = now.plus(settings.republishInterval());
        }
        updateQueued();
        if (pending.isEmpty() && toRemove.isEmpty()) {
            return nextRepublish;
        }
        if (retryAt != null && now.isBefore(retryAt) && !ignoreRetryWait) {
            return retryAt.isBefore(nextRepublish) ? retryAt : nextRepublish;
        }
        try {
            if (!opened) {
                output.open();
                opened = true;
            } else if (!toRemove.isEmpty()) {
                List<String> ids = List.copyOf(toRemove);
                output.remove(ids);
                toRemove.removeAll(ids);
                ids.forEach(sent::remove);
                removed.addAndGet(ids.size());
                succeeded(now);
            } else {
                List<OutputStatus> batch = new ArrayList<>(Math.min(pending.size(), settings.batchSize()));
                Iterator<OutputStatus> it = pending.values().iterator();
                while (it.hasNext() && batch.size() < settings.batchSize()) {
                    batch.add(it.next());
                }
                output.publish(List.copyOf(batch));
                for (OutputStatus s : batch) {
                    pending.remove(s.pbxUserId());
                    sent.put(s.pbxUserId(), s);
                }
                delivered.addAndGet(batch.size());
                succeeded(now);
            }
        } catch (RuntimeException e) {
            failedCall(e, now);
        }
        updateQueued();
        return pending.isEmpty() && toRemove.isEmpty() ? nextRepublish : (retryAt != null ? retryAt : now);
    }

    /** Whether something waits for delivery (or removal). */
    boolean hasWork() {
        return !pending.isEmpty() || !toRemove.isEmpty() || latest.get() != null;
    }

    private void absorb(EngineSnapshot snapshot) {
        Map<String, OutputStatus> statuses = OutputStatuses.of(snapshot);
        for (OutputStatus s : statuses.values()) {
            String id = s.pbxUserId();
            toRemove.remove(id);
            OutputStatus last = sent.get(id);
            if (last != null && last.sameAs(s)) {
                pending.remove(id); // the receiver already has it (an undelivered other status is overtaken)
            } else {
                queue(s);
            }
        }
        // the engine's snapshot lists every mapped user, and a failed user refresh keeps the last list: a user
        // missing from it has left the scope. The snapshot made before the first cycle lists nobody yet.
        if (snapshot.stats().lastCycle() != null) {
            for (String id : current.keySet()) {
                if (!statuses.containsKey(id)) {
                    pending.remove(id);
                    toRemove.add(id);
                }
            }
        }
        current.clear();
        current.putAll(statuses);
    }

    private void republish() {
        for (OutputStatus s : current.values()) {
            if (!pending.containsKey(s.pbxUserId())) {
                queue(s);
            }
        }
    }

    private void queue(OutputStatus s) {
        if (pending.containsKey(s.pbxUserId())) {
            pending.put(s.pbxUserId(), s); // the latest replaces the older, in its place
        } else if (pending.size() < settings.maxQueued()) {
            pending.put(s.pbxUserId(), s);
        } else {
            dropped.incrementAndGet(); // not sent: differs from what was sent, so the next snapshot queues it again
        }
    }

    private void succeeded(Instant now) {
        lastDeliveredAt = now;
        if (failing) {
            LOG.info("Output {} delivers again", name);
        }
        failing = false;
        attempt = 0;
        retryAt = null;
        terminalLogged = false;
    }

    private void failedCall(RuntimeException e, Instant now) {
        failed.incrementAndGet();
        opened = false; // open() again before the next call (StatusOutput: may be called again after a failure)
        attempt++;
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        lastError = message;
        lastErrorAt = now;
        Duration wait;
        if (e instanceof TerminalException) {
            // will not pass by itself (rejected credentials): do not hammer, try again at the next re-publish
            wait = settings.republishInterval();
            if (!terminalLogged) {
                LOG.error("Output {} refuses delivery: {}; trying again in {} s", name, message, wait.toSeconds());
                terminalLogged = true;
            }
        } else {
            wait = settings.backoff().delay(attempt, random);
            if (e instanceof RetryableException r && r.retryAfter().isPresent()
                    && r.retryAfter().get().compareTo(wait) > 0) {
                wait = r.retryAfter().get(); // never earlier than the receiver asked
            }
            if (!failing) {
                if (e instanceof RetryableException) {
                    LOG.warn("Output {} failed: {}; retrying with backoff", name, message);
                } else {
                    LOG.warn("Output {} failed unexpectedly; retrying with backoff", name, e);
                }
            } else {
                LOG.debug("Output {} failed again (attempt {}): {}; next in {} ms", name, attempt, message, wait.toMillis());
            }
        }
        failing = true;
        retryAt = now.plus(wait);
    }

    private void updateQueued() {
        queued = pending.size() + toRemove.size();
    }

    /** Closes the output; failures are logged. */
    void closeOutput() {
        try {
            output.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing output {} failed", name, e);
        }
    }

    OutputStats stats() {
        return new OutputStats(name, output.id(), delivered.get(), failed.get(), removed.get(), dropped.get(), queued,
                lastDeliveredAt, lastError, lastErrorAt, failing);
    }
}
