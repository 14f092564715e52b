package dev.teamsconnect.service.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server threads of the endpoints: a bounded pool, a bounded queue, and a deadline per exchange.
 *
 * <p>The JDK server reads the request line and headers on the executor thread, in blocking mode. A client that
 * sends its headers slowly therefore holds a thread; with every thread held, /health/live goes unanswered. Here
 * an exchange that is still on its thread after {@code deadline} has its thread interrupted: the blocking read
 * or write on the connection's channel then closes the channel, the server drops the connection, and the thread
 * serves the next exchange. This holds whatever the JVM-wide {@code sun.net.httpserver.*} settings are.
 *
 * <p>When all threads are busy and the queue is full, {@link #execute} throws
 * {@link java.util.concurrent.RejectedExecutionException}; the JDK server then closes that connection at once
 * instead of letting it wait.
 */
final class ExchangeExecutor implements Executor, AutoCloseable {

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService watchdog;
    private final long deadlineNanos;
    private final Set<OnThread> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong cutOff = new AtomicLong();

    /**
     * @param threads  the most exchanges served at once
     * @param queue    how many more may wait for a thread
     * @param deadline how long one exchange (reading the request, answering, writing the response) may hold a thread
     * @param name     the thread name prefix
     */
    ExchangeExecutor(int threads, int queue, Duration deadline, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
        }
        if (queue < 1) {
            throw new IllegalArgumentException("queue must be >= 1, but was " + queue);
        }
        this.deadlineNanos = HealthCheck.requirePositive("requestTimeout", deadline).toNanos();
        AtomicInteger n = new AtomicInteger();
        pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-deadline");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(250, deadline.toMillis() / 4));
        watchdog.scheduleWithFixedDelay(this::cutOffOverdue, tick, tick, TimeUnit.MILLISECONDS);
    }

    @Override
    public void execute(Runnable exchange) {
        pool.execute(() -> {
            OnThread slot = new OnThread(Thread.currentThread(), System.nanoTime());
            running.add(slot);
            try {
                exchange.run();
            } finally {
                slot.finish();
                running.remove(slot);
                // an interrupt that arrived just before finish() must not hit the next exchange
                Thread.interrupted();
            }
        });
    }

    /** How many exchanges were cut off at the deadline so far. */
    long cutOff() {
        return cutOff.get();
    }

    private void cutOffOverdue() {
        long now = System.nanoTime();
        for (OnThread slot : running) {
            if (now - slot.started > deadlineNanos && slot.interrupt()) {
                cutOff.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        pool.shutdownNow();
    }

    /** One exchange on its thread; interrupting and finishing exclude each other. */
    private static final class OnThread {
        private final Thread thread;
        private final long started;
        private boolean done;
        private boolean interrupted;

        OnThread(Thread thread, long started) {
            this.thread = thread;
            this.started = started;
        }

        synchronized boolean interrupt() {
            if (done || interrupted) {
                return false;
            }
            interrupted = true;
            thread.interrupt();
            return true;
        }

        synchronized void finish() {
            done = true;
        }
    }
}
