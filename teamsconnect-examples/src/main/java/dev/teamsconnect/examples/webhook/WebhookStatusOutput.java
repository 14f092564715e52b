package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.retry.RetryAfter;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.StatusOutput;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StatusOutput} that POSTs each user's status as a signed JSON body ({@link WebhookEvents}) to an HTTP(S)
 * endpoint: a dashboard, a busy light, Home Assistant, a chat bot.
 *
 * <p>It only delivers: the host ({@code dev.teamsconnect.core.output.OutputDispatcher}) calls it on the output's own
 * thread, keeps the queue (the latest status per user), re-publishes every {@code republishInterval} and retries
 * with backoff. One POST per user; a user who left the scope gets a {@code presence.removed} body.
 *
 * <p><b>Each POST</b> has the headers {@value #TIMESTAMP_HEADER} (Unix seconds), {@value #SIGNATURE_HEADER}
 * ({@code sha256=} + lower-case hex HMAC-SHA256 over {@code timestamp + "." + body}, keyed with the UTF-8 bytes of
 * the secret; see {@link WebhookSigner}) and {@value #DELIVERY_HEADER} (a new id per POST). 2xx is success. I/O
 * errors, timeouts, 408, 429 and 5xx throw a {@link RetryableException} (carrying the answer's {@code Retry-After},
 * read with the core {@link RetryAfter}); other answers (401, 403, 404...) a {@link TerminalException}: the
 * configuration or the receiver must change. The whole exchange of one POST, body included, has the
 * {@code timeout} as its deadline. Redirects are not followed, so a signed body never goes anywhere else. Messages
 * name scheme, host and port only: receivers often carry a token in the URL's path or query.
 */
public final class WebhookStatusOutput implements StatusOutput {

    public static final String ID = "webhook";
    public static final String SIGNATURE_HEADER = "X-TeamsConnect-Signature";
    public static final String TIMESTAMP_HEADER = "X-TeamsConnect-Timestamp";
    public static final String DELIVERY_HEADER = "X-TeamsConnect-Delivery";

    private static final Logger LOG = LoggerFactory.getLogger(WebhookStatusOutput.class);

    private final WebhookSettings settings;
    private final Clock clock;
    private final WebhookSigner signer;
    private final HttpClient http;
    private volatile boolean closed;

    /** An output on the system clock. */
    public WebhookStatusOutput(WebhookSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** An output whose timestamps (and {@code Retry-After} dates) come from {@code clock}. */
    public WebhookStatusOutput(WebhookSettings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.signer = new WebhookSigner(settings.secret());
        // Building a client does no I/O; it uses the JVM's default trust store and hostname checks.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Optional<Duration> republishInterval() {
        return Optional.of(settings.republishInterval());
    }

    /** No network I/O: a receiver that is down only delays statuses. */
    @Override
    public void open() {
        if (closed) {
            throw new TerminalException("webhook output to " + settings.safeUrl() + " is closed");
        }
        LOG.debug("Webhook output sends statuses to {}", settings.safeUrl());
    }

    /** One signed POST per status, in order; the first failure ends the call (the host sends them all again). */
    @Override
    public void publish(List<OutputStatus> statuses) {
        for (OutputStatus s : statuses) {
            post(WebhookEvents.status(s), s.label());
        }
    }

    @Override
    public void remove(Collection<String> pbxUserIds) {
        for (String id : pbxUserIds) {
            post(WebhookEvents.removed(id, clock.instant()), id);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The signed request for {@code body}, as a receiver gets it (for tests). */
    HttpRequest request(String body) {
        long timestamp = clock.instant().getEpochSecond();
        return HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "TeamsConnect-Webhook")
                .header(TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(SIGNATURE_HEADER, signer.signatureHeader(timestamp, body))
                .header(DELIVERY_HEADER, UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }

    private void post(String body, String who) {
        if (closed) {
            throw new TerminalException("webhook output to " + settings.safeUrl() + " is closed");
        }
        HttpResponse<Void> response;
        // one deadline for the whole exchange, its body included (the request timeout covers only the time to the
        // headers): a receiver that stalls its body is cancelled, not waited on for ever
        CompletableFuture<HttpResponse<Void>> exchange = http.sendAsync(request(body), HttpResponse.BodyHandlers.discarding());
        try {
            response = exchange.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new RetryableException("webhook " + settings.safeUrl() + ": no complete answer within "
                    + settings.timeout().toMillis() + " ms", new HttpTimeoutException("timeout"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // the message names host and port at most; the URL's path and query are never put in a message
            throw new RetryableException("webhook " + settings.safeUrl() + ": " + cause.getClass().getSimpleName()
                    + (cause instanceof IOException && cause.getMessage() != null ? ": " + cause.getMessage() : ""));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new RetryableException("webhook " + settings.safeUrl() + ": interrupted");
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String failure = "webhook " + settings.safeUrl() + " answered HTTP " + status + " for " + who;
        if (status == 408 || status == 429 || status >= 500) {
            Duration asked = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock)
                    .orElse(null);
            throw new RetryableException(failure, asked, null);
        }
        throw new TerminalException(failure + " (check the url and the receiver's secret)");
    }

    @Override
    public String toString() {
        return "WebhookStatusOutput[" + settings.safeUrl() + "]";
    }
}
