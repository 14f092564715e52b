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
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.retry.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP and session layer: one shared {@link HttpClient}, the login (nonce or OAuth, see below), the token
 * header, re-login on 401 (single-flight), proactive renewal, and bounded retries for idempotent requests.
 *
 * <p>Login ({@link StarfaceLogin}, chosen once, at the first login, and logged once at INFO):
 * <ul>
 *   <li>{@code nonce}: {@code GET}/{@code POST /rest/login}, then the header {@code authToken}; renewed before
 *       {@code tokenLifetime} ends (4 hours, per STARFACE's documentation).</li>
 *   <li>{@code oauth}: {@code GET} {@value StarfaceOAuth#DISCOVERY_PATH} below {@code baseUrl}, then the password
 *       grant at the discovery document's {@code token_endpoint} (which must be on the PBX, see
 *       {@link StarfaceOAuth}); REST requests carry {@code Authorization: Bearer} (and {@code X-Version: 2}). The
 *       access token is renewed with the refresh token shortly before its {@code expires_in} ends; when the refresh
 *       token is gone (expired, refused, or never sent) a new password grant is made.</li>
 *   <li>{@code auto}: {@code oauth} when a client secret is set and the discovery document answers, else
 *       {@code nonce}. Discovery answering 404 (or 410, a redirect, or no discovery document) means the nonce
 *       login; 429/5xx and I/O errors are retried like any request and decide nothing. Once discovery answered, a
 *       refused grant is a terminal error saying so: the nonce login is never used silently instead.</li>
 * </ul>
 * Every token request, refresh included, is one login in the sense of the single-flight rule: concurrent callers
 * that find the token due share one request.
 *
 * <p>Time limits:
 * <ul>
 *   <li>One HTTP exchange (connect, headers and the whole body) ends at {@code requestTimeout}: it is cancelled
 *       then, which closes its connection, so a body that stalls or a half-open connection cannot hold a thread.</li>
 *   <li>One {@link #call} (or {@link #ensureSession}) with its logins and retries ends at
 *       {@code (maxRetries + 1) * requestTimeout + maxRetries * backoffMax} (55 s with the sink's defaults). Its
 *       waits between attempts (backoff and {@code Retry-After}) come out of a <em>retry budget</em> of
 *       {@code maxRetries * backoffMax} (15 s).</li>
 * </ul>
 *
 * <p>{@code Retry-After} (read once, by {@link RetryAfter#parse}): nothing is sent to the PBX before it ends. A
 * call waits for it only while the wait fits its remaining retry budget and it has a retry left; otherwise it ends
 * at once with a {@link BackendPausedException} carrying the wait, and until then every request of this client
 * fails fast (or waits, if that fits its own budget) with a message saying until when.
 *
 * <p>Bodies are read with a size limit per endpoint ({@link #bodyLimit}), enforced while reading.
 *
 * <p>The token goes only to the configured PBX: a request whose scheme, host or port differ from
 * {@code baseUrl}'s is refused before anything is sent, and redirects are never followed (the sink builds its
 * client with {@code Redirect.NEVER}). The same holds for OAuth: the password, client secret and refresh token go
 * only to a token (or revocation) endpoint that the discovery document names <em>on</em> the PBX; one elsewhere is
 * refused before anything is sent to it.
 *
 * <p>Thread-safe. Credentials and tokens are kept in fields only; they never reach a log line, an exception
 * message or {@link #toString()}.
 */
final class StarfaceRestClient {

    static {
        // Before this class's first request: the JDK client reads its log switch once, at its first exchange.
        StarfaceHttpLogGuard.apply();
    }

    private static final Logger LOG = LoggerFactory.getLogger(StarfaceRestClient.class);
    static final String LOGIN_PATH = "/rest/login";

    /** Body limit of small answers: login, phoneconfig, one user, error bodies of those (a phoneconfig is ~100 bytes). */
    static final long SMALL_BODY_LIMIT = 64 * 1024;
    /** Body limit of {@code GET /rest/users}: 50,000 users of ~400 bytes are ~20 MB; this leaves room for longer names. */
    static final long USER_LIST_LIMIT = 64L * 1024 * 1024;
    /** Body limit of {@code GET /rest/groups}: ~100 bytes a group, so tens of thousands of groups. */
    static final long GROUP_LIST_LIMIT = 4L * 1024 * 1024;
    /** Body limit of {@code GET /rest/groups/{id}}: it lists every user of the PBX (~80 bytes each) with a flag. */
    static final long GROUP_LIMIT = 16L * 1024 * 1024;

    /** The path of STARFACE's XML-RPC interface, through which the bridge module's entry points are called. */
    static final String XML_RPC_PATH = "/xml-rpc";
    /**
     * Body limit of the bridge's XML-RPC answers: the largest is an {@code events} answer with every account on a
     * call (50,000 accounts of ~30 bytes) or 500 chat statuses of at most 255 characters each.
     */
    static final long XML_RPC_LIMIT = 4L * 1024 * 1024;

    /** A response with its body read. */
    record Response(String method, String path, int status, String body, Optional<Duration> retryAfter) {
    }

    /** Who signs in, and how: the login mode, the account and (for OAuth) the client. */
    record SignIn(StarfaceLogin mode, String loginId, String password, String clientId, String clientSecret) {
        /** The nonce login with this account (what every version since 6.4.2.12 offers). */
        static SignIn nonce(String loginId, String password) {
            return new SignIn(StarfaceLogin.NONCE, loginId, password, StarfaceOAuth.DEFAULT_CLIENT_ID, null);
        }

        @Override
        public String toString() {
            return "SignIn[" + mode.code() + ", " + loginId + "]";
        }
    }

    /**
     * A token and when to renew it. {@code bearer}: an OAuth access token ({@code Authorization: Bearer}), else a
     * nonce-login token ({@code authToken}). {@code refreshToken} (OAuth only, may be null) is usable until
     * {@code refreshUntil}.
     */
    private record Session(String token, Instant obtainedAt, Instant renewAt, boolean bearer, String refreshToken,
                           Instant refreshUntil) {
        @Override
        public String toString() {
            return "Session[" + (bearer ? "bearer" : "authToken") + ", renew at " + renewAt + "]";
        }
    }

    /** The login the first login chose: the nonce login, or OAuth at a realm. */
    private record Chosen(StarfaceOAuth.Realm realm) {
        boolean oauth() {
            return realm != null;
        }
    }

    /** Login rejected or TLS refused: the whole backend is unusable, so a batch stops at the first one. */
    static final class BackendTerminalException extends TerminalException {
        BackendTerminalException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The PBX cannot be reached at all (I/O after all retries): a batch stops rather than retrying per user. */
    static class BackendUnreachableException extends RetryableException {
        BackendUnreachableException(String message, Throwable cause) {
            super(message, cause);
        }

        BackendUnreachableException(String message, Duration retryAfter, Throwable cause) {
            super(message, retryAfter, cause);
        }
    }

    /**
     * The PBX asked (with {@code Retry-After}) that nothing be sent before some time, and that time is beyond this
     * call's retry budget. Carries the remaining wait; a batch stops at the first one.
     */
    static final class BackendPausedException extends BackendUnreachableException {
        BackendPausedException(String message, Duration retryAfter, Throwable cause) {
            super(message, retryAfter, cause);
        }
    }

    /** A body longer than the endpoint's limit; raised while reading, the connection is then closed. */
    static final class BodyTooLargeException extends IOException {
        final long limit;

        BodyTooLargeException(long limit) {
            super("body longer than " + limit + " bytes");
            this.limit = limit;
        }
    }

    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** What one call may still spend: a real-time deadline for its requests and a budget for its waits. */
    private final class Budget {
        final long deadlineNanos;
        final boolean retries;
        Duration waitLeft;
        /** The latest {@code notBefore} this call has already waited for (a fake sleeper does not move the clock). */
        Instant waitedUntil = Instant.MIN;

        Budget(boolean retries, Duration total) {
            this.retries = retries && maxRetries > 0;
            this.waitLeft = this.retries ? retryBudget : Duration.ZERO;
            // + a few ms so the first request gets all of requestTimeout even after the call's own bookkeeping
            this.deadlineNanos = System.nanoTime() + total.toNanos() + GRACE_NANOS;
        }

        long remainingNanos() {
            return deadlineNanos - System.nanoTime();
        }
    }

    private final ObjectMapper json = JsonMapper.builder().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();
    private final URI baseUrl;
    private final SignIn signIn;
    private final String loginId;
    private final String password;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Backoff backoff;
    private final Random random;
    private final Duration retryBudget;
    private final Duration callLimit;
    private final Duration renewAfter;
    private final Duration loginFailureHold;
    // Set once (under loginLock) by the first login that could decide.
    private volatile Chosen chosen;

    private final ReentrantLock loginLock = new ReentrantLock();
    private volatile Session session;
    // A rejected login is remembered for loginFailureHold, so a bad password does not cause a login per request.
    private volatile TerminalException loginFailure;
    private volatile Instant loginFailureAt;
    // Nothing is sent to the PBX before this (its last Retry-After).
    private final AtomicReference<Instant> notBefore = new AtomicReference<>(Instant.MIN);

    /**
     * @param backoffBase the first retry's backoff (0 means 1 ms); each retry doubles it, capped at
     *                    {@code backoffMax}, with jitter from {@code random}
     */
    StarfaceRestClient(URI baseUrl, SignIn signIn, HttpClient http, Duration requestTimeout,
                       int maxRetries, Clock clock, Sleeper sleeper, Duration backoffBase,
                       Duration backoffMax, Duration tokenLifetime, Duration loginFailureHold, Random random) {
        this.baseUrl = baseUrl;
        this.signIn = signIn;
        this.loginId = signIn.loginId();
        this.password = signIn.password();
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxRetries = maxRetries;
        this.clock = clock;
        this.sleeper = sleeper;
        Duration initial = backoffBase.isZero() ? Duration.ofMillis(1) : backoffBase;
        this.backoff = new Backoff(initial, backoffMax.compareTo(initial) < 0 ? initial : backoffMax);
        this.random = random == null ? new Random() : random;
        this.retryBudget = backoff.max().multipliedBy(maxRetries);
        this.callLimit = requestTimeout.multipliedBy(maxRetries + 1L).plus(retryBudget);
        this.renewAfter = early(tokenLifetime);
        this.loginFailureHold = loginFailureHold;
    }

    /** A little before the end of a lifetime (a tenth of it, at most 5 minutes), so a request never races the expiry. */
    private static Duration early(Duration lifetime) {
        Duration margin = lifetime.dividedBy(10).compareTo(Duration.ofMinutes(5)) < 0
                ? lifetime.dividedBy(10) : Duration.ofMinutes(5);
        return lifetime.minus(margin);
    }

    /** {@code starface.login} as configured. */
    StarfaceLogin loginMode() {
        return signIn.mode();
    }

    /** The login in use: empty before the first login decided it. */
    Optional<StarfaceLogin> loginInUse() {
        Chosen c = chosen;
        return c == null ? Optional.empty() : Optional.of(c.oauth() ? StarfaceLogin.OAUTH : StarfaceLogin.NONCE);
    }

    URI baseUrl() {
        return baseUrl;
    }

    ObjectMapper json() {
        return json;
    }

    /** The longest one {@link #call} can take: {@code (maxRetries + 1) * requestTimeout + maxRetries * backoffMax}. */
    Duration callLimit() {
        return callLimit;
    }

    // ------------------------------------------------------------------------------------------------ session

    /**
     * Logs in if there is no session or the token is due for renewal, retrying a failed login like an idempotent
     * {@link #call}.
     */
    void ensureSession() {
        Budget b = new Budget(true, callLimit);
        withRetries("login", true, b, () -> currentSession(b));
    }

    private Session currentSession(Budget b) {
        Session s = session;
        if (s != null && !dueForRenewal(s)) {
            return s;
        }
        return relogin(s, b);
    }

    private boolean dueForRenewal(Session s) {
        return !clock.instant().isBefore(s.renewAt());
    }

    /**
     * Replaces {@code stale} with a fresh session (one login attempt). Single-flight: threads that saw the same
     * stale session wait for one login and then share its token; none waits beyond its own deadline.
     */
    private Session relogin(Session stale, Budget b) {
        try {
            if (!loginLock.tryLock(Math.max(0, b.remainingNanos()), TimeUnit.NANOSECONDS)) {
                throw new RetryableException("gave up waiting for a login to STARFACE at " + baseUrl
                        + " that another request started (deadline of this call reached)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while waiting for a login to STARFACE at " + baseUrl, e);
        }
        try {
            Session current = session;
            if (current != null && current != stale && !dueForRenewal(current)) {
                return current;
            }
            TerminalException failed = loginFailure;
            if (failed != null && clock.instant().isBefore(loginFailureAt.plus(loginFailureHold))) {
                throw new BackendTerminalException(failed.getMessage(), failed);
            }
            try {
                Session fresh = login(current, b);
                session = fresh;
                loginFailure = null;
                return fresh;
            } catch (BackendTerminalException e) {
                session = null;
                loginFailure = e;
                loginFailureAt = clock.instant();
                throw e;
            }
        } finally {
            loginLock.unlock();
        }
    }

    /** One login of the chosen kind (choosing it first if not done yet); {@code current} may hold a refresh token. */
    private Session login(Session current, Budget b) {
        Chosen c = choose(b);
        return c.oauth() ? oauthLogin(c.realm(), current, b) : nonceLogin(b);
    }

    // ------------------------------------------------------------------------------------------------ choice

    /** Decides nonce or OAuth once (under loginLock); a retryable failure decides nothing. */
    private Chosen choose(Budget b) {
        Chosen c = chosen;
        if (c != null) {
            return c;
        }
        StarfaceLogin mode = signIn.mode();
        boolean hasSecret = signIn.clientSecret() != null && !signIn.clientSecret().isEmpty();
        if (mode == StarfaceLogin.NONCE) {
            c = new Chosen(null);
            LOG.info("STARFACE {}: nonce login as '{}' (starface.login: nonce)", baseUrl, loginId);
        } else if (mode == StarfaceLogin.AUTO && !hasSecret) {
            c = new Chosen(null);
            LOG.info("STARFACE {}: nonce login as '{}' (starface.login: auto; OAuth not tried: starface.oauth.clientSecret"
                    + " is not set)", baseUrl, loginId);
        } else {
            c = discover(mode, b);
        }
        chosen = c;
        return c;
    }

    /** Fetches the discovery document and decides (see the class comment for {@code auto}). */
    private Chosen discover(StarfaceLogin mode, Budget b) {
        Response r = sendDiscovery(b);
        String reason;
        if (r.status() == 200) {
            try {
                StarfaceOAuth.Realm realm = StarfaceOAuth.readDiscovery(parseOrNull(r), baseUrl);
                LOG.info("STARFACE {}: OAuth login as '{}' (starface.login: {}; password grant, client '{}', token endpoint {}{})",
                        baseUrl, loginId, mode.code(), signIn.clientId(), realm.tokenEndpoint(),
                        realm.scope().map(s -> ", scope " + s).orElse(", no scope"));
                return new Chosen(realm);
            } catch (StarfaceOAuth.NotOffered e) {
                reason = e.getMessage();
            } catch (StarfaceOAuth.Unusable e) {
                throw new BackendTerminalException("STARFACE at " + baseUrl + " offers OAuth (" + StarfaceOAuth.DISCOVERY_PATH
                        + " answered), but " + e.getMessage() + ". Nothing was sent there"
                        + (mode == StarfaceLogin.AUTO ? "; starface.login: nonce uses the nonce login instead" : ""), null);
            }
        } else if (r.status() == 429 || r.status() >= 500) {
            throw statusError(r, "discovering the OAuth realm");
        } else if (r.status() >= 300 && r.status() < 400) {
            reason = "HTTP " + r.status() + " (a redirect, not followed)";
        } else {
            reason = "HTTP " + r.status();
        }
        String why = StarfaceOAuth.DISCOVERY_PATH + " answered " + reason;
        if (mode == StarfaceLogin.OAUTH) {
            throw new BackendTerminalException("starface.login is oauth, but STARFACE at " + baseUrl
                    + " offers no OAuth realm 'pbx': " + why + " (OAuth needs STARFACE 10 or later; use starface.login:"
                    + " nonce or auto on older appliances)", null);
        }
        LOG.info("STARFACE {}: nonce login as '{}' (starface.login: auto; no OAuth: {})", baseUrl, loginId, why);
        return new Chosen(null);
    }

    // ------------------------------------------------------------------------------------------------ OAuth

    /**
     * One token request: the refresh grant while {@code current} has a usable refresh token (falling back to one
     * password grant if the realm says {@code invalid_grant}), else the password grant.
     */
    private Session oauthLogin(StarfaceOAuth.Realm realm, Session current, Budget b) {
        if (current != null && current.refreshToken() != null && clock.instant().isBefore(current.refreshUntil())) {
            Instant asked = clock.instant();
            Response r = sendForm(realm.tokenEndpoint(), StarfaceOAuth.refreshGrant(signIn.clientId(),
                    signIn.clientSecret(), current.refreshToken()), b);
            if (r.status() == 200) {
                return oauthSession(r, asked);
            }
            if ((r.status() == 400 || r.status() == 401)
                    && StarfaceOAuth.errorCode(parseOrNull(r)).filter("invalid_grant"::equals).isPresent()) {
                // The refresh token is not active any more (the realm restarted, the session ended): a new grant.
                LOG.debug("STARFACE {} refused the refresh token (invalid_grant); a new password grant follows", baseUrl);
            } else {
                throw tokenError(r, "refresh_token");
            }
        }
        Instant asked = clock.instant();
        Response r = sendForm(realm.tokenEndpoint(), StarfaceOAuth.passwordGrant(signIn.clientId(), signIn.clientSecret(),
                loginId, password, realm.scope()), b);
        if (r.status() != 200) {
            throw tokenError(r, "password");
        }
        return oauthSession(r, asked);
    }

    private Session oauthSession(Response r, Instant asked) {
        StarfaceOAuth.Tokens t = StarfaceOAuth.readTokens(parseOrNull(r)).orElseThrow(() ->
                malformed(r, "expected {\"access_token\": \"...\", \"token_type\": \"Bearer\", ...}"));
        LOG.debug("Signed in to STARFACE {} as '{}' with OAuth (access token for {} s, refresh token {})", baseUrl, loginId,
                t.expiresIn().toSeconds(), t.refreshToken().isPresent() ? "for " + t.refreshExpiresIn().toSeconds() + " s" : "none");
        // Lifetimes count from when the request was sent, so a slow answer does not stretch them.
        return new Session(t.accessToken(), asked, asked.plus(early(t.expiresIn())), true, t.refreshToken().orElse(null),
                asked.plus(early(t.refreshExpiresIn())));
    }

    /**
     * A refused token request. 429/5xx are retryable; everything else is terminal and says which setting to check:
     * the realm's error code ({@code invalid_client}, {@code invalid_grant}, ...) is shown, its description is not
     * (we cannot know it never quotes what was sent).
     */
    private TeamsConnectException tokenError(Response r, String grant) {
        if (r.status() == 429 || r.status() >= 500) {
            return statusError(r, "requesting an OAuth token (" + grant + " grant)");
        }
        Optional<String> code = StarfaceOAuth.errorCode(parseOrNull(r));
        String head = "STARFACE at " + baseUrl + " refused the OAuth " + grant + " grant for '" + loginId + "' at "
                + r.path() + " (HTTP " + r.status() + code.map(c -> ", error " + c).orElse("") + ")";
        String auto = signIn.mode() == StarfaceLogin.AUTO
                ? ". starface.login: auto chose OAuth because " + StarfaceOAuth.DISCOVERY_PATH + " answered; the nonce login"
                + " is not used instead without being asked (starface.login: nonce)" : "";
        String hint = switch (code.orElse("")) {
            case "invalid_client", "unauthorized_client" -> ": the client was not accepted; check starface.oauth.clientSecret"
                    + " (the admin UI shows it under Server, Status, REST-API) and starface.oauth.clientId (now '"
                    + signIn.clientId() + "')";
            case "invalid_grant" -> ": check starface.loginId and starface.password, and that the user has the right"
                    + " \"API Zugriff mit OAuth Password Grant\"";
            case "invalid_scope" -> ": the realm does not accept the scope the discovery document led to (the sources"
                    + " disagree between login and pbx-login; see docs/starface.md)";
            case "unsupported_grant_type" -> ": the realm does not allow the " + grant + " grant for client '"
                    + signIn.clientId() + "'";
            default -> ": check starface.oauth.clientId, starface.oauth.clientSecret, starface.loginId and starface.password";
        };
        return new BackendTerminalException(head + hint + auto, null);
    }

    // ------------------------------------------------------------------------------------------------ nonce

    private Session nonceLogin(Budget b) {
        Response nonce = send("GET", LOGIN_PATH, null, null, b);
        if (nonce.status() == 404) {
            String what = signIn.mode() == StarfaceLogin.NONCE
                    ? "use starface.login: auto or oauth with starface.oauth.clientSecret"
                    : signIn.clientSecret() == null
                    ? "set starface.oauth.clientSecret (starface.login: auto then uses OAuth)"
                    : "and it offers no OAuth realm either (see the log line that names the login chosen)";
            throw new BackendTerminalException("STARFACE at " + baseUrl + " has no nonce login (GET " + LOGIN_PATH
                    + " answered HTTP 404; STARFACE 11 is said to drop it): " + what, null);
        }
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
        Response answer = send("POST", LOGIN_PATH, body, null, b);
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
        LOG.debug("Logged in to STARFACE {} as '{}' (login type {})", baseUrl, loginId, type);
        Instant now = clock.instant();
        return new Session(token.get("token").asText(), now, now.plus(renewAfter), false, null, null);
    }

    /**
     * Ends the session, one attempt within {@code requestTimeout}; failures are logged and ignored (the token expires
     * anyway). Skipped while the PBX asked for a pause. Nonce login: {@code DELETE /rest/login}. OAuth: the refresh
     * token is revoked at the discovery document's {@code revocation_endpoint} (RFC 7009) if it names one on the PBX;
     * the access token stays valid until it expires (at most {@code expires_in}, 300 s per the sources).
     */
    void logout() {
        Session s;
        loginLock.lock();
        try {
            s = session;
            session = null;
        } finally {
            loginLock.unlock();
        }
        if (s == null) {
            return;
        }
        if (s.bearer()) {
            revoke(s);
            return;
        }
        try {
            Response r = send("DELETE", LOGIN_PATH, null, s, new Budget(false, requestTimeout));
            if (r.status() != 204 && r.status() != 200) {
                LOG.debug("Logout from STARFACE {} answered HTTP {}; the token will expire by itself", baseUrl, r.status());
            }
        } catch (TeamsConnectException e) {
            LOG.debug("Logout from STARFACE {} failed ({}); the token will expire by itself", baseUrl, e.getMessage());
        }
    }

    private void revoke(Session s) {
        Chosen c = chosen;
        if (s.refreshToken() == null || c == null || c.realm() == null || c.realm().revocationEndpoint().isEmpty()) {
            return;
        }
        try {
            Response r = sendForm(c.realm().revocationEndpoint().get(),
                    StarfaceOAuth.revocation(signIn.clientId(), signIn.clientSecret(), s.refreshToken()),
                    new Budget(false, requestTimeout));
            if (r.status() != 200 && r.status() != 204) {
                LOG.debug("Revoking the refresh token at STARFACE {} answered HTTP {}; it will expire by itself", baseUrl, r.status());
            }
        } catch (TeamsConnectException e) {
            LOG.debug("Revoking the refresh token at STARFACE {} failed ({}); it will expire by itself", baseUrl, e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * Sends an authenticated request. On 401 it logs in again (shared with concurrent callers) and repeats once.
     * If {@code idempotent}, 429/5xx answers and I/O errors (timeouts included) are retried up to
     * {@code maxRetries} times, after the longer of the PBX's {@code Retry-After} and an exponential backoff with
     * jitter. Returns every other answer (2xx, 4xx) to the caller. Blocks at most {@link #callLimit()}.
     *
     * @throws BackendPausedException when the PBX asked for a pause longer than this call's remaining retry budget
     *                                (now or earlier: nothing is sent until the pause ends)
     * @throws RetryableException     when retries are exhausted or not allowed
     * @throws TerminalException      when the login is rejected, TLS fails, a fresh token is refused, or the body is
     *                                larger than the endpoint's limit
     */
    Response call(String method, String path, JsonNode body, boolean idempotent) {
        target(method, path); // refused before any login
        Budget b = new Budget(idempotent, callLimit);
        return withRetries(method + " " + path, idempotent, b, () -> attempt(method, path, body, b));
    }

    /**
     * Sends an XML-RPC {@code methodCall} ({@code body}) to {@code POST /xml-rpc}, with the PBX login as STARFACE's
     * XML-RPC interface takes it: the nonce login's {@link dev.teamsconnect.starface.bridge.XmlRpcLogin#authValue}
     * as {@code de.vertico.starface.auth}, or with OAuth (STARFACE 10) the access token as
     * {@code de.vertico.starface.jwt}. The credential is in the query string, as the interface wants it; it is never
     * logged (requests are logged by path only, and {@link StarfaceHttpLogGuard} drops the JDK's lines that hold it).
     * Retried like an idempotent {@link #call} (every bridge entry point is idempotent); on 401 with OAuth it logs in
     * again once. Blocks at most {@link #callLimit()}.
     */
    Response xmlRpc(byte[] body) {
        Budget b = new Budget(true, callLimit);
        return withRetries("POST " + XML_RPC_PATH, true, b, () -> xmlRpcAttempt(body, b));
    }

    private Response xmlRpcAttempt(byte[] body, Budget b) {
        Session s = currentSession(b);
        Response r = sendXmlRpc(body, s, b);
        if (r.status() == 401 && s.bearer()) {
            r = sendXmlRpc(body, relogin(s, b), b);
        }
        if (r.status() == 429 || r.status() >= 500) {
            throw new RetryableException(describe(r), r.retryAfter().orElse(null), null);
        }
        return r;
    }

    private Response sendXmlRpc(byte[] body, Session s, Budget b) {
        String credential = s.bearer()
                ? dev.teamsconnect.starface.bridge.XmlRpcLogin.JWT_PARAMETER + "=" + encode(s.token())
                : dev.teamsconnect.starface.bridge.XmlRpcLogin.AUTH_PARAMETER + "="
                        + encode(dev.teamsconnect.starface.bridge.XmlRpcLogin.authValue(loginId, password));
        URI target = URI.create(target("POST", XML_RPC_PATH) + "?" + credential);
        HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                .header("Content-Type", "text/xml; charset=UTF-8")
                .header("Accept", "text/xml");
        return exchange("POST", XML_RPC_PATH, rb, body, b);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private Response attempt(String method, String path, JsonNode body, Budget b) {
        Session s = currentSession(b);
        Response r = send(method, path, body, s, b);
        if (r.status() == 401) {
            Session fresh = relogin(s, b);
            r = send(method, path, body, fresh, b);
            if (r.status() == 401) {
                throw new BackendTerminalException("STARFACE at " + baseUrl + " refused a fresh token of '" + loginId
                        + "' for " + method + " " + path + " (HTTP 401" + errorCode(r) + ")", null);
            }
        }
        if (r.status() == 429 || r.status() >= 500) {
            throw new RetryableException(describe(r) + errorCode(r), r.retryAfter().orElse(null), null);
        }
        return r;
    }

    private <T> T withRetries(String what, boolean idempotent, Budget b, Supplier<T> attempt) {
        for (int n = 0; ; n++) {
            try {
                return attempt.get();
            } catch (BackendPausedException e) {
                throw e;
            } catch (RetryableException e) {
                if (!idempotent || n >= maxRetries) {
                    throw exhausted(e, n + 1);
                }
                Duration delay = backoff.delay(n + 1, random);
                Optional<Duration> asked = e.retryAfter();
                Duration wait = asked.filter(a -> a.compareTo(delay) > 0).orElse(delay);
                // The wait must fit what is left of the retry budget and of the deadline; else end now, not later.
                if (wait.compareTo(b.waitLeft) > 0 || wait.toNanos() >= b.remainingNanos()) {
                    throw asked.isPresent() ? paused(what, e) : exhausted(e, n + 1);
                }
                // Only waits for this PBX's own pause are marked as waited out, not a later one of another request.
                Instant gate = notBefore.get();
                boolean coversGate = !positive(Duration.between(clock.instant(), gate).minus(wait));
                LOG.debug("Retrying {} in {} ms (retry {} of {}{})", what, wait.toMillis(), n + 1, maxRetries,
                        asked.map(a -> ", Retry-After " + a.toMillis() + " ms").orElse(""));
                pause(wait, b, what);
                if (coversGate && gate.isAfter(b.waitedUntil)) {
                    b.waitedUntil = gate;
                }
            }
        }
    }

    private RetryableException exhausted(RetryableException e, int attempts) {
        if (attempts == 1) {
            return e;
        }
        String msg = e.getMessage() + " (after " + attempts + " attempts)";
        return e instanceof BackendUnreachableException
                ? new BackendUnreachableException(msg, e.retryAfter().orElse(null), e)
                : new RetryableException(msg, e.retryAfter().orElse(null), e);
    }

    private BackendPausedException paused(String what, Throwable cause) {
        Instant until = notBefore.get();
        Duration left = Duration.between(clock.instant(), until);
        return new BackendPausedException("STARFACE at " + baseUrl + " asked (Retry-After) to send nothing until "
                + until + " (" + Math.max(0, left.toMillis()) + " ms from now); that is longer than " + what
                + " may wait, so it ends here, and nothing is sent to this PBX until then",
                left.isNegative() ? Duration.ZERO : left, cause);
    }

    private void pause(Duration wait, Budget b, String what) {
        b.waitLeft = b.waitLeft.minus(wait);
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while waiting before " + what, e);
        }
    }

    /** Before any request: honours the PBX's last Retry-After (waits if that fits the budget, else fails fast). */
    private void awaitPause(String method, String path, Budget b) {
        Instant until = notBefore.get();
        if (!until.isAfter(b.waitedUntil)) {
            return;
        }
        Duration left = Duration.between(clock.instant(), until);
        if (!positive(left)) {
            return;
        }
        if (!b.retries || left.compareTo(b.waitLeft) > 0 || left.toNanos() >= b.remainingNanos()) {
            throw paused(method + " " + path, null);
        }
        LOG.debug("STARFACE at {} asked for a pause; {} {} waits {} ms", baseUrl, method, path, left.toMillis());
        pause(left, b, method + " " + path);
        b.waitedUntil = until;
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private void pauseUntil(Duration wait) {
        Instant until = clock.instant().plus(wait);
        notBefore.accumulateAndGet(until, (a, c) -> a.isAfter(c) ? a : c);
    }

    /**
     * One HTTP exchange, cancelled at {@code requestTimeout} or the call's deadline (whichever is first); maps
     * transport failures to our exceptions. Logs method, path, status and time at DEBUG.
     */
    private Response send(String method, String path, JsonNode body, Session s, Budget b) {
        URI target = target(method, path);
        HttpRequest.Builder rb = HttpRequest.newBuilder(target)
                .header("X-Version", "2")
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
        if (s != null && s.bearer()) {
            rb.header("Authorization", "Bearer " + s.token());
        } else if (s != null) {
            rb.header("authToken", s.token());
        }
        byte[] bytes = null;
        if (body != null) {
            try {
                bytes = json.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode a request body for " + method + " " + path, e);
            }
        }
        return exchange(method, path, rb, bytes, b);
    }

    /** {@code GET} of the realm's discovery document below {@code baseUrl} (Keycloak's, so no {@code X-Version}). */
    private Response sendDiscovery(Budget b) {
        String path = StarfaceOAuth.DISCOVERY_PATH;
        return exchange("GET", path, HttpRequest.newBuilder(target("GET", path)).header("Accept", "application/json"), null, b);
    }

    /** A form-encoded {@code POST} to an absolute URL of the realm, refused unless it is on the PBX. */
    private Response sendForm(URI url, java.util.Map<String, String> form, Budget b) {
        if (!sameOrigin(baseUrl, url)) {
            throw new TerminalException("refused to send POST to " + StarfaceOAuth.origin(url)
                    + ": requests of this client (and its credentials) go only to the configured STARFACE at " + baseUrl);
        }
        HttpRequest.Builder rb = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        return exchange("POST", url.getRawPath(), rb, StarfaceOAuth.encode(form), b);
    }

    /**
     * The exchange itself: honours a pause, sets the deadline, reads the body within {@link #bodyLimit}, maps
     * failures. {@code path} names the request in logs and messages.
     */
    private Response exchange(String method, String path, HttpRequest.Builder rb, byte[] body, Budget b) {
        awaitPause(method, path, b);
        long remaining = b.remainingNanos();
        if (remaining <= 0) {
            throw new RetryableException("gave up on " + method + " " + path + " to STARFACE at " + baseUrl
                    + ": the call used up its " + callLimit.toMillis() + " ms");
        }
        Duration timeout = Duration.ofNanos(Math.min(requestTimeout.toNanos(), remaining));
        rb.timeout(timeout);
        rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        long limit = bodyLimit(path);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(rb.build(), LimitedBody.handler(limit));
        try {
            HttpResponse<String> response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            long ms = (System.nanoTime() - started) / 1_000_000;
            LOG.debug("{} {} -> {} in {} ms", method, path, response.statusCode(), ms);
            Optional<Duration> retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
            if (retryAfter.isPresent() && (response.statusCode() == 429 || response.statusCode() >= 500)) {
                pauseUntil(retryAfter.get());
            }
            return new Response(method, path, response.statusCode(), response.body(), retryAfter);
        } catch (TimeoutException e) {
            // Cancelling the exchange closes its connection (JDK 16+), so a stalled body does not linger.
            exchange.cancel(true);
            throw timeout(method, path, timeout, started, e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while waiting for STARFACE " + method + " " + path, e);
        } catch (ExecutionException e) {
            throw failure(method, path, timeout, started, e.getCause() == null ? e : e.getCause());
        }
    }

    private RetryableException timeout(String method, String path, Duration timeout, long started, Exception e) {
        LOG.debug("{} {} -> timeout after {} ms", method, path, (System.nanoTime() - started) / 1_000_000);
        String rest = timeout.compareTo(requestTimeout) < 0 ? "; what was left of the call's " + callLimit.toMillis() + " ms" : "";
        return new RetryableException("STARFACE at " + baseUrl + " did not answer " + method + " " + path
                + " within " + timeout.toMillis() + " ms (connect, headers and body" + rest + ")", e);
    }

    private TeamsConnectException failure(String method, String path, Duration timeout, long started, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BodyTooLargeException tooLarge) {
                LOG.debug("{} {} -> body over {} bytes after {} ms", method, path, tooLarge.limit,
                        (System.nanoTime() - started) / 1_000_000);
                return new TerminalException("STARFACE at " + baseUrl + " sent more than " + tooLarge.limit
                        + " bytes for " + method + " " + path + "; the limit for this endpoint is " + describeLimit(tooLarge.limit)
                        + " (real answers are far smaller), so the answer was dropped and not retried."
                        + " Is a proxy in front of the PBX answering instead?", null);
            }
            if (c instanceof HttpTimeoutException) {
                return timeout(method, path, timeout, started, (Exception) c);
            }
            if (c instanceof SSLHandshakeException ssl) {
                return new BackendTerminalException("TLS handshake with STARFACE at " + baseUrl + " failed: " + ssl.getMessage()
                        + ". If the appliance uses its own certificate, set starface.tls.certificate to its PEM file"
                        + " (see docs/starface.md)", ssl);
            }
        }
        if (t instanceof SSLException ssl) {
            return new BackendTerminalException("TLS with STARFACE at " + baseUrl + " failed: " + ssl.getMessage(), ssl);
        }
        if (t instanceof IOException io) {
            LOG.debug("{} {} -> I/O error after {} ms: {}", method, path, (System.nanoTime() - started) / 1_000_000, io.toString());
            return new BackendUnreachableException("cannot reach STARFACE at " + baseUrl + " for " + method + " " + path
                    + ": " + io, io);
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        throw new IllegalStateException("unexpected failure of " + method + " " + path, t);
    }

    /**
     * The request URI: {@code path} below {@code baseUrl}. Refuses any URI whose scheme, host or port differ from
     * {@code baseUrl}'s, so the token (and any future {@code Authorization} header) goes only to the configured PBX.
     */
    URI target(String method, String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a STARFACE path must start with '/', but was \"" + path + "\"");
        }
        URI target = baseUrl.resolve(path.substring(1)); // keeps a path prefix of baseUrl
        if (!sameOrigin(baseUrl, target)) {
            throw new TerminalException("refused to send " + method + " to " + target.getScheme() + "://"
                    + target.getHost() + (target.getPort() < 0 ? "" : ":" + target.getPort())
                    + ": requests of this client (and its token) go only to the configured STARFACE at " + baseUrl);
        }
        return target;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && b.getScheme() != null && a.getHost() != null && b.getHost() != null
                && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b)
                && b.getRawUserInfo() == null;
    }

    private static int effectivePort(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** The most bytes accepted in an answer to a request for {@code path} (see the constants). */
    static long bodyLimit(String path) {
        int q = path.indexOf('?');
        String p = (q < 0 ? path : path.substring(0, q)).toLowerCase(Locale.ROOT);
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/rest/users")) {
            return USER_LIST_LIMIT;
        }
        if (p.equals(XML_RPC_PATH)) {
            return XML_RPC_LIMIT;
        }
        if (p.equals("/rest/groups")) {
            return GROUP_LIST_LIMIT;
        }
        if (p.startsWith("/rest/groups/")) {
            return GROUP_LIMIT;
        }
        return SMALL_BODY_LIMIT;
    }

    private static String describeLimit(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }

    // ------------------------------------------------------------------------------------------------ parsing

    /** The JSON of a body, or null when it is empty or not JSON (for answers whose shape decides, not fails). */
    private JsonNode parseOrNull(Response r) {
        if (r.body() == null || r.body().isBlank()) {
            return null;
        }
        try {
            return json.readTree(r.body());
        } catch (JsonProcessingException e) {
            return null;
        }
    }

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
        return "StarfaceRestClient[" + baseUrl + ", login=" + loginId + ", " + signIn.mode().code() + "]";
    }
}
