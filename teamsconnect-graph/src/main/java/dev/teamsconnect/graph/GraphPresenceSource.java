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
import com.microsoft.kiota.http.middleware.options.RedirectHandlerOption;
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
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.retry.RetryAfter;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.CheckNote;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Microsoft Teams presence through Microsoft Graph: users from {@code /users} (disabled accounts flagged, paged
 * with {@code @odata.nextLink}; later refreshes from {@code /users/delta}, see {@link #listUsers()}), presence with
 * {@code POST /communications/getPresencesByUserId} in chunks of at most
 * 650 ids, so a cycle of N users costs exactly ceil(N / chunkSize) requests when nothing fails. Sign-in is msal4j
 * (see {@link GraphAuthMode}); calls go through the Microsoft Graph Java SDK v6.
 *
 * <p>Time limits: every HTTP request to Graph and to the identity platform has an overall deadline,
 * {@code httpTimeout} (default {@link #DEFAULT_HTTP_TIMEOUT}, connect, headers and body), and is cancelled at it.
 * Each presence chunk has a budget for all its attempts and waits ({@code presenceBudget}, default
 * {@link #DEFAULT_PRESENCE_BUDGET}), and so has each {@link #listUsers()} call with all its pages
 * ({@code userListBudget}, default {@link #DEFAULT_USER_LIST_BUDGET}); a request in flight gets at most what is
 * left of its budget. When the budget is used up the call fails with a {@link RetryableException} instead of
 * waiting on. A {@code readPresence} of one chunk (the engine asks for one at a time, see
 * {@link #presenceBatchSize()}) therefore returns within about 30 s with the defaults.
 *
 * <p>Retry-After (read with {@link RetryAfter}: seconds, fractions, HTTP dates, capped at {@link RetryAfter#MAX}):
 * no request is sent to an endpoint before its {@code Retry-After} has passed. A wait that fits the call's
 * remaining budget is waited inside the call; a longer one ends the call at once with a {@link RetryableException}
 * carrying the wait, and until it is over every further call to that endpoint fails at once, without a request,
 * naming the time Graph asked to wait until. So a throttled Graph cannot hold the engine's sync thread, and the
 * engine's time-based fail-open releases holds on time. 5xx and I/O errors, and 429 without {@code Retry-After},
 * back off with the core {@link Backoff} (equal jitter, {@link Builder#random(Random)} injectable). A bare 400 on a
 * multi-id chunk splits it in halves and retries. A client-side pacer keeps presence requests under the
 * configured rate (default 1,500 per 30 s per app). The Graph SDK's RetryHandler and RedirectHandler are off.
 *
 * <p>Tokens and links: the bearer token is attached only to https URLs on the configured Graph host and port (the
 * host of {@code graphBaseUrl}); an {@code @odata.nextLink} anywhere else is refused, not followed. A listing
 * stops as failed at {@value #MAX_USER_PAGES} pages or when a nextLink comes back. Answers are read with size
 * limits per endpoint (see {@link GraphHttpGuard}).
 *
 * <p>Refused tokens and permissions: a 401 fetches a fresh token once; a 401 with the fresh token means Graph does
 * not accept tokens of this sign-in at all (wrong tenant, authority or national cloud, or a token for another
 * resource): a {@link TerminalException} says so, and no new token is requested for a growing time (1 minute,
 * doubling up to 30 minutes) during which calls fail at once with that message. A 403 means the permission is
 * missing ({@code Presence.Read.All} or {@code User.Read.All} with admin consent, see docs/azure-setup.md).
 *
 * <p>Threading: one call at a time (the engine's sync thread); all calls block. Failures: {@link RetryableException}
 * when a call gave up (attempts or budget used up, Graph asked to wait), {@link TerminalException} when sign-in is
 * rejected, the token refused, a permission missing or a listing broken. Stale presence (a smaller
 * {@code sequenceNumber} than one already returned) is replaced by the newer one already seen. Unknown
 * availability/activity strings become UNKNOWN with the raw value, logged once each. Users are read on every
 * {@link #listUsers()} call (the engine's {@code userRefreshInterval} decides how often; in full the first time,
 * then by users delta). The national cloud ({@link GraphCloud}) decides the sign-in host, the Graph host and the
 * scopes. A configured client certificate is watched: warnings 30, 7 and 1 days before it expires. Tokens, secrets and
 * passwords are never logged or put in messages.
 */
public final class GraphPresenceSource implements PresenceSource {

    private static final Logger LOG = LoggerFactory.getLogger(GraphPresenceSource.class);
    /** The most ids Graph accepts in one getPresencesByUserId request. */
    public static final int MAX_CHUNK = 650;
    /** How often the service reads presence unless {@code pollInterval} is configured. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    /** Overall deadline of one HTTP request (connect, headers and body), to Graph and to the identity platform. */
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(15);
    /** Budget of one presence chunk: all its attempts, Retry-After and backoff waits. */
    public static final Duration DEFAULT_PRESENCE_BUDGET = Duration.ofSeconds(30);
    /**
     * Budget of one {@link #listUsers()} call with all its pages, attempts and waits. A page of 999 users takes a
     * second or two, so 5 minutes covers directories of well over 100,000 users.
     */
    public static final Duration DEFAULT_USER_LIST_BUDGET = Duration.ofMinutes(5);
    /**
     * The most {@code /users} pages one listing follows: 1,000 pages of 999 are 999,000 users, more than the
     * largest Entra ID tenants a presence sync serves; an endless nextLink chain stops there as failed.
     */
    public static final int MAX_USER_PAGES = 1000;
    /** The first pause in token requests after Graph refused a fresh token; it doubles up to {@link #TOKEN_REFUSAL_MAX}. */
    static final Duration TOKEN_REFUSAL_FIRST = Duration.ofMinutes(1);
    /** The longest pause in token requests after Graph refused fresh tokens. */
    static final Duration TOKEN_REFUSAL_MAX = Duration.ofMinutes(30);
    private static final String[] USER_FIELDS = {"id", "displayName", "mail", "userPrincipalName", "accountEnabled"};
    /** Users delta has no accountEnabled filter: the field is selected and disabled users are flagged here. */
    private static final List<String> DELTA_FIELDS = List.of(USER_FIELDS);

    private final Settings s;
    private final GraphSignIn signIn;
    private final PresencePacer pacer;
    private final GraphHttpGuard guard;
    private final Backoff backoff;
    private final OkHttpClient okHttp;
    private final GraphServiceClient graph;
    private final BaseGraphRequestAdapter adapter;
    private final AccessTokenProvider tokens;
    private final Map<String, TeamsPresence> lastSeen = new ConcurrentHashMap<>();
    private final Set<String> unknownLogged = ConcurrentHashMap.newKeySet();
    private final Target presenceTarget = new Target("Presence.Read.All");
    private final Target usersTarget = new Target("User.Read.All");
    private final Target deltaTarget = new Target("User.Read.All");
    /** setPresence and clearPresence: used by the writer's thread only (one call at a time). */
    private final Target writeTarget = new Target("Presence.ReadWrite.All");
    /** The PBX-to-Teams writer; null for delegated sign-in (see {@link #presenceWriter()}). */
    private final GraphPresenceWriter writer;
    /** The users as last read, by id: the full listing's, kept up to date by users delta rounds. */
    private final Map<String, TeamsUser> directory = new LinkedHashMap<>();
    /** Where the next users delta round starts; in memory only, so a restart lists all users again. */
    private String deltaLink;
    private final CredentialExpiryWatch expiryWatch;
    private volatile boolean forceRefresh;
    // volatile: the reads and the presence writer's calls both pass call()
    private volatile Instant tokenRefusedUntil = Instant.MIN;
    private volatile Duration tokenRefusalPause = TOKEN_REFUSAL_FIRST;

    /** What Graph asked of one endpoint. */
    private static final class Target {
        final String permission;
        /** A Retry-After: no request before. */
        Instant notBefore = Instant.MIN;
        /** A Retry-After that did not fit a call's budget: until then calls fail without a request. */
        Instant failFastUntil = Instant.MIN;

        Target(String permission) {
            this.permission = permission;
        }
    }

    private GraphPresenceSource(Settings s) {
        this.s = s;
        TrustMaterial trust = TrustMaterial.of(s.trustedCertificates);
        this.signIn = new GraphSignIn(s, trust);
        this.pacer = new PresencePacer(s.rateLimit, s.rateWindow, s.clock, s.sleeper);
        this.guard = new GraphHttpGuard(s.graphBaseUrl);
        this.backoff = new Backoff(s.backoffInitial, s.backoffMax);
        this.expiryWatch = s.certificate == null ? null
                : new CredentialExpiryWatch(s.certificate.getNotAfter().toInstant(), "client certificate of app " + s.clientId
                        + " (" + key("auth.certificate") + ")", s.clock);
        // Our own loop retries (paced, Retry-After-exact); the SDK's RetryHandler would add up to 3 more per try.
        // Graph does not redirect; a redirect would only be a way to send the request elsewhere.
        RequestOption[] options = {new RetryHandlerOption((delay, count, request, response) -> false, 0, 0),
                new RedirectHandlerOption(0, response -> false)};
        this.okHttp = GraphClientFactory.create(options)
                .sslSocketFactory(trust.sslContext().getSocketFactory(), trust.trustManager())
                // OkHttp leaves Nagle's algorithm on: ~40 ms per presence request went to a delayed ACK
                .socketFactory(new NoDelaySocketFactory(javax.net.SocketFactory.getDefault()))
                .callTimeout(s.httpTimeout)
                .connectTimeout(s.httpTimeout)
                .readTimeout(s.httpTimeout)
                .writeTimeout(s.httpTimeout)
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(guard)
                .build();
        this.tokens = new AccessTokenProvider() {
            private final AllowedHostsValidator hosts = new AllowedHostsValidator(s.graphBaseUrl.getHost());

            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> additionalContext) {
                // Only https on the configured Graph host and port gets the token; anything else gets none.
                if (!guard.allowed(uri) || !hosts.isUrlHostValid(uri)) {
                    return "";
                }
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
        this.writer = s.authMode.delegated() ? null : new GraphPresenceWriter(this, s.clientId, s.presenceBudget);
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
        watchCredential();
        if (!s.cloud.hasPresence()) {
            LOG.warn(noPresenceMessage());
        }
        signIn.open();
        LOG.info("Microsoft Graph presence source ready: tenant {}, app {}, {} sign-in, {} presence requests per {}",
                s.tenantId, s.clientId, s.authMode.configValue(), s.rateLimit, s.rateWindow);
    }

    /**
     * The writer of the PBX-to-Teams direction ({@link GraphPresenceWriter}) for client-credentials sign-in: its
     * {@code setPresence}/{@code clearPresence} use this source's HTTP client, token, guard and presence pacer, so
     * writes and reads share the app's presence budget. Empty for delegated sign-in (device code, password):
     * Microsoft documents the delegated permission {@code Presence.ReadWrite} for these calls, but its pages are
     * silent on which users a delegated token may set a session for and with which {@code sessionId}; only the
     * app-only case ({@code sessionId} = the app's client id, application permission {@code Presence.ReadWrite.All})
     * is documented well enough to build on. {@link #checkNotes()} says so for delegated sign-in.
     */
    @Override
    public Optional<dev.teamsconnect.core.spi.PresenceWriter> presenceWriter() {
        return Optional.ofNullable(writer);
    }

    /** The configured {@code pollInterval} (default {@link #DEFAULT_POLL_INTERVAL}). */
    /**
     * Device codes also go to {@code prompts} (besides the log and the builder's {@link GraphSignInListener}), with
     * the time they expire at on this source's clock.
     */
    @Override
    public void onSignInPrompt(java.util.function.Consumer<dev.teamsconnect.core.spi.SignInPrompt> prompts) {
        Objects.requireNonNull(prompts, "prompts");
        GraphSignInListener configured = s.listener;
        s.listener = new GraphSignInListener() {
            @Override
            public void deviceCodeRequired(DeviceCodePrompt p) {
                try {
                    configured.deviceCodeRequired(p);
                } finally {
                    prompts.accept(new dev.teamsconnect.core.spi.SignInPrompt(p.message(), p.userCode(),
                            p.verificationUri(), s.clock.instant().plus(p.expiresIn())));
                }
            }

            @Override
            public void signInFailed(dev.teamsconnect.core.error.TerminalException failure) {
                configured.signInFailed(failure);
            }
        };
    }

    @Override
    public Optional<Duration> pollInterval() {
        return Optional.of(s.pollInterval);
    }

    /** The token provider the Graph SDK asks (for tests: which URLs get a token). */
    AccessTokenProvider accessTokenProvider() {
        return tokens;
    }

    /**
     * Enabled users with id, display name, mail and UPN (the engine's {@code userRefreshInterval} decides how often
     * it asks). The first call, and every call with {@code usersDelta} off, lists all users ({@code GET /users}, all
     * pages); before that listing a users delta link "from now" is fetched ({@code $deltatoken=latest}, one request),
     * so changes made while the listing runs come again in the next round (Graph replays are harmless here). Later
     * calls follow that link ({@code GET /users/delta}, usually one request) and apply the changes to the users
     * already known: new and changed users are merged (absent properties keep their value), {@code @removed} and
     * disabled users leave. The full current list is returned every time. When Graph no longer knows the link
     * (410 or 400 {@code syncStateNotFound}, after about 7 days) or a round breaks, all users are listed again. A
     * round that fails part-way changes nothing (the old link is kept). The link is kept in memory only.
     *
     * <p>Bounded by {@code userListBudget}; fails with a {@link TerminalException} when a nextLink points anywhere
     * but https on the Graph host, comes back, or the listing passes {@value #MAX_USER_PAGES} pages.
     */
    @Override
    public List<TeamsUser> listUsers() {
        watchCredential();
        Instant deadline = s.clock.instant().plus(s.userListBudget);
        if (s.usersDelta && deltaLink != null) {
            try {
                return deltaRound(deadline);
            } catch (SyncStateLost e) {
                LOG.info("Microsoft Graph no longer knows the users delta link ({}); listing all users again", e.getMessage());
                deltaLink = null;
            } catch (BadRequest e) {
                LOG.warn("Microsoft Graph refused the users delta link (HTTP 400: {}); listing all users again", e.getMessage());
                deltaLink = null;
            }
        }
        try {
            return fullListing(deadline);
        } catch (BadRequest e) {
            throw new TerminalException("GET /users was refused by Microsoft Graph (HTTP 400): " + e.getMessage());
        }
    }

    /** All users; with usersDelta on, a delta link from before the listing is kept for the next call. */
    private List<TeamsUser> fullListing(Instant deadline) {
        String link = s.usersDelta ? latestDeltaLink(deadline) : null;
        List<TeamsUser> users = readUsers(deadline);
        directory.clear();
        users.forEach(u -> directory.put(u.id(), u));
        deltaLink = link;
        return users;
    }

    /**
     * A users delta link "from now" ({@code GET /users/delta?$deltatoken=latest&$select=...}), or null when Graph
     * gives none (then the next call lists all users again; the reason is logged).
     */
    private String latestDeltaLink(Instant deadline) {
        String url = s.graphBaseUrl.toString().replaceAll("/+$", "") + "/users/delta?$deltatoken=latest&$select="
                + String.join(",", DELTA_FIELDS);
        try {
            UsersDeltaJson.Page page = deltaPage("GET /users/delta (start)", url, deadline);
            String link = page.deltaLink();
            if (link == null || !guard.allowed(URI.create(link))) {
                LOG.warn("Microsoft Graph sent no usable users delta link; users will be listed in full every time");
                return null;
            }
            return link;
        } catch (SyncStateLost | BadRequest | TeamsConnectException e) {
            // e.g. a 404 from a proxy or Graph-compatible endpoint without delta: the full listing still works
            LOG.warn("cannot start users delta ({}); users will be listed in full next time as well", e.getMessage());
            return null;
        } catch (IllegalArgumentException e) {
            LOG.warn("Microsoft Graph sent a users delta link that is not a URL; users will be listed in full next time");
            return null;
        }
    }

    /** Follows the delta link through all pages; applies the changes only when the round is complete. */
    private List<TeamsUser> deltaRound(Instant deadline) {
        Map<String, TeamsUser> next = new LinkedHashMap<>(directory);
        Set<String> followed = new HashSet<>();
        String link = deltaLink;
        int pages = 0;
        int changed = 0;
        int removed = 0;
        while (true) {
            pages++;
            UsersDeltaJson.Page page = deltaPage(pages == 1 ? "GET /users/delta" : "GET /users/delta (page " + pages + ")",
                    link, deadline);
            for (UsersDeltaJson.Entry e : page.entries()) {
                if (e.id() == null) {
                    continue;
                }
                if (e.removed() != null) {
                    removed += next.remove(e.id()) == null ? 0 : 1;
                    continue;
                }
                // a disabled account stays, flagged, as in the full listing (readUsers)
                TeamsUser old = next.get(e.id());
                boolean enabled = e.accountEnabled() != null ? e.accountEnabled() : old == null || old.enabled();
                next.put(e.id(), new TeamsUser(e.id(),
                        e.hasUserPrincipalName() || old == null ? e.userPrincipalName() : old.userPrincipalName(),
                        e.hasMail() || old == null ? e.mail() : old.mail(),
                        e.hasDisplayName() || old == null ? e.displayName() : old.displayName(), enabled));
                changed++;
            }
            if (page.nextLink() != null) {
                try {
                    checkNextLink("GET /users/delta", page.nextLink(), pages, followed, next.size());
                } catch (TerminalException e) {
                    // a link elsewhere, a loop or no end: this round is dropped, a full listing starts over
                    throw new SyncStateLost(e.getMessage());
                }
                link = page.nextLink();
                continue;
            }
            if (page.deltaLink() == null) {
                throw new SyncStateLost("a users delta page had neither @odata.nextLink nor @odata.deltaLink");
            }
            URI newLink;
            try {
                newLink = new URI(page.deltaLink());
            } catch (java.net.URISyntaxException e) {
                throw new SyncStateLost("the @odata.deltaLink is not a URL");
            }
            if (!guard.allowed(newLink)) {
                throw new SyncStateLost("the @odata.deltaLink points to " + newLink.getScheme() + "://" + newLink.getHost()
                        + ", not to https on the configured Graph host (not followed)");
            }
            directory.clear();
            directory.putAll(next);
            deltaLink = page.deltaLink();
            LOG.debug("users delta: {} changed, {} removed in {} page(s); {} users", changed, removed, pages, next.size());
            return List.copyOf(next.values());
        }
    }

    /** One users delta request, read as a stream. */
    private UsersDeltaJson.Page deltaPage(String what, String url, Instant deadline) {
        return call(what, deltaTarget, deadline, s.userListBudget, () -> {
            RequestInformation request = graph.users().delta().withUrl(url).toGetRequestInformation();
            HashMap<String, ParsableFactory<? extends Parsable>> errors = new HashMap<>();
            errors.put("XXX", ODataError::createFromDiscriminatorValue);
            try (InputStream in = adapter.sendPrimitive(request, errors, InputStream.class)) {
                if (in == null) {
                    throw new MalformedAnswer(what + " failed: the answer had no body", null);
                }
                return UsersDeltaJson.parse(in);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new MalformedAnswer(what + " failed: unreadable answer: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private List<TeamsUser> readUsers(Instant deadline) {
        List<TeamsUser> out = new ArrayList<>();
        // Disabled accounts are listed too, flagged (TeamsUser.enabled false): the matcher never matches them, and
        // check can say "this Teams account is disabled" instead of "no Teams user has this e-mail". A missing
        // accountEnabled counts as enabled.
        UserCollectionResponse page = call("GET /users", usersTarget, deadline, s.userListBudget, () -> graph.users().get(rc -> {
            rc.queryParameters.select = USER_FIELDS;
            rc.queryParameters.top = 999;
        }));
        Set<String> followed = new HashSet<>();
        int pages = 0;
        while (page != null) {
            pages++;
            if (page.getValue() != null) {
                for (User u : page.getValue()) {
                    if (u.getId() == null) {
                        continue;
                    }
                    out.add(new TeamsUser(u.getId(), u.getUserPrincipalName(), u.getMail(), u.getDisplayName(),
                            !Boolean.FALSE.equals(u.getAccountEnabled())));
                }
            }
            String next = page.getOdataNextLink();
            if (next == null) {
                break;
            }
            checkNextLink("GET /users", next, pages, followed, out.size());
            page = call("GET /users (page " + (pages + 1) + ")", usersTarget, deadline, s.userListBudget,
                    () -> graph.users().withUrl(next).get());
        }
        LOG.debug("read {} users in {} pages", out.size(), pages);
        return List.copyOf(out);
    }

    private void checkNextLink(String what, String next, int pages, Set<String> followed, int users) {
        URI link;
        try {
            link = new URI(next);
        } catch (java.net.URISyntaxException e) {
            throw new TerminalException(what + " failed: Microsoft Graph sent an @odata.nextLink that is not a URL "
                    + "(page " + pages + "); the listing is not continued");
        }
        if (!guard.allowed(link)) {
            throw new TerminalException(what + " failed: the @odata.nextLink of page " + pages + " points to "
                    + link.getScheme() + "://" + link.getHost() + (link.getPort() == -1 ? "" : ":" + link.getPort())
                    + ", not to https on the configured Graph host " + s.graphBaseUrl.getHost()
                    + "; it was not followed (no token leaves for another host or without TLS)");
        }
        if (pages >= s.maxUserPages) {
            throw new TerminalException(what + " failed: Microsoft Graph still sent an @odata.nextLink after "
                    + pages + " pages (" + users + " users); at most " + s.maxUserPages + " pages are read, so the "
                    + "listing is treated as failed");
        }
        if (!followed.add(next)) {
            throw new TerminalException(what + " failed: the @odata.nextLink of page " + pages + " was already "
                    + "followed (the pages loop); the listing is treated as failed");
        }
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
     * reported as {@link UnknownUserException} failures. Each chunk (with the halves of a split) has the
     * {@code presenceBudget}; while a Retry-After that ended an earlier call lasts, fails at once without a request.
     */
    @Override
    public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
        watchCredential();
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(userIds));
        Map<String, TeamsPresence> values = new LinkedHashMap<>();
        Map<String, TeamsConnectException> failures = new LinkedHashMap<>();
        int chunks = (ids.size() + s.chunkSize - 1) / s.chunkSize;
        for (int i = 0; i < ids.size(); i += s.chunkSize) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + s.chunkSize));
            LOG.trace("presence chunk {}/{} with {} ids", i / s.chunkSize + 1, chunks, chunk.size());
            readChunk(chunk, values, failures, s.clock.instant().plus(s.presenceBudget));
        }
        for (String id : ids) {
            if (!values.containsKey(id) && !failures.containsKey(id)) {
                failures.put(id, new UnknownUserException(id, "Microsoft Graph returned no presence for user " + id));
            }
        }
        return new BatchResult<>(values, failures);
    }

    private void readChunk(List<String> chunk, Map<String, TeamsPresence> values, Map<String, TeamsConnectException> failures,
            Instant deadline) {
        List<PresenceJson.Item> r;
        try {
            // A fresh body per attempt: Kiota's backing store serializes only changed values the second time.
            r = call("POST /communications/getPresencesByUserId", presenceTarget, deadline, s.presenceBudget, () -> {
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
            readChunk(chunk.subList(0, half), values, failures, deadline);
            readChunk(chunk.subList(half, chunk.size()), values, failures, deadline);
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
     * {@code POST /users/{id}/presence/setPresence} with the app's client id as {@code sessionId}, within
     * {@code deadline}; arguments already checked by {@link GraphPresenceWriter}. Paced with the reads.
     *
     * @throws UnknownUserException when Graph answers 404
     */
    void postSetPresence(String userId, String availability, String activity, Duration expiration, Instant deadline) {
        String what = "POST /users/" + userId + "/presence/setPresence";
        try {
            call(what, writeTarget, deadline, s.presenceBudget, () -> {
                // A fresh body per attempt: Kiota's backing store serializes only changed values the second time.
                com.microsoft.graph.users.item.presence.setpresence.SetPresencePostRequestBody body =
                        new com.microsoft.graph.users.item.presence.setpresence.SetPresencePostRequestBody();
                body.setSessionId(s.clientId);
                body.setAvailability(availability);
                body.setActivity(activity);
                body.setExpirationDuration(com.microsoft.kiota.PeriodAndDuration.ofDuration(expiration));
                graph.users().byUserId(userId).presence().setPresence().post(body);
                return null;
            });
        } catch (NotFound e) {
            throw new UnknownUserException(userId, what + ": Microsoft Graph knows no user " + userId + " (HTTP 404)");
        } catch (BadRequest e) {
            throw new TerminalException(what + " was refused by Microsoft Graph (HTTP 400): " + e.getMessage());
        }
    }

    /**
     * {@code POST /users/{id}/presence/clearPresence} with the app's client id as {@code sessionId}. Microsoft
     * documents a 404 when the session does not exist (it expired or was cleared): that is success here. Graph
     * answers 404 for an unknown user as well, and its documentation names no error code that tells the two apart;
     * either way no session of this app is left, so both count as cleared (logged at DEBUG).
     */
    void postClearPresence(String userId, Instant deadline) {
        String what = "POST /users/" + userId + "/presence/clearPresence";
        try {
            call(what, writeTarget, deadline, s.presenceBudget, () -> {
                com.microsoft.graph.users.item.presence.clearpresence.ClearPresencePostRequestBody body =
                        new com.microsoft.graph.users.item.presence.clearpresence.ClearPresencePostRequestBody();
                body.setSessionId(s.clientId);
                graph.users().byUserId(userId).presence().clearPresence().post(body);
                return null;
            });
        } catch (NotFound e) {
            LOG.debug("{}: no session to clear (HTTP 404: {})", what, e.getMessage());
        } catch (BadRequest e) {
            throw new TerminalException(what + " was refused by Microsoft Graph (HTTP 400): " + e.getMessage());
        }
    }

    /**
     * For the writer's {@code checkNotes()}: whether the app-only token's {@code roles} carry
     * {@code Presence.ReadWrite.All} (PROBLEM with the fix, INFO when granted). Uses the cached token.
     */
    List<CheckNote> writeNotes() {
        String token;
        try {
            token = signIn.accessToken(false);
        } catch (TeamsConnectException e) {
            return List.of(new CheckNote(CheckNote.Level.INFO, "permission to write presence not checked: no access token ("
                    + e.getMessage() + ")"));
        } catch (RuntimeException e) {
            return List.of(new CheckNote(CheckNote.Level.INFO, "permission to write presence not checked: "
                    + e.getClass().getSimpleName()));
        }
        Optional<GraphConsent> consent = GraphConsent.of(token, false, List.of(GraphConsent.Need.PRESENCE_WRITE));
        if (consent.isEmpty()) {
            return List.of(new CheckNote(CheckNote.Level.INFO, "permission to write presence not checked: the access "
                    + "token carries no readable roles claim"));
        }
        if (consent.get().missing().isEmpty()) {
            return List.of(new CheckNote(CheckNote.Level.INFO, "application permission Presence.ReadWrite.All granted "
                    + "(token claim roles): TeamsConnect can set and clear its presence session in Teams (pbxToTeams)"));
        }
        return List.of(new CheckNote(CheckNote.Level.PROBLEM, writePermissionMissing("pbxToTeams is on, but the "
                + "access token lacks it (token claim roles: " + consent.get().grantedList() + ")")));
    }

    /** The fix for a missing {@code Presence.ReadWrite.All}, with the admin consent URL; never a secret. */
    private String writePermissionMissing(String why) {
        return "missing application permission of Microsoft Graph: Presence.ReadWrite.All (for writing Teams presence, "
                + "pbxToTeams): " + why + "\nfix: add it under API permissions of app " + s.clientId
                + " (Microsoft Graph, Application permissions), then let an admin grant consent (see docs/azure-setup.md):\n"
                + GraphConsent.adminConsentUrl(s.authorityHost, s.tenantId, s.clientId);
    }

    /** A 404 of a presence write; the caller decides (unknown user, or a session already gone). Never leaves this class. */
    private static final class NotFound extends RuntimeException {
        NotFound(String graphMessage) {
            super(graphMessage, null, false, false);
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

    /**
     * Graph no longer knows a users delta link (410, or 400 {@code syncStateNotFound}: expired after about 7 days),
     * or a delta round cannot be continued: all users are listed again. Never leaves this class.
     */
    private static final class SyncStateLost extends RuntimeException {
        SyncStateLost(String message) {
            super(message, null, false, false);
        }
    }

    private static boolean syncStateNotFound(ApiException e) {
        return e instanceof ODataError oe && oe.getError() != null && oe.getError().getCode() != null
                && oe.getError().getCode().equalsIgnoreCase("syncStateNotFound");
    }

    /** A 400; the caller decides (split a chunk, or report). Never leaves this class. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String graphMessage) {
            super(graphMessage, null, false, false);
        }
    }

    /**
     * One Graph request with its retries, within {@code deadline} (the call's budget). Before every attempt the
     * endpoint's Retry-After and our own backoff are waited out if they end before the deadline; otherwise the call
     * ends at once. Never sends before a Retry-After has passed.
     */
    private <T> T call(String what, Target target, Instant deadline, Duration budget, Supplier<T> request) {
        failFastIfAsked(what, target);
        // reads and writes of presence share the app's presence budget and so the pacer
        boolean paced = target == presenceTarget || target == writeTarget;
        boolean refreshed = false;
        Duration lastRetryAfter = null;
        String lastProblem = "none";
        Instant retryAt = Instant.MIN;
        int attempt = 0;
        while (true) {
            awaitTurn(what, target, retryAt, deadline, budget, lastProblem);
            attempt++;
            Duration left = Duration.between(s.clock.instant(), deadline);
            long nanosLeft = left.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : left.toNanos();
            try {
                T result = GraphHttpGuard.withDeadline(nanosLeft, () -> {
                    try {
                        return request.get();
                    } finally {
                        if (paced) {
                            pacer.completed();
                        }
                    }
                });
                tokenRefusalPause = TOKEN_REFUSAL_FIRST;
                return result;
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
                if (status == 401) {
                    throw tokenRefused(what);
                }
                if (target == deltaTarget && (status == 410 || (status == 400 && syncStateNotFound(e)))) {
                    throw new SyncStateLost(what + ": HTTP " + status + (syncStateNotFound(e) ? " syncStateNotFound" : ""));
                }
                if (status == 403 && target == writeTarget) {
                    throw new TerminalException(what + " was refused by Microsoft Graph (HTTP 403): "
                            + writePermissionMissing("Graph refused to write presence without it"));
                }
                if (status == 404 && target == writeTarget) {
                    throw new NotFound(e.getMessage());
                }
                if (status == 403) {
                    throw new TerminalException(what + " was refused by Microsoft Graph (HTTP 403): the permission is "
                            + "missing. The app needs the " + (s.authMode.delegated() ? "delegated" : "application")
                            + " permission " + target.permission + " with admin consent (see docs/azure-setup.md)");
                }
                if (status == 400) {
                    throw new BadRequest(e.getMessage());
                }
                if (status == 429 || status >= 500 || status == 0) {
                    lastProblem = "HTTP " + status;
                    Optional<Duration> asked = retryAfter(e);
                    Instant now = s.clock.instant();
                    String source = "Retry-After";
                    if (asked.isEmpty() && status == 429) {
                        // Throttled without saying how long: our backoff stands in for the Retry-After, also for
                        // the next call and for the engine's own retry.
                        asked = Optional.of(backoff.delay(attempt, s.random));
                        source = "no Retry-After: backoff";
                    }
                    if (asked.isPresent()) {
                        lastRetryAfter = asked.get();
                        Instant until = now.plus(asked.get());
                        if (until.isAfter(target.notBefore)) {
                            target.notBefore = until;
                        }
                        LOG.info("{}: HTTP {} from Microsoft Graph (attempt {} of {}), waiting {} ms ({})", what, status,
                                attempt, s.maxAttempts, asked.get().toMillis(), source);
                    } else {
                        Duration wait = backoff.delay(attempt, s.random);
                        retryAt = now.plus(wait);
                        LOG.info("{}: HTTP {} from Microsoft Graph (attempt {} of {}), backing off {} ms", what, status,
                                attempt, s.maxAttempts, wait.toMillis());
                    }
                } else if (status == 404) {
                    throw new TerminalException(what + ": Microsoft Graph answered 404 (is graphBaseUrl " + s.graphBaseUrl + " right?)");
                } else {
                    throw new RetryableException(what + ": unexpected HTTP " + status + " from Microsoft Graph");
                }
            } catch (TeamsConnectException e) {
                throw e;
            } catch (RuntimeException e) {
                TeamsConnectException inner = teamsConnectCause(e);
                if (inner != null) {
                    throw inner;
                }
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof GraphHttpGuard.BodyTooLarge) {
                        throw new MalformedAnswer(what + " failed: " + c.getMessage(), null);
                    }
                    if (c instanceof GraphHttpGuard.RefusedDestination) {
                        throw new TerminalException(what + " failed: " + c.getMessage());
                    }
                }
                if (!hasIoCause(e) || isMalformedJson(e)) {
                    throw new MalformedAnswer(what + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
                }
                lastProblem = e.getClass().getSimpleName();
                Duration wait = backoff.delay(attempt, s.random);
                retryAt = s.clock.instant().plus(wait);
                LOG.info("{}: I/O error talking to Microsoft Graph ({}; attempt {} of {}), backing off {} ms", what,
                        rootMessage(e), attempt, s.maxAttempts, wait.toMillis());
            }
            if (attempt >= s.maxAttempts) {
                throw new RetryableException(what + " failed after " + attempt + " attempts (last: " + lastProblem + ")",
                        lastRetryAfter, null);
            }
        }
    }

    /** While Graph refuses our tokens, or asked for a wait longer than a call, calls end here without a request. */
    private void failFastIfAsked(String what, Target target) {
        Instant now = s.clock.instant();
        if (now.isBefore(tokenRefusedUntil)) {
            throw new TerminalException(refusedMessage(what));
        }
        if (now.isBefore(target.failFastUntil)) {
            throw new RetryableException(what + " not sent: Microsoft Graph asked to wait until " + target.failFastUntil
                    + " (Retry-After)", Duration.between(now, target.failFastUntil), null);
        }
    }

    /**
     * Waits for the endpoint's Retry-After, our backoff and (presence) the pacer, if they end before the deadline;
     * otherwise ends the call. A Retry-After that does not fit makes further calls fail fast until it is over.
     */
    private void awaitTurn(String what, Target target, Instant retryAt, Instant deadline, Duration budget, String lastProblem) {
        Instant now = s.clock.instant();
        Instant until = target.notBefore.isAfter(retryAt) ? target.notBefore : retryAt;
        boolean serverAsked = !target.notBefore.isBefore(retryAt);
        if (until.isAfter(now)) {
            if (!until.isBefore(deadline)) {
                if (serverAsked) {
                    target.failFastUntil = until;
                    Duration wait = Duration.between(now, until);
                    throw new RetryableException(what + " ended: Microsoft Graph asked to wait until " + until
                            + " (Retry-After, " + wait.toMillis() + " ms more), longer than this call's budget of "
                            + budget.toSeconds() + " s allows; no request is sent before then", wait, null);
                }
                throw new RetryableException(what + " gave up: its budget of " + budget.toSeconds()
                        + " s ends before the next retry (last: " + lastProblem + ")");
            }
            sleepUntil(until);
        }
        try {
            if ((target == presenceTarget || target == writeTarget) && !pacer.acquire(deadline)) {
                throw new RetryableException(what + " gave up: the presence rate limit of " + s.rateLimit + " requests per "
                        + s.rateWindow.toSeconds() + " s leaves no room within this call's budget of " + budget.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException(what + " interrupted", e);
        }
        if (!s.clock.instant().isBefore(deadline)) {
            throw new RetryableException(what + " gave up: its budget of " + budget.toSeconds() + " s is used up (last: "
                    + lastProblem + ")");
        }
    }

    private void sleepUntil(Instant until) {
        try {
            for (Instant now = s.clock.instant(); now.isBefore(until); now = s.clock.instant()) {
                s.sleeper.sleep(Duration.between(now, until));
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new RetryableException("interrupted while waiting to retry", ie);
        }
    }

    /** A 401 with a fresh token: no new token for a growing pause, during which calls fail at once. */
    private TerminalException tokenRefused(String what) {
        tokenRefusedUntil = s.clock.instant().plus(tokenRefusalPause);
        Duration doubled = tokenRefusalPause.multipliedBy(2);
        tokenRefusalPause = doubled.compareTo(TOKEN_REFUSAL_MAX) > 0 ? TOKEN_REFUSAL_MAX : doubled;
        return new TerminalException(refusedMessage(what));
    }

    private String refusedMessage(String what) {
        return what + ": Microsoft Graph refused the access token (HTTP 401 even with a fresh token). Likely causes: "
                + "a token from another tenant or cloud (" + key("tenantId") + ", " + key("authorityHost") + " and "
                + key("graphBaseUrl") + " must belong to the same tenant and the same national cloud) or a token for "
                + "another resource than "
                + GraphSignIn.resourceOf(s.graphBaseUrl) + ". No new token is requested before " + tokenRefusedUntil;
    }

    private String key(String name) {
        return s.prefix.isEmpty() ? name : s.prefix + "." + name;
    }

    private Optional<Duration> retryAfter(ApiException e) {
        if (e.getResponseHeaders() == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, Set<String>> h : e.getResponseHeaders().entrySet()) {
            if ("retry-after".equalsIgnoreCase(h.getKey()) && h.getValue() != null && !h.getValue().isEmpty()) {
                return RetryAfter.parse(h.getValue().iterator().next(), s.clock);
            }
        }
        return Optional.empty();
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

    /**
     * For {@code check}: in the China cloud, that presence cannot be read there; the permissions the access token
     * carries ({@code roles} for app-only, {@code scp} for delegated sign-in) against those the features need, with
     * the admin consent URL when one is missing; the client certificate's expiry. Uses the cached token (a token
     * request at most, no Graph request).
     */
    @Override
    public List<CheckNote> checkNotes() {
        List<CheckNote> notes = new ArrayList<>();
        if (!s.cloud.hasPresence()) {
            notes.add(new CheckNote(CheckNote.Level.PROBLEM, noPresenceMessage()));
        }
        notes.add(consentNote());
        if (s.authMode.delegated()) {
            notes.add(new CheckNote(CheckNote.Level.INFO, "writing presence into Teams (pbxToTeams) needs client-credentials "
                    + "sign-in (" + key("auth.mode") + ": client-credentials, application permission Presence.ReadWrite.All); "
                    + "with " + s.authMode.configValue() + " sign-in this source offers no presence writer"));
        }
        if (expiryWatch != null) {
            Duration left = Duration.between(s.clock.instant(), expiryWatch.notAfter());
            boolean soon = left.compareTo(Duration.ofDays(CredentialExpiryWatch.WARN_DAYS.get(0))) <= 0;
            notes.add(new CheckNote(left.isNegative() ? CheckNote.Level.PROBLEM : soon ? CheckNote.Level.WARNING : CheckNote.Level.INFO,
                    "client certificate " + (left.isNegative() ? "expired at " : "valid until ") + expiryWatch.notAfter()
                    + (left.isNegative() ? "" : " (" + CredentialExpiryWatch.describe(left) + " left)")
                    + (soon ? ": upload a new certificate to the app registration and configure it" : "")));
        }
        return List.copyOf(notes);
    }

    private CheckNote consentNote() {
        String token;
        try {
            token = signIn.accessToken(false);
        } catch (TeamsConnectException e) {
            return new CheckNote(CheckNote.Level.INFO, "permissions not checked: no access token (" + e.getMessage() + ")");
        }
        List<GraphConsent.Need> needs = s.cloud.hasPresence()
                ? List.of(GraphConsent.Need.PRESENCE, GraphConsent.Need.USERS) : List.of(GraphConsent.Need.USERS);
        boolean delegated = s.authMode.delegated();
        String kind = delegated ? "delegated" : "application";
        Optional<GraphConsent> consent = GraphConsent.of(token, delegated, needs);
        if (consent.isEmpty()) {
            return new CheckNote(CheckNote.Level.INFO, "permissions not checked: the access token carries no readable "
                    + (delegated ? "scp" : "roles") + " claim");
        }
        GraphConsent c = consent.get();
        if (c.missing().isEmpty()) {
            return new CheckNote(CheckNote.Level.INFO, kind + " permissions granted (token claim " + c.claim() + "): "
                    + c.grantedList());
        }
        StringBuilder b = new StringBuilder("missing " + kind + " permission(s) of Microsoft Graph: ");
        b.append(String.join(", ", c.missing().entrySet().stream().map(m -> m.getValue() + " (for " + m.getKey() + ")").toList()));
        b.append("; granted (token claim ").append(c.claim()).append("): ").append(c.grantedList()).append('\n');
        b.append("fix: add them under API permissions of app ").append(s.clientId).append(" (Microsoft Graph, ")
                .append(delegated ? "Delegated" : "Application").append(" permissions), then let an admin grant consent:\n");
        b.append(GraphConsent.adminConsentUrl(s.authorityHost, s.tenantId, s.clientId));
        return new CheckNote(CheckNote.Level.PROBLEM, b.toString());
    }

    private String noPresenceMessage() {
        return key("cloud") + " is china: Microsoft Graph operated by 21Vianet has no presence API (Teams is not offered "
                + "there), so TeamsConnect can list users but cannot read anyone's Teams presence; no DND will follow Teams.";
    }

    /** The client certificate's {@code notAfter} when one is configured. */
    @Override
    public Optional<Instant> credentialExpiry() {
        return expiryWatch == null ? Optional.empty() : Optional.of(expiryWatch.notAfter());
    }

    private void watchCredential() {
        if (expiryWatch != null) {
            expiryWatch.check();
        }
    }

    /** Now, on the source's clock (for the writer's deadlines). */
    Instant clockInstant() {
        return s.clock.instant();
    }

    /** The cloud, sign-in host and Graph URL in use (for tests). */
    GraphCloud cloud() {
        return s.cloud;
    }

    URI authorityHost() {
        return s.authorityHost;
    }

    URI graphBaseUrl() {
        return s.graphBaseUrl;
    }

    @Override
    public void close() {
        guard.close();
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
        String prefix;
        String tenantId;
        String clientId;
        GraphAuthMode authMode;
        String clientSecret;
        PrivateKey certificateKey;
        X509Certificate certificate;
        String username;
        String password;
        Path tokenCache;
        GraphCloud cloud;
        boolean usersDelta;
        boolean tokenCacheReadOnly;
        URI authorityHost;
        URI graphBaseUrl;
        int rateLimit;
        Duration rateWindow;
        int chunkSize;
        Duration pollInterval;
        Duration presenceBudget;
        Duration userListBudget;
        int maxUserPages;
        Random random;
        List<X509Certificate> trustedCertificates;
        Clock clock;
        Sleeper sleeper;
        Duration backoffInitial;
        Duration backoffMax;
        int maxAttempts;
        Duration httpTimeout;
        /** Replaced (wrapped) by onSignInPrompt before open; read on the signing-in thread. */
        volatile GraphSignInListener listener;
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
        private GraphCloud cloud = GraphCloud.GLOBAL;
        private boolean usersDelta = true;
        private boolean tokenCacheReadOnly;
        private URI authorityHost;
        private URI graphBaseUrl;
        private int rateLimit = 1500;
        private Duration rateWindow = Duration.ofSeconds(30);
        private int chunkSize = MAX_CHUNK;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration presenceBudget = DEFAULT_PRESENCE_BUDGET;
        private Duration userListBudget = DEFAULT_USER_LIST_BUDGET;
        private int maxUserPages = MAX_USER_PAGES;
        private Random random = new Random();
        private final List<X509Certificate> trusted = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.REAL;
        private Duration backoffInitial = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(60);
        private int maxAttempts = 6;
        private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
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

        /**
         * Read the token cache but never write it (nor tighten its permissions): for a host that only checks
         * ({@code check}, {@code ProviderConfig.writesNothing()}). A sign-in then lasts for this process only.
         */
        public Builder tokenCacheReadOnly(boolean readOnly) {
            this.tokenCacheReadOnly = readOnly;
            return this;
        }

        /** Only pick this account from the token cache (device code), or the password-mode user. */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /**
         * The Microsoft cloud of the tenant; default {@link GraphCloud#GLOBAL}. Sets the sign-in host and the Graph URL
         * unless {@link #authorityHost} or {@link #graphBaseUrl} override them.
         */
        public Builder cloud(GraphCloud cloud) {
            this.cloud = cloud;
            return this;
        }

        /**
         * Whether user refreshes after the first full listing use users delta ({@code GET /users/delta}); default
         * {@code true}. With {@code false} every {@link GraphPresenceSource#listUsers()} lists all users.
         */
        public Builder usersDelta(boolean on) {
            this.usersDelta = on;
            return this;
        }

        /**
         * Default the {@link #cloud(GraphCloud) cloud}'s ({@code https://login.microsoftonline.com}); hosts other than
         * Microsoft's skip instance discovery and authority validation.
         */
        public Builder authorityHost(URI host) {
            this.authorityHost = host;
            return this;
        }

        /**
         * Default the {@link #cloud(GraphCloud) cloud}'s ({@code https://graph.microsoft.com/v1.0}); its host gets the
         * tokens, its origin is the token resource (the scopes).
         */
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

        /**
         * How often the service reads presence from this source ({@link GraphPresenceSource#pollInterval()}); must be
         * &gt; 0; default {@link GraphPresenceSource#DEFAULT_POLL_INTERVAL}.
         */
        public Builder pollInterval(Duration interval) {
            this.pollInterval = interval;
            return this;
        }

        /**
         * Budget of one presence chunk: all its attempts and waits (Retry-After, backoff, pacing); past it the call
         * fails with a {@link RetryableException}. Default {@link GraphPresenceSource#DEFAULT_PRESENCE_BUDGET}.
         */
        public Builder presenceBudget(Duration budget) {
            this.presenceBudget = budget;
            return this;
        }

        /**
         * Budget of one {@link GraphPresenceSource#listUsers()} call with all its pages, attempts and waits; default
         * {@link GraphPresenceSource#DEFAULT_USER_LIST_BUDGET}.
         */
        public Builder userListBudget(Duration budget) {
            this.userListBudget = budget;
            return this;
        }

        /** The most /users pages one listing follows; default {@value GraphPresenceSource#MAX_USER_PAGES}. */
        Builder maxUserPages(int pages) {
            this.maxUserPages = pages;
            return this;
        }

        /** The randomness of the backoff jitter; default a new {@link Random}. Tests pass a seeded one. */
        public Builder random(Random random) {
            this.random = random;
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

        /**
         * Backoff for 5xx/I/O (and 429 without Retry-After): the core {@link Backoff}, doubling from {@code initial},
         * capped at {@code max}, equal jitter from {@link #random(Random)}; default 1 s to 60 s (within the call's budget).
         */
        public Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** Attempts per request before a {@link RetryableException} (the budget may end them earlier); default 6. */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Overall deadline of one HTTP request to Graph or to the identity platform (connect, headers and body; the
         * request is cancelled at it), and of one token acquisition; default
         * {@link GraphPresenceSource#DEFAULT_HTTP_TIMEOUT}.
         */
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
            if (cloud == null) {
                throw new ConfigException(path("cloud"), "must be global, usgov, usgov-dod or china, but was missing");
            }
            URI authority = authorityHost != null ? authorityHost : cloud.authorityHost();
            URI graphBase = graphBaseUrl != null ? graphBaseUrl : cloud.graphBaseUrl();
            requireHttps(authority, "authorityHost");
            requireHttps(graphBase, "graphBaseUrl");
            if (rateLimit < 1) {
                throw new ConfigException(path("presenceRequestsPer30s"), "must be at least 1, but was " + rateLimit);
            }
            if (rateWindow == null || rateWindow.isZero() || rateWindow.isNegative()) {
                throw new ConfigException(path("presenceRateWindow"), "must be > 0, but was " + rateWindow);
            }
            if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
                throw new ConfigException(path("chunkSize"), "must be between 1 and 650 (Graph's limit), but was " + chunkSize);
            }
            requirePositive(pollInterval, "pollInterval");
            requirePositive(presenceBudget, "presenceBudget");
            requirePositive(userListBudget, "userListBudget");
            requirePositive(httpTimeout, "httpTimeout");
            if (maxUserPages < 1) {
                throw new ConfigException(path("maxUserPages"), "must be at least 1, but was " + maxUserPages);
            }
            if (maxAttempts < 1) {
                throw new ConfigException(path("maxAttempts"), "must be at least 1, but was " + maxAttempts);
            }
            if (backoffInitial == null || backoffInitial.isZero() || backoffInitial.isNegative()
                    || backoffMax == null || backoffMax.compareTo(backoffInitial) < 0) {
                throw new ConfigException(path("backoff"), "initial must be > 0 and max >= initial");
            }
            Settings st = new Settings();
            st.prefix = prefix;
            st.tenantId = tenantId.trim();
            st.clientId = clientId.trim();
            st.authMode = authMode;
            st.clientSecret = blank(clientSecret) ? null : clientSecret;
            st.certificateKey = certificateKey;
            st.certificate = certificate;
            st.username = blank(username) ? null : username.trim();
            st.password = password;
            st.tokenCache = tokenCache;
            st.cloud = cloud;
            st.usersDelta = usersDelta;
            st.authorityHost = authority;
            st.graphBaseUrl = graphBase;
            st.tokenCacheReadOnly = tokenCacheReadOnly;
            st.rateLimit = rateLimit;
            st.rateWindow = rateWindow;
            st.chunkSize = chunkSize;
            st.pollInterval = pollInterval;
            st.presenceBudget = presenceBudget;
            st.userListBudget = userListBudget;
            st.maxUserPages = maxUserPages;
            st.random = Objects.requireNonNull(random, "random");
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

        private void requirePositive(Duration d, String key) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new ConfigException(path(key), "must be > 0, but was " + d);
            }
        }

        private void requireHttps(URI uri, String key) {
            if (uri == null || !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(path(key), "must be an https URL, but was " + (uri == null ? "missing" : "\"" + uri + "\""));
            }
        }
    }
}
