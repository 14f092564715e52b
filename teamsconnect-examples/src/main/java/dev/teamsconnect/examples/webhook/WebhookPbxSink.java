package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.retry.RetryAfter;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.examples.webhook.WebhookSettings.WebhookUser;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PbxSink} that forwards every change as a signed JSON event to an HTTP(S) endpoint (a dashboard, a busy
 * light, Home Assistant, a chat bot).
 *
 * <p><b>Users and state.</b> A webhook has no users of its own: they come from {@code webhook.users}. The state
 * {@link #readState} reports is what the sink last accepted for delivery (or the configured initial state). If an
 * event is finally given up (retries exhausted, or a 4xx answer), the user's state falls back to the last
 * <em>delivered</em> one, so the engine sees a difference on its next cycle and writes again.
 * {@link #reportExternalChange} lets an embedding application feed in changes made on the receiver's side.
 *
 * <p><b>Never blocks the engine.</b> {@link #apply} only records the change and queues the event; one worker
 * thread POSTs it. The queue holds at most one event per user: a newer change for a user replaces the older,
 * undelivered one (the engine is level-triggered, so only the latest state matters; an event still being retried
 * is abandoned in favour of the newer one). When {@code queueSize} users are already waiting, {@code apply} for
 * another user fails at once with a {@link RetryableException} and records nothing, so the engine tries again
 * next cycle.
 *
 * <p><b>Delivery.</b> Each attempt is a POST with headers {@value #TIMESTAMP_HEADER} (Unix seconds of the attempt),
 * {@value #SIGNATURE_HEADER} ({@code sha256=} + lower-case hex HMAC-SHA256 over {@code timestamp + "." + body},
 * keyed with the UTF-8 bytes of the secret) and {@value #DELIVERY_HEADER} (the same for every attempt of one event,
 * for de-duplication). 2xx is success; I/O errors, timeouts, 408, 429 and 5xx are retried up to {@code maxRetries}
 * times after pauses of {@code initialBackoff * 2^n} (at most {@code maxBackoff}), each randomised to between half
 * and all of that (the core {@link Backoff}, "equal jitter"); an answer with a {@code Retry-After} waits at least
 * as long as it asks ({@link RetryAfter}, at most {@link RetryAfter#MAX}); other answers are given up at once. Redirects are not followed, so a signed
 * body never goes anywhere else.
 *
 * <p>Threading: the engine's calls may come from any one thread at a time; state is guarded by one lock shared
 * with the worker. {@link #close()} waits up to {@code timeout * (maxRetries + 1)} for queued events (e.g. the
 * DND releases the engine writes on shutdown), then stops the worker. Idempotent.
 */
public final class WebhookPbxSink implements PbxSink {

    public static final String ID = "webhook";
    public static final String SIGNATURE_HEADER = "X-TeamsConnect-Signature";
    public static final String TIMESTAMP_HEADER = "X-TeamsConnect-Timestamp";
    public static final String DELIVERY_HEADER = "X-TeamsConnect-Delivery";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookPbxSink.class);

    private record Event(String deliveryId, PbxUser user, PbxState state, String body) {
    }

    private final WebhookSettings settings;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Random random;
    private final Backoff backoff;
    private final HttpClient http;
    private final WebhookSigner signer;
    private final Map<String, WebhookUser> users = new LinkedHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** What readState() reports: the last accepted state per user. */
    private final Map<String, PbxState> current = new HashMap<>();
    /** The last state the receiver acknowledged (or the initial one): where a given-up event falls back to. */
    private final Map<String, PbxState> delivered = new HashMap<>();
    /** Undelivered events, one per user, oldest first. */
    private final LinkedHashMap<String, Event> pending = new LinkedHashMap<>();
    private Event inFlight;
    private boolean open;
    private boolean closed;
    private Thread worker;

    /** A sink on the system clock with real pauses between attempts. */
    public WebhookPbxSink(WebhookSettings settings) {
        this(settings, Clock.systemUTC(), duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos()), new Random());
    }

    WebhookPbxSink(WebhookSettings settings, Clock clock, Sleeper sleeper, Random random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
        this.signer = new WebhookSigner(settings.secret());
        // Building a client does no I/O; it uses the JVM's default trust store and hostname checks.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        for (WebhookUser u : settings.users()) {
            users.put(u.user().id(), u);
            current.put(u.user().id(), u.initialState());
            delivered.put(u.user().id(), u.initialState());
        }
    }

    @Override
    public String id() {
        return ID;
    }

    /** DND and the chat status text: both are simply forwarded. */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.DND, Capability.CHAT_STATUS);
    }

    /** Starts the worker thread. No network I/O: a receiver that is down only delays events. */
    @Override
    public void open() {
        lock.lock();
        try {
            if (closed) {
                throw new TerminalException("webhook sink is closed");
            }
            if (open) {
                return;
            }
            open = true;
            worker = new Thread(this::runWorker, "webhook-sender");
            worker.setDaemon(true);
            worker.start();
        } finally {
            lock.unlock();
        }
        LOG.info("Webhook sink sends events to {} for {} users", settings.safeUrl(), users.size());
    }

    @Override
    public List<PbxUser> listUsers() {
        return users.values().stream().map(WebhookUser::user).toList();
    }

    /** The last state accepted for this user; never blocks on the network. */
    @Override
    public PbxState readState(PbxUser user) {
        lock.lock();
        try {
            return current.get(known(user).id());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the change and queues its event; returns without waiting for the receiver.
     *
     * @throws UnknownUserException the user is not in {@code webhook.users}
     * @throws RetryableException   the queue is full ({@code queueSize} other users are waiting)
     * @throws TerminalException    the sink is not open or already closed
     */
    @Override
    public void apply(PbxChange change) {
        PbxUser user = known(change.user());
        String body = WebhookEvents.json(change, user);
        lock.lock();
        try {
            if (!open || closed) {
                throw new TerminalException("webhook sink is " + (closed ? "closed" : "not open"));
            }
            if (!pending.containsKey(user.id()) && pending.size() >= settings.queueSize()) {
                throw new RetryableException("webhook queue is full (" + pending.size() + " users waiting for "
                        + settings.safeUrl() + "); the change for " + user.label() + " is retried next cycle");
            }
            Event event = new Event(UUID.randomUUID().toString(), user, change.to(), body);
            pending.put(user.id(), event);
            current.put(user.id(), change.to());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Tells the sink that the receiver's side changed by other means (someone pressed the button on the busy
     * light); {@link #readState} reports it from now on, so the engine treats it as a hand-made change. Sends
     * nothing.
     */
    public void reportExternalChange(String userId, PbxState state) {
        PbxUser user = users.containsKey(userId) ? users.get(userId).user() : null;
        if (user == null) {
            throw new UnknownUserException(userId, "webhook user \"" + userId + "\" is not in webhook.users");
        }
        lock.lock();
        try {
            current.put(userId, Objects.requireNonNull(state, "state"));
            delivered.put(userId, state);
            pending.remove(userId);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every queued event was delivered or given up.
     *
     * @return {@code true} when the queue is empty, {@code false} when {@code timeout} passed first
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!pending.isEmpty() || inFlight != null) {
                if (remaining <= 0 || worker == null || !worker.isAlive()) {
                    return pending.isEmpty() && inFlight == null;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Users with an event not yet delivered (queued or being sent). */
    public int backlog() {
        lock.lock();
        try {
            return pending.size() + (inFlight == null ? 0 : 1);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        Thread w;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            w = worker;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (w == null) {
            return;
        }
        try {
            Duration grace = settings.timeout().multipliedBy(settings.maxRetries() + 1L);
            if (!awaitIdle(grace)) {
                LOG.warn("Webhook sink closed with {} undelivered events for {}", backlog(), settings.safeUrl());
            }
            w.interrupt();
            w.join(settings.timeout().toMillis() + 1000);
        } catch (InterruptedException e) {
            w.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "WebhookPbxSink[" + settings.safeUrl() + ", users=" + users.size() + "]";
    }

    // ---- worker

    private void runWorker() {
        try {
            while (true) {
                Event event = nextEvent();
                if (event == null) {
                    return;
                }
                try {
                    deliver(event);
                } finally {
                    lock.lock();
                    try {
                        inFlight = null;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The oldest queued event, or {@code null} when closed and nothing is left. */
    private Event nextEvent() throws InterruptedException {
        lock.lock();
        try {
            while (pending.isEmpty()) {
                if (closed) {
                    return null;
                }
                changed.await();
            }
            Iterator<Event> it = pending.values().iterator();
            Event event = it.next();
            it.remove();
            inFlight = event;
            return event;
        } finally {
            lock.unlock();
        }
    }

    private void deliver(Event event) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            if (superseded(event)) {
                return;
            }
            String failure;
            boolean retryable;
            Duration asked = Duration.ZERO;
            try {
                // one deadline for the whole exchange, its body included (the request timeout covers only the
                // time to the headers): a receiver that stalls its body is cancelled, not waited on for ever
                java.util.concurrent.CompletableFuture<HttpResponse<Void>> exchange =
                        http.sendAsync(request(event), HttpResponse.BodyHandlers.discarding());
                HttpResponse<Void> response;
                try {
                    response = exchange.get(settings.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    exchange.cancel(true);
                    throw new java.net.http.HttpTimeoutException("no complete answer within " + settings.timeout());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    markDelivered(event);
                    return;
                }
                failure = "HTTP " + status;
                retryable = status == 408 || status == 429 || status >= 500;
                asked = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock)
                        .orElse(Duration.ZERO);
            } catch (IOException e) {
                // The message names host and port at most; the URL's path and query are never logged.
                failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                retryable = true;
            }
            if (!retryable || attempt >= settings.maxRetries()) {
                giveUp(event, failure, attempt + 1);
                return;
            }
            Duration pause = backoff(attempt);
            if (asked.compareTo(pause) > 0) {
                pause = asked; // never earlier than the receiver asked
            }
            LOG.debug("Webhook event for {} failed ({}); attempt {} of {} in {}", event.user().label(), failure,
                    attempt + 2, settings.maxRetries() + 1, pause);
            sleeper.sleep(pause);
        }
    }

    private HttpRequest request(Event event) {
        long timestamp = clock.instant().getEpochSecond();
        return HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "TeamsConnect-Webhook")
                .header(TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(SIGNATURE_HEADER, signer.signatureHeader(timestamp, event.body()))
                .header(DELIVERY_HEADER, event.deliveryId())
                .POST(HttpRequest.BodyPublishers.ofString(event.body(), StandardCharsets.UTF_8))
                .build();
    }

    /** {@code initialBackoff * 2^attempt}, capped at {@code maxBackoff}, then randomised to [half, all] of it. */
    Duration backoff(int attempt) {
        return backoff.delay(attempt + 1, random);
    }

    private boolean superseded(Event event) {
        lock.lock();
        try {
            return pending.containsKey(event.user().id());
        } finally {
            lock.unlock();
        }
    }

    private void markDelivered(Event event) {
        lock.lock();
        try {
            delivered.put(event.user().id(), event.state());
        } finally {
            lock.unlock();
        }
    }

    private void giveUp(Event event, String failure, int attempts) {
        String userId = event.user().id();
        lock.lock();
        try {
            // Fall back to what the receiver last acknowledged, unless a newer change is already queued.
            if (!pending.containsKey(userId)) {
                current.put(userId, delivered.get(userId));
            }
        } finally {
            lock.unlock();
        }
        LOG.warn("Webhook event for {} to {} given up after {} attempt(s): {}; the engine writes it again next cycle",
                event.user().label(), settings.safeUrl(), attempts, failure);
    }

    private PbxUser known(PbxUser user) {
        WebhookUser u = users.get(user.id());
        if (u == null) {
            throw new UnknownUserException(user.id(), "webhook user \"" + user.id() + "\" is not in webhook.users");
        }
        return u.user();
    }
}
