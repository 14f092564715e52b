package dev.teamsconnect.graph;

import dev.teamsconnect.core.decorate.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Client-side limit for presence requests: at most {@code limit} requests in any sliding {@code window}, and
 * nothing before a server's Retry-After ends. While less than nine tenths of the window's budget is used, requests
 * go out back to back (a cycle must not wait 20 ms per request for nothing: that time adds to every Teams-to-PBX
 * delay; 50,000 users polled every 2 s use 77 % of Graph's budget and would otherwise spend 1.5 s of each 2 s
 * cycle waiting); from nine tenths on they are spread evenly ({@code window / limit} apart), so a source running
 * at the limit approaches it smoothly instead of bursting into it. The limit itself holds either way.
 *
 * <p>Requests are recorded when their answer arrived, not when they were sent: the server saw the request at
 * some time before that, so spacing the next send from the answer can never look early to the server, whatever
 * the network delay. Thread-safe: the source's reads (the sync thread) and its presence writes (the writer's
 * thread) share one pacer, as they share one Graph budget per app. The bookkeeping is locked, the waits are not;
 * two threads that pass {@link #acquire} at the same moment may both send, so the window can see one request more
 * than {@code limit} for a moment (the server's own limit is far above the nine tenths where spacing starts).
 */
final class PresencePacer {

    private final int limit;
    private final Duration window;
    private final Duration spacing;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Deque<Instant> completed = new ArrayDeque<>();
    private Instant pausedUntil = Instant.MIN;

    PresencePacer(int limit, Duration window, Clock clock, Sleeper sleeper) {
        this.limit = limit;
        this.window = window;
        this.spacing = window.dividedBy(limit);
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Blocks until a request may be sent. */
    void acquire() throws InterruptedException {
        acquire(Instant.MAX);
    }

    /**
     * Blocks until a request may be sent and returns {@code true}, or returns {@code false} at once (without
     * waiting) when that time is after {@code deadline}.
     */
    boolean acquire(Instant deadline) throws InterruptedException {
        while (true) {
            Instant now;
            Instant earliest;
            synchronized (this) {
                now = clock.instant();
                earliest = earliest(now);
            }
            if (!now.isBefore(earliest)) {
                return true;
            }
            if (earliest.isAfter(deadline)) {
                return false;
            }
            sleeper.sleep(Duration.between(now, earliest));
        }
    }

    private Instant earliest(Instant now) {
        while (!completed.isEmpty() && !completed.peekFirst().isAfter(now.minus(window))) {
            completed.pollFirst();
        }
        Instant earliest = pausedUntil;
        if (!completed.isEmpty() && completed.size() >= limit * 9L / 10) {
            earliest = max(earliest, completed.peekLast().plus(spacing));
        }
        if (completed.size() >= limit) {
            earliest = max(earliest, completed.peekFirst().plus(window));
        }
        return earliest;
    }

    /** Records that the answer to a request arrived now. */
    synchronized void completed() {
        completed.addLast(clock.instant());
    }

    /** The time before which no request is sent (a server's Retry-After), {@link Instant#MIN} for none. */
    synchronized Instant pausedUntil() {
        return pausedUntil;
    }

    /** No request before {@code until} (a server's Retry-After). */
    synchronized void pauseUntil(Instant until) {
        pausedUntil = max(pausedUntil, until);
    }

    /** Requests recorded within the current window (for tests and metrics). */
    synchronized int inWindow() {
        Instant now = clock.instant();
        return (int) completed.stream().filter(t -> t.isAfter(now.minus(window))).count();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
