package dev.teamsconnect.graph;

import com.microsoft.graph.communications.getpresencesbyuserid.GetPresencesByUserIdPostRequestBody;
import com.microsoft.graph.core.requests.BaseGraphRequestAdapter;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.RequestInformation;
import com.microsoft.kiota.RequestOption;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import com.microsoft.kiota.serialization.Parsable;
import com.microsoft.kiota.serialization.ParsableFactory;
import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Microsoft Teams presence through Microsoft Graph: users from {@code /users} (enabled accounts, paged with
 * {@code @odata.nextLink}), presence with {@code POST /communications/getPresencesByUserId} in chunks of at most
 * 650 ids, so a cycle of N users costs exactly ceil(N / chunkSize) requests when nothing fails. Sign-in is msal4j
 * (see {@link GraphAuthMode}); calls go through the Microsoft Graph Java SDK v6.
 *
 * <p>Pacing and retries: a client-side pacer keeps presence requests under the configured rate (default 1,500 per
 * 30 s per app) and spreads them evenly; a 429 waits its {@code Retry-After} (fractional seconds too) before any
 * further presence request; 5xx and I/O errors back off exponentially with jitter; a bare 400 on a multi-id chunk
 * splits it in halves and retries; a 401 fetches a fresh token once. The Graph SDK's own RetryHandler is set to
 * 0 retries so that retries are not doubled and every wait goes through the pacer.
 *
 * <p>Threading: one call at a time (the engine's sync thread); all calls block. Failures: {@link RetryableException}
 * when a call gave up after its attempts, {@link TerminalException} when sign-in is rejected or a permission is
 * missing. Stale presence (a smaller {@code sequenceNumber} than one already returned) is replaced by the newer
 * one already seen. Unknown availability/activity strings become UNKNOWN with the raw value, logged once each.
 * Tokens, secrets and passwords are never logged or put in messages.
 */
public final class GraphPresenceSource implements PresenceSource {

    private static final Logger LOG = LoggerFactory.getLogger(GraphPresenceSource.class);
    /** The most ids Graph accepts in one getPresencesByUserId request. */
    public static final int MAX_CHUNK = 650;
    /** The default of {@code teams.pollInterval}: how often the engine reads presence. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    private static final String[] USER_FIELDS = {"id", "displayName", "mail", "userPrincipalName", "accountEnabled"};

    private final Settings s;
    private final GraphSignIn signIn;
    private final PresencePacer pacer;
    private final OkHttpClient okHttp;
    private final GraphServiceClient graph;
    private final BaseGraphRequestAdapter adapter;
    private final Map<String, TeamsPresence> lastSeen = new ConcurrentHashMap<>();
    private final Set<String> unknownLogged = ConcurrentHashMap.newKeySet();
    private volatile boolean forceRefresh;
    private List<TeamsUser> users;
    private Instant usersReadAt;

    private GraphPresenceSource(Settings s) {
        this.s = s;
        TrustMaterial trust = TrustMaterial.of(s.trustedCertificates);
        this.signIn = new GraphSignIn(s, trust);
        this.pacer = new PresencePacer(s.rateLimit, s.rateWindow, s.clock, s.sleeper);
        // Our own loop retries (paced, Retry-After-exact); the SDK's RetryHandler would add up to 3 more per try.
        RequestOption[] options = {new RetryHandlerOption((delay, count, request, response) -> false, 0, 0)};
        this.okHttp = GraphClientFactory.create(options)
                .sslSocketFactory(trust.sslContext().getSocketFactory(), trust.trustManager())
                // OkHttp leaves Nagle's algorithm on: ~40 ms per presence request went to a delayed ACK
                .socketFactory(new NoDelaySocketFactory(javax.net.SocketFactory.getDefault()))
                .callTimeout(s.httpTimeout)
                .build();
        AccessTokenProvider tokens = new AccessTokenProvider() {
            private final AllowedHostsValidator hosts = new AllowedHostsValidator(s.graphBaseUrl.getHost());

            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> additionalContext) {
                boolean force = forceRefresh;
                forceRefresh = false;
                return signIn.accessToken(force);
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        this.adapter = new BaseGraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens),
                s.graphBaseUrl.toString(), okHttp);
        adapter.setBaseUrl(s.graphBaseUrl.toString().replaceAll("/+$", ""));
        this.graph = new GraphServiceClient(adapter);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return GraphSourceProvider.ID;
    }

    /** Signs in (for device code: shows the code and blocks until it is entered or expires). */
    @Override
    public void open() {
        signIn.open();
        LOG.info("Microsoft Graph presence source ready: tenant {}, app {}, {} sign-in, {} presence requests per {}",
                s.tenantId, s.clientId, s.authMode.configValue(), s.rateLimit, s.rateWindow);
    }

    /**
     * Enabled users with id, display name, mail and UPN; read again after {@code userRefreshInterval}, otherwise
     * answered from memory.
     */
    @Override
    public List<TeamsUser> listUsers() {
        Instant now = s.clock.instant();
        if (users != null && usersReadAt != null && now.isBefore(usersReadAt.plus(s.userRefreshInterval))) {
            return users;
        }
        try {
            users = readUsers();
        } catch (BadRequest e) {
            throw new TerminalException("GET /users was refused by Microsoft Graph (HTTP 400): " + e.getMessage());
        }
        usersReadAt = s.clock.instant();
        return users;
    }

    private List<TeamsUser> readUsers() {
        List<TeamsUser> out = new ArrayList<>();
        // The reference facts are silent on whether $filter on accountEnabled is honoured everywhere; Microsoft's
        // user resource documents it as filterable (eq). Disabled accounts are also dropped here, in case it is not.
        UserCollectionResponse page = call("GET /users", false, () -> graph.users().get(rc -> {
            rc.queryParameters.select = USER_FIELDS;
            rc.queryParameters.top = 999;
            rc.queryParameters.filter = "accountEnabled eq true";
        }));
        int pages = 0;
        while (page != null) {
            pages++;
            if (page.getValue() != null) {
                for (User u : page.getValue()) {
                    if (u.getId() == null || Boolean.FALSE.equals(u.getAccountEnabled())) {
                        continue;
                    }
                    out.add(new TeamsUser(u.getId(), u.getUserPrincipalName(), u.getMail(), u.getDisplayName(), true));
                }
            }
            String next = page.getOdataNextLink();
            page = next == null ? null : call("GET /users (next page)", false, () -> graph.users().withUrl(next).get());
        }
        LOG.debug("read {} enabled users in {} pages", out.size(), pages);
        return List.copyOf(out);
    }

    /**
     * The chunk size (650 unless configured lower): the engine then asks for one request's worth of ids at a time and
     * reconciles each chunk's users as soon as it arrives, at no extra request.
     */
    @Override
    public int presenceBatchSize() {
        return s.chunkSize;
    }

    /**
     * Presence of {@code userIds} in chunks of {@code chunkSize} (at most 650). Ids Graph does not return are
     * reported as {@link UnknownUserException} failures.
     */
    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(userIds));
        Map<String, TeamsPresence> values = new LinkedHashMap<>();
        Map<String, TeamsConnectException> failures = new LinkedHashMap<>();
        int chunks = (ids.size() + s.chunkSize - 1) / s.chunkSize;
        for (int i = 0; i < ids.size(); i += s.chunkSize) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + s.chunkSize));
            LOG.trace("presence chunk {}/{} with {} ids", i / s.chunkSize + 1, chunks, chunk.size());
            readChunk(chunk, values, failures);
        }
        for (String id : ids) {
            if (!values.containsKey(id) && !failures.containsKey(id)) {
                failures.put(id, new UnknownUserException(id, "Microsoft Graph returned no presence for user " + id));
            }
        }
        return new BatchResult<>(values, failures);
    }

    private void readChunk(List<String> chunk, Map<String, TeamsPresence> values, Map<String, TeamsConnectException> failures) {
        List<PresenceJson.Item> r;
        try {
            // A fresh body per attempt: Kiota's backing store serializes only changed values the second time.
            r = call("POST /communications/getPresencesByUserId", true, () -> {
                GetPresencesByUserIdPostRequestBody body = new GetPresencesByUserIdPostRequestBody();
                body.setIds(new ArrayList<>(chunk));
                // The SDK's typed parse (Kiota over Gson: a JsonTreeReader per string value) cost ~80 ms per 650
                // presences, most of a 10,000-user cycle; the body is read as a stream here instead. Errors still go
                // through the SDK's mapping, so 429/5xx/401 are handled as before.
                RequestInformation request = graph.communications().getPresencesByUserId().toPostRequestInformation(body);
                HashMap<String, ParsableFactory<? extends Parsable>> errors = new HashMap<>();
                errors.put("XXX", ODataError::createFromDiscriminatorValue);
                try (InputStream in = adapter.sendPrimitive(request, errors, InputStream.class)) {
                    return in == null ? null : PresenceJson.parse(in);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    // the answer arrived but is not readable JSON: not a network error, do not retry the same data
                    throw new MalformedAnswer("POST /communications/getPresencesByUserId failed: unreadable answer: "
                            + e.getOriginalMessage(), e);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (MalformedAnswer e) {
            // Only the users of this answer are unreadable; the other chunks of the cycle go on.
            LOG.warn("Microsoft Graph sent an unreadable presence answer for {} user(s); they are skipped this cycle: {}",
                    chunk.size(), e.getMessage());
            for (String id : chunk) {
                failures.put(id, new RetryableException("unreadable presence answer from Microsoft Graph for user " + id
                        + ": " + e.getMessage(), e));
            }
            return;
        } catch (BadRequest e) {
            if (chunk.size() == 1) {
                failures.put(chunk.get(0), new UnknownUserException(chunk.get(0),
                        "Microsoft Graph rejected the presence request for user " + chunk.get(0) + " (HTTP 400)"));
                return;
            }
            LOG.info("Microsoft Graph answered 400 to a presence request with {} ids; splitting it and retrying", chunk.size());
            int half = chunk.size() / 2;
            readChunk(chunk.subList(0, half), values, failures);
            readChunk(chunk.subList(half, chunk.size()), values, failures);
            return;
        }
        Instant now = s.clock.instant();
        if (r == null) {
            return;
        }
        for (PresenceJson.Item p : r) {
            if (p.id() == null) {
                continue;
            }
            TeamsPresence fresh = TeamsPresence.parse(p.id(), p.availability(), p.activity(), p.statusMessage(),
                    p.outOfOffice(), p.sequenceNumber(), now);
            logUnknown(fresh);
            TeamsPresence kept = lastSeen.merge(p.id(), fresh, (old, neu) -> neu.isOlderThan(old) ? old : neu);
            if (kept != fresh) {
                LOG.debug("dropped stale presence of {} (sequence {} older than {})", p.id(), fresh.sequenceNumber(),
                        kept.sequenceNumber());
            }
            values.put(p.id(), kept);
        }
    }

    private void logUnknown(TeamsPresence p) {
        if (p.availability() == Availability.UNKNOWN && unknownLogged.add("availability:" + p.rawAvailability())) {
            LOG.warn("unknown Teams availability \"{}\" (kept as UNKNOWN; logged once)", p.rawAvailability());
        }
        if (p.activity() == Activity.UNKNOWN && unknownLogged.add("activity:" + p.rawActivity())) {
            LOG.warn("unknown Teams activity \"{}\" (kept as UNKNOWN; logged once)", p.rawActivity());
        }
    }

    /**
     * An answer that could not be parsed (malformed JSON, wrong types): retrying the same request rarely helps, and
     * it must not stop the other chunks. Retryable for every other caller.
     */
    private static final class MalformedAnswer extends RetryableException {
        MalformedAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A 400; the caller decides (split a chunk, or report). Never leaves this class. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String graphMessage) {
            super(graphMessage, null, false, false);
        }
    }

    private <T> T call(String what, boolean paced, Supplier<T> request) {
        boolean refreshed = false;
        Duration lastRetryAfter = null;
        String lastProblem = "";
        for (int attempt = 1; attempt <= s.maxAttempts; attempt++) {
            try {
                if (paced) {
                    pacer.acquire();
                }
                try {
                    return request.get();
                } finally {
                    if (paced) {
                        pacer.completed();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetryableException(what + " interrupted", e);
            } catch (ApiException e) {
                int status = e.getResponseStatusCode();
                TeamsConnectException inner = teamsConnectCause(e);
                if (inner != null) {
                    throw inner;
                }
                if (status == 401 && !refreshed) {
                    LOG.debug("{}: 401, fetching a fresh token", what);
                    forceRefresh = true;
                    refreshed = true;
                    attempt--;
                    continue;
                }
                if (status == 401 || status == 403) {
                    throw new TerminalException(what + " was refused by Microsoft Graph (HTTP " + status + "): the app needs "
                            + (s.authMode.delegated() ? "delegated" : "application")
                            + " permissions Presence.Read.All and User.Read.All with admin consent (see docs/azure-setup.md)");
                }
                if (status == 400) {
                    throw new BadRequest(e.getMessage());
                }
                if (status == 429) {
                    Duration ra = retryAfter(e);
                    Duration wait = ra != null ? ra : backoff(attempt);
                    lastRetryAfter = wait;
                    lastProblem = "HTTP 429";
                    LOG.info("{}: throttled by Microsoft Graph, waiting {} ms", what, wait.toMillis());
                    waitOut(paced, wait, attempt == s.maxAttempts);
                    continue;
                }
                if (status >= 500 || status == 0) {
                    lastProblem = "HTTP " + status;
                    Duration ra = retryAfter(e);
                    Duration wait = ra != null ? ra : backoff(attempt);
                    LOG.info("{}: HTTP {} from Microsoft Graph (attempt {} of {}), backing off {} ms", what, status, attempt,
                            s.maxAttempts, wait.toMillis());
                    waitOut(paced, wait, attempt == s.maxAttempts);
                    continue;
                }
                if (status == 404) {
                    throw new TerminalException(what + ": Microsoft Graph answered 404 (is graphBaseUrl " + s.graphBaseUrl + " right?)");
                }
                throw new RetryableException(what + ": unexpected HTTP " + status + " from Microsoft Graph");
            } catch (TeamsConnectException e) {
                throw e;
            } catch (RuntimeException e) {
                TeamsConnectException inner = teamsConnectCause(e);
                if (inner != null) {
                    throw inner;
                }
                if (!hasIoCause(e) || isMalformedJson(e)) {
                    throw new MalformedAnswer(what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
                }
                lastProblem = e.getClass().getSimpleName();
                Duration wait = backoff(attempt);
                LOG.info("{}: I/O error talking to Microsoft Graph ({}; attempt {} of {}), backing off {} ms", what,
                        rootMessage(e), attempt, s.maxAttempts, wait.toMillis());
                waitOut(paced, wait, attempt == s.maxAttempts);
            }
        }
        throw new RetryableException(what + " failed after " + s.maxAttempts + " attempts (last: " + lastProblem + ")",
                lastRetryAfter, null);
    }

    private void waitOut(boolean paced, Duration wait, boolean lastAttempt) {
        Instant until = s.clock.instant().plus(wait);
        if (paced) {
            // Also after the last attempt: the next cycle must not send before a Retry-After either.
            pacer.pauseUntil(until);
            return; // pacer.acquire() waits before the next request
        }
        if (lastAttempt) {
            return;
        }
        try {
            for (Instant now = s.clock.instant(); now.isBefore(until); now = s.clock.instant()) {
                s.sleeper.sleep(Duration.between(now, until));
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while waiting to retry", ie);
        }
    }

    private Duration backoff(int attempt) {
        long base = s.backoffInitial.toMillis() << Math.min(attempt - 1, 16);
        long capped = Math.min(base, s.backoffMax.toMillis());
        // "Equal jitter": half fixed, half random, so retries of many instances do not align.
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return Duration.ofMillis(Math.max(1, jittered));
    }

    private static Duration retryAfter(ApiException e) {
        if (e.getResponseHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, Set<String>> h : e.getResponseHeaders().entrySet()) {
            if ("retry-after".equalsIgnoreCase(h.getKey()) && h.getValue() != null && !h.getValue().isEmpty()) {
                return parseRetryAfter(h.getValue().iterator().next());
            }
        }
        return null;
    }

    /**
     * Parses a {@code Retry-After} of (possibly fractional) seconds, rounding up to the next millisecond so the
     * wait is never shorter than asked; {@code null} for anything else (HTTP dates are not used by Graph).
     */
    static Duration parseRetryAfter(String value) {
        try {
            java.math.BigDecimal secs = new java.math.BigDecimal(value.trim());
            if (secs.signum() < 0) {
                return null;
            }
            return Duration.ofMillis(secs.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static TeamsConnectException teamsConnectCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TeamsConnectException tce) {
                return tce;
            }
        }
        return null;
    }

    /**
     * The answer arrived but is not JSON the SDK can read. The SDK parses with Gson, whose MalformedJsonException is
     * an IOException; it must not be taken for a network error and retried against the same bad data.
     */
    private static boolean isMalformedJson(Throwable t) {
        boolean gson = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            boolean fromGson = c.getClass().getName().startsWith("com.google.gson.");
            if (c instanceof IOException && !fromGson) {
                return false; // e.g. JsonIOException around a connection cut in the middle of the body: I/O, retry
            }
            gson |= fromGson;
        }
        return gson;
    }

    private static boolean hasIoCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    /** The configured {@code teams.pollInterval} (default {@link #DEFAULT_POLL_INTERVAL}). */
    @Override
    public java.util.Optional<Duration> pollInterval() {
        return java.util.Optional.of(s.pollInterval);
    }

    @Override
    public void close() {
        okHttp.dispatcher().executorService().shutdown();
        okHttp.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "GraphPresenceSource[tenant=" + s.tenantId + ", app=" + s.clientId + ", mode=" + s.authMode.configValue()
                + ", graph=" + s.graphBaseUrl + "]";
    }

    /** Validated settings; secrets are held here only. */
    static final class Settings {
        String tenantId;
        String clientId;
        GraphAuthMode authMode;
        String clientSecret;
        PrivateKey certificateKey;
        X509Certificate certificate;
        String username;
        String password;
        Path tokenCache;
        URI authorityHost;
        URI graphBaseUrl;
        int rateLimit;
        Duration rateWindow;
        int chunkSize;
        Duration userRefreshInterval;
        Duration pollInterval;
        List<X509Certificate> trustedCertificates;
        Clock clock;
        Sleeper sleeper;
        Duration backoffInitial;
        Duration backoffMax;
        int maxAttempts;
        Duration httpTimeout;
        GraphSignInListener listener;
    }

    /**
     * Builds a {@link GraphPresenceSource}. {@link #build()} checks every field and names the offending one
     * (with the config key path when built from a config file). Does no I/O; sign-in happens in {@code open()}.
     */
    public static final class Builder {
        private String prefix = "teams";
        private String tenantId;
        private String clientId;
        private GraphAuthMode authMode;
        private String clientSecret;
        private PrivateKey certificateKey;
        private X509Certificate certificate;
        private String username;
        private String password;
        private Path tokenCache;
        private URI authorityHost = URI.create("https://login.microsoftonline.com");
        private URI graphBaseUrl = URI.create("https://graph.microsoft.com/v1.0");
        private int rateLimit = 1500;
        private Duration rateWindow = Duration.ofSeconds(30);
        private int chunkSize = MAX_CHUNK;
        private Duration userRefreshInterval = Duration.ofMinutes(15);
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private final List<X509Certificate> trusted = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.REAL;
        private Duration backoffInitial = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(60);
        private int maxAttempts = 6;
        private Duration httpTimeout = Duration.ofSeconds(30);
        private GraphSignInListener listener = new GraphSignInListener() {
        };

        private Builder() {
        }

        /** The key path prefix used in error messages (default {@code teams}). */
        Builder configPrefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** Directory (tenant) id. Required. */
        public Builder tenantId(String tenantId) {
            this.tenantId = tenantId;
            return this;
        }

        /** Application (client) id of the app registration. Required. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Client credentials with a secret. */
        public Builder clientSecret(String secret) {
            this.authMode = GraphAuthMode.CLIENT_CREDENTIALS;
            this.clientSecret = secret;
            return this;
        }

        /** Client credentials with a certificate (its private key signs the client assertion). */
        public Builder clientCertificate(PrivateKey key, X509Certificate certificate) {
            this.authMode = GraphAuthMode.CLIENT_CREDENTIALS;
            this.certificateKey = key;
            this.certificate = certificate;
            return this;
        }

        /** Delegated sign-in with a device code; {@code tokenCache} (owner-only file) keeps it across restarts. */
        public Builder deviceCode(Path tokenCache) {
            this.authMode = GraphAuthMode.DEVICE_CODE;
            this.tokenCache = tokenCache;
            return this;
        }

        /** Legacy username/password sign-in (ROPC); fails with MFA. */
        public Builder password(String username, String password) {
            this.authMode = GraphAuthMode.PASSWORD;
            this.username = username;
            this.password = password;
            return this;
        }

        /** Persist the token cache to this owner-only file (device code; optional for password). */
        public Builder tokenCache(Path file) {
            this.tokenCache = file;
            return this;
        }

        /** Only pick this account from the token cache (device code), or the password-mode user. */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /** Default {@code https://login.microsoftonline.com}; other hosts skip instance discovery and authority validation. */
        public Builder authorityHost(URI host) {
            this.authorityHost = host;
            return this;
        }

        /** Default {@code https://graph.microsoft.com/v1.0}; its host gets the tokens, its origin is the token resource. */
        public Builder graphBaseUrl(URI url) {
            this.graphBaseUrl = url;
            return this;
        }

        /** Presence requests allowed in any sliding {@code window}; default 1,500 per 30 s. */
        public Builder presenceRateLimit(int requests, Duration window) {
            this.rateLimit = requests;
            this.rateWindow = window;
            return this;
        }

        /** Ids per presence request, 1..650; default 650. */
        public Builder chunkSize(int chunkSize) {
            this.chunkSize = chunkSize;
            return this;
        }

        /** How long {@link #listUsers()} answers from memory; default 15 minutes. */
        public Builder userRefreshInterval(Duration interval) {
            this.userRefreshInterval = interval;
            return this;
        }

        /** How often the engine reads presence ({@code teams.pollInterval}); must be > 0, default 5 s. */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.isZero() || interval.isNegative()) {
                throw new ConfigException(path("pollInterval"), "must be > 0, but was " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** Trust this certificate in addition to the JVM's trust anchors (a proxy CA, a test server). */
        public Builder trustCertificate(X509Certificate certificate) {
            this.trusted.add(certificate);
            return this;
        }

        /** The clock for pacing, retry waits and timestamps; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * How to wait; default {@link Sleeper#REAL}. Waits loop until the {@link #clock(Clock) clock} reaches the
         * deadline, so a test sleeper must advance the test clock.
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /** Backoff for 5xx/I/O (and 429 without Retry-After): doubling from {@code initial}, capped at {@code max}, jittered. */
        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** Attempts per request before a {@link RetryableException}; default 6. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /** Timeout of one HTTP call; default 30 s. */
        public Builder httpTimeout(Duration timeout) {
            this.httpTimeout = timeout;
            return this;
        }

        /** Hears device codes and terminal sign-in failures (for alerting). */
        public Builder signInListener(GraphSignInListener listener) {
            this.listener = listener;
            return this;
        }

        private String path(String key) {
            return prefix.isEmpty() ? key : prefix + "." + key;
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }

        /** Checks every field; throws {@link ConfigException} naming the first bad one. */
        public GraphPresenceSource build() {
            if (blank(tenantId)) {
                throw new ConfigException(path("tenantId"), "is required (the Directory (tenant) ID of the app registration)");
            }
            if (blank(clientId)) {
                throw new ConfigException(path("clientId"), "is required (the Application (client) ID of the app registration)");
            }
            if (authMode == null) {
                throw new ConfigException(path("auth.mode"), "is required: client-credentials, device-code or password");
            }
            switch (authMode) {
                case CLIENT_CREDENTIALS -> {
                    if (blank(clientSecret) && (certificateKey == null || certificate == null)) {
                        throw new ConfigException(path("auth.clientSecret"), "or " + path("auth.certificate")
                                + " is required for client-credentials sign-in");
                    }
                }
                case PASSWORD -> {
                    if (blank(username)) {
                        throw new ConfigException(path("auth.username"), "is required for password sign-in");
                    }
                    if (blank(password)) {
                        throw new ConfigException(path("auth.password"), "is required for password sign-in");
                    }
                }
                case DEVICE_CODE -> {
                    if (tokenCache == null) {
                        throw new ConfigException(path("auth.tokenCache"), "is required for device-code sign-in "
                                + "(without it every restart needs a new code)");
                    }
                }
            }
            requireHttps(authorityHost, "authorityHost");
            requireHttps(graphBaseUrl, "graphBaseUrl");
            if (rateLimit < 1) {
                throw new ConfigException(path("presenceRequestsPer30s"), "must be at least 1, but was " + rateLimit);
            }
            if (rateWindow == null || rateWindow.isZero() || rateWindow.isNegative()) {
                throw new ConfigException(path("presenceRateWindow"), "must be > 0, but was " + rateWindow);
            }
            if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
                throw new ConfigException(path("chunkSize"), "must be between 1 and 650 (Graph's limit), but was " + chunkSize);
            }
            if (userRefreshInterval == null || userRefreshInterval.isNegative()) {
                throw new ConfigException(path("userRefreshInterval"), "must be >= 0, but was " + userRefreshInterval);
            }
            if (maxAttempts < 1) {
                throw new ConfigException(path("maxAttempts"), "must be at least 1, but was " + maxAttempts);
            }
            if (backoffInitial == null || backoffInitial.isZero() || backoffInitial.isNegative()
                    || backoffMax == null || backoffMax.compareTo(backoffInitial) < 0) {
                throw new ConfigException(path("backoff"), "initial must be > 0 and max >= initial");
            }
            Settings st = new Settings();
            st.tenantId = tenantId.trim();
            st.clientId = clientId.trim();
            st.authMode = authMode;
            st.clientSecret = blank(clientSecret) ? null : clientSecret;
            st.certificateKey = certificateKey;
            st.certificate = certificate;
            st.username = blank(username) ? null : username.trim();
            st.password = password;
            st.tokenCache = tokenCache;
            st.authorityHost = authorityHost;
            st.graphBaseUrl = graphBaseUrl;
            st.rateLimit = rateLimit;
            st.rateWindow = rateWindow;
            st.chunkSize = chunkSize;
            st.userRefreshInterval = userRefreshInterval;
            st.pollInterval = pollInterval;
            st.trustedCertificates = List.copyOf(trusted);
            st.clock = Objects.requireNonNull(clock, "clock");
            st.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            st.backoffInitial = backoffInitial;
            st.backoffMax = backoffMax;
            st.maxAttempts = maxAttempts;
            st.httpTimeout = httpTimeout;
            st.listener = Objects.requireNonNull(listener, "listener");
            return new GraphPresenceSource(st);
        }

        private void requireHttps(URI uri, String key) {
            if (uri == null || !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(path(key), "must be an https URL, but was " + (uri == null ? "missing" : "\"" + uri + "\""));
            }
        }
    }
}
