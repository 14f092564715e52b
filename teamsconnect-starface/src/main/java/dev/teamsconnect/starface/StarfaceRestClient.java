package dev.teamsconnect.starface;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP and session layer: one shared {@link HttpClient}, the nonce login, the token header, re-login on 401
 * (single-flight), proactive renewal, and bounded retries with backoff for idempotent requests.
 *
 * <p>Thread-safe. Credentials and tokens are kept in fields only; they never reach a log line, an exception
 * message or {@link #toString()}.
 */
final class StarfaceRestClient {

    private static final Logger log = LoggerFactory.getLogger(StarfaceRestClient.class);
    static final String LOGIN_PATH = "/rest/login";

    /** A response with its body read. */
    record Response(String method, String path, int status, String body, Optional<Duration> retryAfter) {
    }

    /** The token and when it was issued. */
    private record Session(String token, Instant obtainedAt) {
    }

    /** Login rejected or TLS refused: the whole backend is unusable, so a batch stops at the first one. */
    static final class BackendTerminalException extends TerminalException {
        BackendTerminalException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The PBX cannot be reached at all (I/O after all retries): a batch stops rather than retrying per user. */
    static final class BackendUnreachableException extends RetryableException {
        BackendUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ObjectMapper json = JsonMapper.builder().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();
    private final URI baseUrl;
    private final String loginId;
    private final String password;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final Duration renewAfter;
    private final Duration loginFailureHold;

    private final Object loginLock = new Object();
    private volatile Session session;
    // A rejected login is remembered for loginFailureHold, so a bad password does not cause a login per request.
    private volatile TerminalException loginFailure;
    private volatile Instant loginFailureAt;

    StarfaceRestClient(URI baseUrl, String loginId, String password, HttpClient http, Duration requestTimeout,
                       int maxRetries, Clock clock, Sleeper sleeper, Duration backoffBase,
                       Duration backoffMax, Duration tokenLifetime, Duration loginFailureHold) {
        this.baseUrl = baseUrl;
        this.loginId = loginId;
        this.password = password;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxRetries = maxRetries;
        this.clock = clock;
        this.sleeper = sleeper;
        this.backoffBase = backoffBase;
        this.backoffMax = backoffMax;
        // Renew a little before the end of the lifetime so a request never races the expiry.
        Duration margin = tokenLifetime.dividedBy(10).compareTo(Duration.ofMinutes(5)) < 0
                ? tokenLifetime.dividedBy(10) : Duration.ofMinutes(5);
        this.renewAfter = tokenLifetime.minus(margin);
        this.loginFailureHold = loginFailureHold;
    }

    URI baseUrl() {
        return baseUrl;
    }

    ObjectMapper json() {
        return json;
    }

    // ------------------------------------------------------------------------------------------------ session

    /** Logs in if there is no session or the token is due for renewal. */
    void ensureSession() {
        currentSession();
    }

    private Session currentSession() {
        Session s = session;
        if (s != null && !dueForRenewal(s)) {
            return s;
        }
        return relogin(s);
    }

    private boolean dueForRenewal(Session s) {
        return !clock.instant().isBefore(s.obtainedAt().plus(renewAfter));
    }

    /**
     * Replaces {@code stale} with a fresh session. Single-flight: threads that saw the same stale session wait for
     * one login and then share its token.
     */
    private Session relogin(Session stale) {
        synchronized (loginLock) {
            Session current = session;
            if (current != null && current != stale && !dueForRenewal(current)) {
                return current;
            }
            TerminalException failed = loginFailure;
            if (failed != null && clock.instant().isBefore(loginFailureAt.plus(loginFailureHold))) {
                throw new BackendTerminalException(failed.getMessage(), failed);
            }
            try {
                Session fresh = loginWithRetries();
                session = fresh;
                loginFailure = null;
                return fresh;
            } catch (BackendTerminalException e) {
                session = null;
                loginFailure = e;
                loginFailureAt = clock.instant();
                throw e;
            }
        }
    }

    private Session loginWithRetries() {
        for (int attempt = 0; ; attempt++) {
            try {
                return login();
            } catch (RetryableException e) {
                if (attempt >= maxRetries) {
                    throw e;
                }
                backoff(attempt, e.retryAfter(), "login");
            }
        }
    }

    private Session login() {
        Response nonce = send("GET", LOGIN_PATH, null, null);
        if (nonce.status() != 200) {
            throw statusError(nonce, "fetching a login nonce");
        }
        JsonNode announced = parse(nonce);
        if (!announced.isObject() || !announced.path("nonce").isTextual() || !announced.path("loginType").isTextual()) {
            throw malformed(nonce, "expected {\"loginType\", \"nonce\", ...}");
        }
        String nonceValue = announced.get("nonce").asText();
        String type = announced.get("loginType").asText();
        String secret = switch (type) {
            case "Internal" -> StarfaceLoginSecret.internal(loginId, nonceValue, password);
            case "ActiveDirectory" -> StarfaceLoginSecret.activeDirectory(loginId, nonceValue, password);
            default -> throw new BackendTerminalException("STARFACE at " + baseUrl + " announced login type \"" + type
                    + "\"; only Internal and ActiveDirectory are supported", null);
        };
        // The reference: POST the same object back with the secret filled in.
        ObjectNode body = ((ObjectNode) announced).deepCopy();
        body.put("secret", secret);
        Response answer = send("POST", LOGIN_PATH, body, null);
        if (answer.status() == 400 || answer.status() == 401 || answer.status() == 403) {
            // The reference: invalid login -> 400. The PBX's own message is not echoed: it is not needed and
            // we cannot know it never quotes what was sent.
            throw new BackendTerminalException("STARFACE at " + baseUrl + " rejected the login of '" + loginId
                    + "' (HTTP " + answer.status() + codeOnly(answer) + "): check starface.loginId and starface.password", null);
        }
        if (answer.status() != 200) {
            throw statusError(answer, "logging in as '" + loginId + "'");
        }
        JsonNode token = parse(answer);
        if (!token.isObject() || !token.path("token").isTextual() || token.get("token").asText().isBlank()) {
            throw malformed(answer, "expected {\"token\": \"...\"}");
        }
        log.debug("Logged in to STARFACE {} as '{}' (login type {})", baseUrl, loginId, type);
        return new Session(token.get("token").asText(), clock.instant());
    }

    /** {@code DELETE /rest/login}; failures are logged and ignored (the token expires anyway). */
    void logout() {
        Session s;
        synchronized (loginLock) {
            s = session;
            session = null;
        }
        if (s == null) {
            return;
        }
        try {
            Response r = send("DELETE", LOGIN_PATH, null, s.token());
            if (r.status() != 204 && r.status() != 200) {
                log.debug("Logout from STARFACE {} answered HTTP {}; the token will expire by itself", baseUrl, r.status());
            }
        } catch (TeamsConnectException e) {
            log.debug("Logout from STARFACE {} failed ({}); the token will expire by itself", baseUrl, e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * Sends an authenticated request. On 401 it logs in again (shared with concurrent callers) and repeats once.
     * If {@code idempotent}, 429/5xx answers and I/O errors are retried up to {@code maxRetries} times with
     * exponential backoff and jitter. Returns every other answer (2xx, 4xx) to the caller.
     *
     * @throws RetryableException when retries are exhausted or not allowed
     * @throws TerminalException  when the login is rejected, TLS fails, or a fresh token is refused
     */
    Response call(String method, String path, JsonNode body, boolean idempotent) {
        for (int attempt = 0; ; attempt++) {
            try {
                Session s = currentSession();
                Response r = send(method, path, body, s.token());
                if (r.status() == 401) {
                    Session fresh = relogin(s);
                    r = send(method, path, body, fresh.token());
                    if (r.status() == 401) {
                        throw new BackendTerminalException("STARFACE at " + baseUrl + " refused a fresh token of '" + loginId
                                + "' for " + method + " " + path + " (HTTP 401" + errorCode(r) + ")", null);
                    }
                }
                if (r.status() == 429 || r.status() >= 500) {
                    throw new RetryableException(describe(r) + errorCode(r), r.retryAfter().orElse(null), null);
                }
                return r;
            } catch (RetryableException e) {
                if (!idempotent || attempt >= maxRetries) {
                    if (e instanceof BackendUnreachableException && attempt > 0) {
                        throw new BackendUnreachableException(e.getMessage() + " (after " + (attempt + 1) + " attempts)", e);
                    }
                    throw attempt == 0 ? e : new RetryableException(e.getMessage() + " (after " + (attempt + 1) + " attempts)",
                            e.retryAfter().orElse(null), e);
                }
                backoff(attempt, e.retryAfter(), method + " " + path);
            }
        }
    }

    /** One HTTP exchange; maps transport failures to our exceptions. Logs method, path, status and time at DEBUG. */
    private Response send(String method, String path, JsonNode body, String token) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(baseUrl.resolve(path.substring(1))) // keeps a path prefix of baseUrl
                .timeout(requestTimeout)
                .header("X-Version", "2")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        if (token != null) {
            rb.header("authToken", token);
        }
        if (body != null) {
            try {
                rb.method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode a request body for " + method + " " + path, e);
            }
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - started) / 1_000_000;
            log.debug("{} {} -> {} in {} ms", method, path, response.statusCode(), ms);
            return new Response(method, path, response.statusCode(), response.body(), retryAfter(response));
        } catch (HttpTimeoutException e) {
            log.debug("{} {} -> timeout after {} ms", method, path, (System.nanoTime() - started) / 1_000_000);
            throw new RetryableException("STARFACE at " + baseUrl + " did not answer " + method + " " + path
                    + " within " + requestTimeout.toMillis() + " ms", e);
        } catch (SSLHandshakeException e) {
            throw new BackendTerminalException("TLS handshake with STARFACE at " + baseUrl + " failed: " + e.getMessage()
                    + ". If the appliance uses its own certificate, set starface.tls.certificate to its PEM file"
                    + " (see docs/starface.md)", e);
        } catch (SSLException e) {
            throw new BackendTerminalException("TLS with STARFACE at " + baseUrl + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            log.debug("{} {} -> I/O error after {} ms: {}", method, path, (System.nanoTime() - started) / 1_000_000, e.toString());
            if (e.getCause() instanceof SSLHandshakeException ssl) {
                throw new BackendTerminalException("TLS handshake with STARFACE at " + baseUrl + " failed: " + ssl.getMessage()
                        + ". If the appliance uses its own certificate, set starface.tls.certificate to its PEM file"
                        + " (see docs/starface.md)", e);
            }
            throw new BackendUnreachableException("cannot reach STARFACE at " + baseUrl + " for " + method + " " + path
                    + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while waiting for STARFACE " + method + " " + path, e);
        }
    }

    private void backoff(int attempt, Optional<Duration> retryAfter, String what) {
        long capMs = backoffMax.toMillis();
        long expMs = Math.min(capMs, backoffBase.toMillis() << Math.min(attempt, 20));
        // "Equal jitter": half fixed, half random, so concurrent clients spread out but never retry instantly.
        long delayMs = expMs / 2 + ThreadLocalRandom.current().nextLong(expMs / 2 + 1);
        if (retryAfter.isPresent()) {
            delayMs = Math.min(capMs, Math.max(delayMs, retryAfter.get().toMillis()));
        }
        log.debug("Retrying {} in {} ms (retry {} of {})", what, delayMs, attempt + 1, maxRetries);
        try {
            sleeper.sleep(Duration.ofMillis(delayMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while backing off before retrying " + what, e);
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        // The reference says nothing about Retry-After from STARFACE; honour the standard header if it is there.
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ parsing

    /** Parses a JSON body strictly: empty or invalid JSON is an error naming the endpoint. */
    JsonNode parse(Response r) {
        if (r.body() == null || r.body().isBlank()) {
            throw malformed(r, "the body is empty");
        }
        try {
            return json.readTree(r.body());
        } catch (JsonProcessingException e) {
            throw malformed(r, "the body is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    TerminalException malformed(Response r, String what) {
        return new TerminalException("STARFACE at " + baseUrl + " answered " + r.method() + " " + r.path()
                + " (HTTP " + r.status() + ") with a malformed body: " + what);
    }

    /** An unexpected status: 4xx are terminal (with a hint for 403), anything else retryable. */
    TeamsConnectException statusError(Response r, String doing) {
        String msg = describe(r) + errorCode(r) + " while " + doing;
        if (r.status() == 403) {
            return new TerminalException(msg + ": the account '" + loginId + "' lacks the rights for this (see docs/starface.md)");
        }
        if (r.status() >= 400 && r.status() < 500 && r.status() != 429) {
            return new TerminalException(msg);
        }
        return new RetryableException(msg, r.retryAfter().orElse(null), null);
    }

    private String describe(Response r) {
        return "STARFACE at " + baseUrl + " answered " + r.method() + " " + r.path() + " with HTTP " + r.status();
    }

    /** {@code ", code X: message"} from a {@code {"code","message"}} error body, or "" when there is none. */
    private String errorCode(Response r) {
        if (r.body() == null || r.body().isBlank()) {
            return "";
        }
        try {
            JsonNode n = json.readTree(r.body());
            if (n != null && n.isObject() && n.hasNonNull("code")) {
                String message = n.path("message").asText("");
                if (message.length() > 200) {
                    message = message.substring(0, 200) + "...";
                }
                return ", code " + n.get("code").asText() + (message.isEmpty() ? "" : ": " + message);
            }
        } catch (JsonProcessingException e) {
            // not an error body; nothing to add
        }
        return "";
    }

    private String codeOnly(Response r) {
        try {
            JsonNode n = r.body() == null || r.body().isBlank() ? null : json.readTree(r.body());
            return n != null && n.isObject() && n.hasNonNull("code") ? ", code " + n.get("code").asText() : "";
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "StarfaceRestClient[" + baseUrl + ", login=" + loginId + "]";
    }
}
