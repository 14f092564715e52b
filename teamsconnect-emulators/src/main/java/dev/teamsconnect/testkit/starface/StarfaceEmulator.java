package dev.teamsconnect.testkit.starface;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.teamsconnect.testkit.emulator.EmulatorServer;
import dev.teamsconnect.testkit.emulator.RequestLog;
import dev.teamsconnect.testkit.emulator.RouteTable;
import dev.teamsconnect.testkit.emulator.ScriptedFaults;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An in-process, stateful emulator of the STARFACE REST API as far as TeamsConnect uses it, built from the facts
 * in {@code shared/reference/starface-api.md}: nonce login with single-use nonces and both secret schemes
 * ({@code Internal}: SHA-512, {@code ActiveDirectory}: Base64), tokens with a lifetime, {@code X-Version: 2},
 * users, groups with members, {@code phoneconfig} GET/PUT, and error bodies {@code {"code","message"}}.
 *
 * <p>Endpoints: {@code GET/POST/DELETE /rest/login}, {@code GET /rest/users[?searchTerm=]},
 * {@code GET /rest/users/me}, {@code GET /rest/users/{id}}, {@code GET/PUT /rest/users/{id}/phoneconfig},
 * {@code GET /rest/groups[?searchTerm=]}, {@code GET /rest/groups/{id}}.
 *
 * <p>STARFACE 10's OAuth (a Keycloak realm {@code pbx}), when {@link Builder#oauth} turns it on:
 * {@code GET /auth/realms/pbx/.well-known/openid-configuration} (the discovery document),
 * {@code POST} to its {@code token_endpoint} (form-encoded; grants {@code password} and {@code refresh_token})
 * and {@code POST} to its {@code revocation_endpoint}; the REST API then also accepts
 * {@code Authorization: Bearer <access_token>}. Access tokens live 300 s and refresh tokens 6 h unless set
 * otherwise ({@link Builder#accessTokenLifetime}, {@link #setAccessTokenLifetime}, ...).
 * {@link Builder#withoutNonceLogin()} (or {@link #setNonceLoginEnabled}) makes {@code /rest/login} answer 404,
 * as the nonce login is said to go away in STARFACE 11. Without {@link Builder#oauth} every {@code /auth/...} path
 * answers 404, as on an appliance before STARFACE 10.
 *
 * <p>Where the reference is silent the emulator makes a documented choice:
 * <ul>
 *   <li>The error {@code code} values ({@code "LOGIN_FAILED"}, {@code "UNAUTHORIZED"}, ...) are invented: the
 *       reference only gives the shape {@code {"code","message"}}.</li>
 *   <li>Missing or expired tokens get 401 (the reference says "most likely").</li>
 *   <li>{@code GET /rest/login} is accepted without {@code X-Version} (the vendor's Java example omits it
 *       there); every other request without {@code X-Version: 2} gets 400.</li>
 *   <li>The {@code loginType} announced by {@code GET /rest/login} is emulator-wide (the request names no user);
 *       a user may be configured with a different type, and {@code POST /rest/login} then checks that user's
 *       secret with the user's own scheme.</li>
 *   <li>Any logged-in account may read and write any user's phoneconfig; the reference does not say which
 *       rights a real appliance requires for that.</li>
 *   <li>{@code searchTerm} matches case-insensitively as a substring of login/names (users) or group name.</li>
 *   <li>OAuth: the sources disagree on the token path ({@code /auth/realms/pbx/oauth2/token} in one third-party
 *       client, Keycloak's usual {@code /auth/realms/pbx/protocol/openid-connect/token} elsewhere) and on the scope
 *       ({@code login} or {@code pbx-login}); the emulator serves the Keycloak path unless
 *       {@link Builder#oauthTokenPath} says otherwise, and accepts the scopes of {@link Builder#oauthScopes} (default
 *       {@code login}; no scope at all is accepted too, as Keycloak then applies the client's default scopes). The
 *       error answers ({@code 401 unauthorized_client} for a wrong client secret, {@code 401 invalid_grant} for a
 *       wrong user password, {@code 400 invalid_grant} for a refresh token that is not active,
 *       {@code 400 invalid_scope}) are modelled on Keycloak; the reference names none. Tokens are random strings,
 *       not JWTs (a client must treat them as opaque anyway). Revoking a refresh token ends its whole grant, access
 *       tokens included.</li>
 *   <li>The {@code /auth/...} endpoints need no {@code X-Version} header (they are Keycloak's, not the REST API's).</li>
 * </ul>
 *
 * <p>Use: {@code try (StarfaceEmulator pbx = StarfaceEmulator.builder().user("0001", "foobar", "a@x.test", "Ann",
 * "Lee", false).https().start()) { URI base = pbx.baseUrl(); ... }}.
 *
 * <p>Capacity: by default every request is served at once. {@link Builder#capacity} makes it a PBX of limited
 * capacity: {@code workers} workers, each serving one request at a time for a fixed service time; requests beyond
 * that wait in arrival order. The {@link Builder#latency latency} is added before that, outside the workers (the
 * network). {@link #requestsInFlight()}, {@link #maxRequestsInFlight()} and {@link #maxQueueLength()} show the load
 * ({@link #resetMaxima()} starts a new measurement).
 *
 * <p>Faults, each for the next request to an endpoint ({@code "METHOD /path"}, its template, or a path or
 * template alone for any method, see {@link #failNext}): {@link #failNext} (a status), {@link #respondNext} (a raw body), {@link #failNextWithRetryAfter}
 * (a status with a {@code Retry-After} value), {@link #stallBodyNext} (the real answer, whose body stops after the
 * headers and its first half for a while), {@link #cutBodyNext} (the real answer, whose connection is closed in the
 * middle of the body) and {@link #oversizedBodyNext} (a 200 with a streamed body of any size, never held in
 * memory). {@link #abortedResponses()} counts answers the client hung up on while they were being written.
 *
 * <p>Thread-safe: requests are served concurrently by a fixed pool ({@link Builder#threads}, default 8, or 256
 * with a {@link Builder#capacity}); the state is guarded by one lock; test hooks may be called from any thread
 * while requests are running.
 */
public final class StarfaceEmulator implements AutoCloseable {

    /** How a user's login secret is formed. The wire names are the ones STARFACE announces. */
    public enum LoginType {
        INTERNAL("Internal"),
        ACTIVE_DIRECTORY("ActiveDirectory");

        private final String wireName;

        LoginType(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Optional<LoginType> fromWire(String name) {
            for (LoginType t : values()) {
                if (t.wireName.equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }
    }

    /** Who changed a DND flag. */
    public enum DndSource {
        /** A {@code PUT /rest/users/{id}/phoneconfig}. */
        API,
        /** {@link #pressDndKey}: the user pressed the key on the phone. */
        PHONE
    }

    /** One change of a user's DND flag (only real changes are recorded, not writes of the same value). */
    public record DndChange(Instant at, int userId, String login, boolean dnd, DndSource source) {
    }

    /**
     * One accepted {@code PUT /rest/users/{id}/phoneconfig}, whether or not it changed the flag: which login session
     * wrote it ({@code session}: {@code login-N} for the N-th nonce login, {@code grant-...} for an OAuth grant and its
     * refreshes), so a test can check that two clients never wrote in turns.
     */
    public record PhoneConfigWrite(Instant at, String login, boolean dnd, String session) {
    }

    /** A user to seed. {@code loginType} {@code null} means the emulator-wide type. */
    public record UserSeed(String login, String password, String email, String firstName, String familyName,
                           boolean dnd, LoginType loginType) {
        public UserSeed {
            if (login == null || login.isBlank()) {
                throw new IllegalArgumentException("UserSeed.login must not be blank");
            }
            if (password == null) {
                throw new IllegalArgumentException("UserSeed.password must not be null (user " + login + ")");
            }
        }
    }

    private static final String LOGIN = "/rest/login";
    /** STARFACE's XML-RPC interface, through which module entry points (the bridge's) are called. */
    static final String XML_RPC = "/xml-rpc";
    /** The most bytes of a request body the emulator reads; a longer body is answered 413. */
    static final int MAX_REQUEST_BODY = 1024 * 1024;
    private static final String REALM = "/auth/realms/pbx";
    /** Where a client discovers the realm's endpoints. */
    public static final String DISCOVERY = REALM + "/.well-known/openid-configuration";
    /** Keycloak's token path, the emulator's default. */
    public static final String KEYCLOAK_TOKEN_PATH = REALM + "/protocol/openid-connect/token";
    /** The token path one third-party client uses (the reference's "STARFACE 10 also offers OAuth" line). */
    public static final String THIRD_PARTY_TOKEN_PATH = REALM + "/oauth2/token";
    private static final String REVOKE = REALM + "/protocol/openid-connect/revoke";
    /** The client id the reference names for the password grant. */
    public static final String DEFAULT_CLIENT_ID = "rest-client-headless";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    // ---- state guarded by `lock`
    private final Object lock = new Object();
    private final Map<Integer, UserState> users = new LinkedHashMap<>();
    private final Map<Integer, GroupState> groups = new LinkedHashMap<>();
    private final Map<String, LoginType> nonces = new LinkedHashMap<>();
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final java.util.Set<Integer> callsInProgress = new java.util.HashSet<>();
    private final List<DndChange> dndChanges = new ArrayList<>();
    private final List<PhoneConfigWrite> phoneConfigWrites = new ArrayList<>();
    /** The write log's bound (a scale run writes far fewer); later writes are not recorded. */
    static final int MAX_RECORDED_WRITES = 1_000_000;
    private int loginSessions;
    private final ScriptedFaults<FailureRule> failureRules = new ScriptedFaults<>();
    private final List<String> secretsSeen = new ArrayList<>();
    private final List<String> tokensIssued = new ArrayList<>();
    private final LoginType serverLoginType;
    private Duration tokenLifetime;
    // OAuth (Keycloak realm `pbx`), guarded by `lock`; realm null = no OAuth
    private final OAuthRealm realm;
    private final Map<String, OAuthToken> accessTokens = new LinkedHashMap<>();
    private final Map<String, OAuthToken> refreshTokens = new LinkedHashMap<>();
    private Duration accessTokenLifetime;
    private Duration refreshTokenLifetime;
    private String clientSecret;
    private volatile boolean nonceLogin;

    // ---- counters, lock-free
    private final RequestLog log = new RequestLog();
    private final RouteTable<Endpoint> routes = new RouteTable<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger rejectedLogins = new AtomicInteger();
    private final AtomicInteger passwordGrants = new AtomicInteger();
    private final AtomicInteger refreshGrants = new AtomicInteger();
    private final AtomicInteger rejectedTokenRequests = new AtomicInteger();
    private final AtomicInteger missingContentType = new AtomicInteger();
    private volatile Duration latency;
    private final AtomicInteger expireCountdown = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger maxQueued = new AtomicInteger();
    private final AtomicInteger aborted = new AtomicInteger();
    private final AtomicLong faultBytes = new AtomicLong();
    // true while this thread's request is counted in flight (from arrival until its answer starts)
    private final ThreadLocal<boolean[]> unanswered = ThreadLocal.withInitial(() -> new boolean[1]);
    // a body fault (stall, cut) for the answer this thread is writing
    private final ThreadLocal<FailureRule> bodyFault = new ThreadLocal<>();
    private final Semaphore workers;
    private final Duration serviceTime;
    // the bridge module (Builder.bridge), null without
    private final EmulatedBridge bridge;

    private final Clock clock;
    private final EmulatorServer server;
    private final SelfSignedCertificate certificate;
    private final URI baseUrl;

    /** Answers one request to an endpoint of {@link #routes}; {@code session} is null for the login endpoints. */
    @FunctionalInterface
    private interface Endpoint {
        void answer(HttpExchange ex, RouteTable.Match<Endpoint> match, byte[] body, Session session) throws IOException;
    }

    private StarfaceEmulator(Builder b) {
        this.clock = b.clock;
        this.tokenLifetime = b.tokenLifetime;
        this.latency = b.latency;
        this.serverLoginType = b.loginType;
        this.nonceLogin = b.nonceLogin;
        this.accessTokenLifetime = b.accessTokenLifetime;
        this.refreshTokenLifetime = b.refreshTokenLifetime;
        this.clientSecret = b.oauthClientSecret;
        this.realm = b.oauthClientSecret == null ? null
                : new OAuthRealm(b.oauthClientId, b.oauthTokenPath, List.copyOf(b.oauthScopes));
        this.workers = b.workers > 0 ? new Semaphore(b.workers, true) : null;
        this.serviceTime = b.serviceTime;
        int nextUserId = 1;
        Map<String, Integer> idsByLogin = new LinkedHashMap<>();
        for (UserSeed seed : b.users) {
            if (idsByLogin.containsKey(seed.login())) {
                throw new IllegalArgumentException("duplicate user login \"" + seed.login() + "\"");
            }
            int id = nextUserId++;
            idsByLogin.put(seed.login(), id);
            users.put(id, new UserState(id, seed));
        }
        int nextGroupId = 1;
        for (Map.Entry<String, List<String>> g : b.groups.entrySet()) {
            Set<Integer> members = new LinkedHashSet<>();
            for (String login : g.getValue()) {
                Integer id = idsByLogin.get(login);
                if (id == null) {
                    throw new IllegalArgumentException("group \"" + g.getKey() + "\" names unknown user login \"" + login + "\"");
                }
                members.add(id);
            }
            int id = nextGroupId++;
            groups.put(id, new GroupState(id, g.getKey(), String.valueOf(700 + id), members));
        }
        this.bridge = b.bridgeInstance == null ? null : new EmulatedBridge(b.bridgeInstance, b.bridgeSecret,
                b.bridgeEventCapacity, id -> {
                    synchronized (lock) {
                        return users.containsKey(id);
                    }
                });
        routes.add("POST", XML_RPC, (ex, m, body, session) -> xmlRpc(ex, body));
        routes.add("GET", LOGIN, (ex, m, body, session) -> loginNonce(ex))
                .add("POST", LOGIN, (ex, m, body, session) -> login(ex, body))
                .add("DELETE", LOGIN, (ex, m, body, session) -> logout(ex))
                .add("GET", "/rest/users", (ex, m, body, session) -> listUsers(ex))
                .add("GET", "/rest/users/me", (ex, m, body, session) -> me(ex, session))
                .add("GET", "/rest/users/{id}", (ex, m, body, session) -> user(ex, m.param("id")))
                .add("GET", "/rest/users/{id}/phoneconfig", (ex, m, body, session) -> phoneConfig(ex, "GET", m.param("id"), body))
                .add("PUT", "/rest/users/{id}/phoneconfig", (ex, m, body, session) -> phoneConfig(ex, "PUT", m.param("id"), body, session))
                .add("GET", "/rest/groups", (ex, m, body, session) -> listGroups(ex))
                .add("GET", "/rest/groups/{id}", (ex, m, body, session) -> group(ex, m.param("id")));
        if (realm != null) {
            routes.add("GET", DISCOVERY, (ex, m, body, session) -> discovery(ex))
                    .add("POST", realm.tokenPath(), (ex, m, body, session) -> token(ex, body))
                    .add("POST", REVOKE, (ex, m, body, session) -> revoke(ex, body));
        }
        this.certificate = b.https ? (b.certificate != null ? b.certificate : SelfSignedCertificate.forLocalhost()) : null;
        int threads = b.threadsSet ? b.threads : b.workers > 0 ? 256 : b.threads;
        this.server = EmulatorServer.start("starface-emulator", threads, certificate, this::handle);
        // 127.0.0.1 is in the certificate's SAN, so hostname verification stays on.
        this.baseUrl = server.baseUri();
    }

    public static Builder builder() {
        return new Builder();
    }

    // =====================================================================================================
    // Public test API

    /** The PBX address, e.g. {@code https://127.0.0.1:40123} (the REST API is under {@code /rest}). */
    public URI baseUrl() {
        return baseUrl;
    }

    /** The generated (or given) server certificate; empty for plain HTTP. */
    public Optional<SelfSignedCertificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** The numeric id of the user with this login. */
    public int userId(String login) {
        synchronized (lock) {
            return find(login).id;
        }
    }

    /** The DND flag of a user, by login or numeric id (a login match wins). */
    public boolean dnd(String loginOrId) {
        synchronized (lock) {
            return find(loginOrId).doNotDisturb;
        }
    }

    /** The DND flag of the user with this numeric id. */
    public boolean dnd(int userId) {
        synchronized (lock) {
            return byIdOrThrow(userId).doNotDisturb;
        }
    }

    /** Sets the DND flag of the user with this numeric id as if pressed on the phone (source PHONE). */
    public void pressDndKey(int userId, boolean on) {
        synchronized (lock) {
            setDnd(byIdOrThrow(userId), on, DndSource.PHONE);
        }
    }

    /** Every user's DND flag by login, in seed order. */
    public Map<String, Boolean> dndByLogin() {
        synchronized (lock) {
            Map<String, Boolean> out = new LinkedHashMap<>();
            users.values().forEach(u -> out.put(u.login, u.doNotDisturb));
            return out;
        }
    }

    /** Sets a user's DND as if the user pressed the DND key on the phone (recorded with source PHONE). */
    public void pressDndKey(String loginOrId, boolean on) {
        synchronized (lock) {
            setDnd(find(loginOrId), on, DndSource.PHONE);
        }
    }

    /**
     * The user starts ({@code true}) or ends a call on the PBX. STARFACE's REST API reports no call state
     * (starface-api.md; docs/starface.md, "What the REST API can and cannot do"), so no route serves it: it is for a
     * sink that learns calls another way (code inside the PBX, the bridge module), which tests stand in for with
     * {@link #usersOnCall()}.
     */
    public void setOnCall(String loginOrId, boolean onCall) {
        synchronized (lock) {
            int id = find(loginOrId).id;
            if (onCall) {
                callsInProgress.add(id);
            } else {
                callsInProgress.remove(id);
            }
            if (bridge != null) {
                bridge.callChanged(id, onCall);
            }
        }
    }

    // ---- the bridge module (Builder.bridge)

    /** The user's chat presence and text, as the bridge module reads them. */
    public dev.teamsconnect.starface.bridge.ChatState chatState(String loginOrId) {
        return requireBridge().chatOf(idOf(loginOrId));
    }

    /** The user changes the chat status in the UCC client. */
    public void userChangesChatStatus(String loginOrId, String presence, String text) {
        requireBridge().userChangesChatStatus(idOf(loginOrId), presence, text);
    }

    /** The telephony state last published for the user's BLF keys (by the bridge or a real call); empty if none. */
    public Optional<String> telephonyState(String loginOrId) {
        return requireBridge().telephonyOf(idOf(loginOrId));
    }

    /** The bridge entry points called so far, in order (successful or not; {@code (malformed)} for a bad body). */
    public List<String> bridgeCalls() {
        return requireBridge().calls();
    }

    /** How many bridge calls were refused for the secret. */
    public int bridgeSecretRejections() {
        return requireBridge().secretRejections();
    }

    /** As if the bridge module instance restarted: its events start again (a new bridge id); chat state stays. */
    public void restartBridge() {
        requireBridge().restart();
    }

    private EmulatedBridge requireBridge() {
        if (bridge == null) {
            throw new IllegalStateException("this emulator runs no bridge; build it with Builder.bridge(instance, secret)");
        }
        return bridge;
    }

    private int idOf(String loginOrId) {
        synchronized (lock) {
            return find(loginOrId).id;
        }
    }

    /** The numeric ids (as text, the sink's user ids) of the users on a call now; see {@link #setOnCall}. */
    public java.util.Set<String> usersOnCall() {
        synchronized (lock) {
            java.util.Set<String> out = new java.util.TreeSet<>();
            callsInProgress.forEach(id -> out.add(String.valueOf(id)));
            return out;
        }
    }

    /**
     * Every accepted phoneconfig write so far (the first {@value #MAX_RECORDED_WRITES}), oldest first, with the session
     * that wrote it.
     */
    public List<PhoneConfigWrite> phoneConfigWrites() {
        synchronized (lock) {
            return List.copyOf(phoneConfigWrites);
        }
    }

    /** Every DND change so far, oldest first. */
    public List<DndChange> dndChanges() {
        synchronized (lock) {
            return List.copyOf(dndChanges);
        }
    }

    /**
     * Answers the next {@code count} requests that match with {@code status} and an error body. {@code endpoint}
     * is a method and a path, either concrete ({@code "PUT /rest/users/3/phoneconfig"}) or the template
     * ({@code "PUT /rest/users/{id}/phoneconfig"}, see {@link #requestCount}), or a path alone for any method
     * ({@code "/rest/users"}), as in {@code GraphEmulator#failNext}. Failures are checked before authentication
     * and counted like any request.
     */
    public void failNext(String endpoint, int count, int status) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("failNext needs an HTTP status, got " + status);
        }
        failureRules.add(endpoint, count, new FailureRule(status, null), "failNext");
    }

    /**
     * Answers the next matching request (see {@link #failNext}) with {@code status} and exactly {@code rawBody}
     * (sent as {@code application/json}, even if it is not JSON), to test how clients handle malformed answers.
     */
    public void respondNext(String endpoint, int status, String rawBody) {
        if (status < 100 || status > 599 || rawBody == null) {
            throw new IllegalArgumentException("respondNext needs an HTTP status and a body, got " + status);
        }
        failureRules.add(endpoint, 1, new FailureRule(status, rawBody), "respondNext");
    }

    /**
     * Answers the next {@code count} matching requests (see {@link #failNext}) with {@code status}, the header
     * {@code Retry-After: <retryAfterHeader>} (sent exactly as given, valid or not) and an error body, as
     * {@code GraphEmulator#failNextWithRetryAfter} does.
     */
    public void failNextWithRetryAfter(String endpoint, int count, int status, String retryAfterHeader) {
        if (retryAfterHeader == null || count < 1) {
            throw new IllegalArgumentException("failNextWithRetryAfter needs count >= 1 and a Retry-After value, got "
                    + count + ", " + retryAfterHeader);
        }
        addRule(endpoint, "failNextWithRetryAfter", count, status, rule -> rule.retryAfter = retryAfterHeader);
    }

    /**
     * Serves the next matching request normally, but its body stops after the headers and the first half of the
     * body for {@code stall} (really waiting, like a stalled PBX or a half-open connection), then the rest follows
     * if the client is still there. Applies to answers with a body (not to a 204).
     */
    public void stallBodyNext(String endpoint, Duration stall) {
        if (stall == null || stall.isNegative()) {
            throw new IllegalArgumentException("stallBodyNext needs a stall >= 0, but was " + stall);
        }
        addRule(endpoint, "stallBodyNext", 1, 200, rule -> rule.stall = stall);
    }

    /**
     * Serves the next matching request normally, but closes the connection after the headers (with the full
     * {@code Content-Length}) and the first half of the body. Applies to answers with a body (not to a 204).
     */
    public void cutBodyNext(String endpoint) {
        addRule(endpoint, "cutBodyNext", 1, 200, rule -> rule.cut = true);
    }

    /**
     * Answers the next matching request (see {@link #failNext}) with 200 and a JSON-looking body of exactly
     * {@code bytes} bytes ({@code {"pad":"xxx..."}}), streamed in chunks without a {@code Content-Length} and never
     * held in memory, so a client must count while reading. Checked before authentication.
     */
    public void oversizedBodyNext(String endpoint, long bytes) {
        if (bytes < 10) {
            throw new IllegalArgumentException("oversizedBodyNext needs at least 10 bytes, but was " + bytes);
        }
        addRule(endpoint, "oversizedBodyNext", 1, 200, rule -> rule.oversized = bytes);
    }

    private void addRule(String endpoint, String hook, int count, int status, java.util.function.Consumer<FailureRule> fill) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException(hook + " needs an HTTP status, got " + status);
        }
        FailureRule rule = new FailureRule(status, null);
        fill.accept(rule);
        failureRules.add(endpoint, count, rule, hook);
    }

    /**
     * Answers the client hung up on while they were being written (a stalled, oversized or slow body whose reader
     * went away). A client that cancels an exchange or stops reading a body shows up here.
     */
    public int abortedResponses() {
        return aborted.get();
    }

    /** Body bytes written so far by {@link #oversizedBodyNext} answers (all of them together). */
    public long oversizedBytesSent() {
        return faultBytes.get();
    }

    /** Forgets every scripted fault ({@link #failNext}, {@link #respondNext} and the other {@code ...Next}) not used up yet. */
    public void clearScriptedFailures() {
        failureRules.clear();
    }

    /** Adds this latency to every request from now on ({@link Duration#ZERO} to turn off). Really sleeps. */
    public void setLatency(Duration latency) {
        this.latency = latency == null ? Duration.ZERO : latency;
    }

    /** Invalidates every token (as if their lifetime had ended): nonce tokens, OAuth access and refresh tokens. Users and DND flags stay. */
    public void expireAllTokens() {
        synchronized (lock) {
            sessions.clear();
            accessTokens.clear();
            refreshTokens.clear();
        }
    }

    /** Invalidates every OAuth access token; refresh tokens stay usable. */
    public void expireAllAccessTokens() {
        synchronized (lock) {
            accessTokens.clear();
        }
    }

    /** Invalidates every OAuth refresh token (as if the Keycloak sessions had ended); access tokens stay until they expire. */
    public void expireAllRefreshTokens() {
        synchronized (lock) {
            refreshTokens.clear();
        }
    }

    /** Changes the lifetime of OAuth access tokens (existing ones included, measured from their issue time). */
    public void setAccessTokenLifetime(Duration lifetime) {
        synchronized (lock) {
            this.accessTokenLifetime = requirePositive("accessTokenLifetime", lifetime);
        }
    }

    /** Changes the lifetime of OAuth refresh tokens (existing ones included, measured from their issue time). */
    public void setRefreshTokenLifetime(Duration lifetime) {
        synchronized (lock) {
            this.refreshTokenLifetime = requirePositive("refreshTokenLifetime", lifetime);
        }
    }

    /** Changes the OAuth client secret, as an administrator regenerating it in the admin UI would. Tokens stay. */
    public void setOAuthClientSecret(String secret) {
        if (realm == null || secret == null || secret.isEmpty()) {
            throw new IllegalStateException("setOAuthClientSecret needs a realm (Builder.oauth) and a non-empty secret");
        }
        synchronized (lock) {
            this.clientSecret = secret;
        }
    }

    /** Turns the nonce login ({@code /rest/login}) on or off; off, every {@code /rest/login} request answers 404. */
    public void setNonceLoginEnabled(boolean enabled) {
        this.nonceLogin = enabled;
    }

    /** Successful password grants at the token endpoint. */
    public int passwordGrantCount() {
        return passwordGrants.get();
    }

    /** Successful refresh-token grants at the token endpoint. */
    public int refreshGrantCount() {
        return refreshGrants.get();
    }

    /** Token requests answered with an OAuth error (wrong client, secret, password, refresh token, scope or grant type). */
    public int rejectedTokenRequestCount() {
        return rejectedTokenRequests.get();
    }

    /** The token path the discovery document announces, e.g. {@link #KEYCLOAK_TOKEN_PATH}; empty without OAuth. */
    public Optional<String> tokenPath() {
        return realm == null ? Optional.empty() : Optional.of(realm.tokenPath());
    }

    private static Duration requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, but was " + d);
        }
        return d;
    }

    /**
     * Expires all tokens just before the {@code n}-th request from now is handled (that request and later ones
     * see no valid token), to expire sessions in the middle of a client's run without racing it.
     */
    public void expireAllTokensAfterRequests(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, but was " + n);
        }
        expireCountdown.set(n);
    }

    /** Changes the lifetime of tokens (existing ones included, measured from their issue time). */
    public void setTokenLifetime(Duration lifetime) {
        synchronized (lock) {
            this.tokenLifetime = lifetime;
        }
    }

    /**
     * Deletes a user as an administrator would: from then on the user is missing from {@code /rest/users} and its
     * groups, and {@code /rest/users/{id}[/phoneconfig]} answers 404.
     */
    public void deleteUser(String loginOrId) {
        synchronized (lock) {
            UserState u = find(loginOrId);
            users.remove(u.id);
            groups.values().forEach(g -> g.members().remove(u.id));
        }
    }

    /**
     * As if the appliance restarted: users, groups and DND flags stay; sessions, nonces and OAuth tokens are gone, and
     * the bridge module starts again (its events with it, see {@link #restartBridge}).
     */
    public void restart() {
        synchronized (lock) {
            sessions.clear();
            nonces.clear();
            accessTokens.clear();
            refreshTokens.clear();
        }
        if (bridge != null) {
            bridge.restart();
        }
    }

    /**
     * How many requests reached this endpoint. Keys are the method and the path template, e.g.
     * {@code "POST /rest/login"}, {@code "GET /rest/users"}, {@code "GET /rest/users/{id}"},
     * {@code "GET /rest/users/{id}/phoneconfig"}, {@code "PUT /rest/users/{id}/phoneconfig"},
     * {@code "GET /rest/groups/{id}"}, {@code "POST /xml-rpc"} (the bridge's calls, see {@link #bridgeCalls}).
     */
    public int requestCount(String endpoint) {
        return endpoint.startsWith("/") ? log.countByPath(endpoint) : log.count(endpoint);
    }

    /** All request counts by endpoint template. */
    public Map<String, Integer> requestCounts() {
        return log.counts();
    }

    /** Requests no endpoint answers ({@code "METHOD path"}, answered 404 or 405 after authentication). */
    public List<String> unhandledRequests() {
        return log.unhandledRequests();
    }

    /** Successful logins ({@code POST /rest/login} answered with a token). */
    public int loginCount() {
        return logins.get();
    }

    /** Rejected login attempts (bad secret, unknown or reused nonce). */
    public int rejectedLoginCount() {
        return rejectedLogins.get();
    }

    /**
     * The largest number of requests this emulator held at the same moment, measured from arrival until the answer
     * starts (so use {@link Builder#latency} or {@link Builder#capacity} for a meaningful figure).
     */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    /** Requests that arrived and are not answered yet (in the network latency, queued, or being served). */
    public int requestsInFlight() {
        return inFlight.get();
    }

    /**
     * The most requests in flight at one moment: from arrival until the answer starts (the latency, the queue and
     * the service included). The same as {@link #maxConcurrentRequests()}.
     */
    public int maxRequestsInFlight() {
        return maxInFlight.get();
    }

    /** The longest queue for a worker so far (0 without a {@link Builder#capacity}). */
    public int maxQueueLength() {
        return maxQueued.get();
    }

    /** Starts a new measurement: the maxima are set to the current values. */
    public void resetMaxima() {
        maxInFlight.set(inFlight.get());
        maxQueued.set(queued.get());
    }

    /** REST requests that arrived without {@code Content-Type: application/json} (Keycloak's {@code /auth/...} are form-encoded and not counted). */
    public int requestsWithoutJsonContentType() {
        return missingContentType.get();
    }

    /** Every login secret received, in memory only (for tests that check secrets never leak into logs). */
    public List<String> loginSecretsSeen() {
        synchronized (lock) {
            return List.copyOf(secretsSeen);
        }
    }

    /**
     * Every secret the emulator knows, saw or issued: the users' passwords, the login secrets received and every
     * token issued (expired ones too). For tests that check logs for leaks; the same as {@code GraphEmulator#secrets()}.
     */
    public List<String> secrets() {
        synchronized (lock) {
            List<String> all = new ArrayList<>();
            users.values().forEach(u -> all.add(u.password));
            all.addAll(secretsSeen);
            all.addAll(tokensIssued);
            if (clientSecret != null) {
                all.add(clientSecret);
            }
            return all;
        }
    }

    /** Tokens currently held (nonce tokens, OAuth access and refresh tokens; for tests that check tokens never leak into logs). */
    public Set<String> activeTokens() {
        synchronized (lock) {
            Set<String> all = new LinkedHashSet<>(sessions.keySet());
            all.addAll(accessTokens.keySet());
            all.addAll(refreshTokens.keySet());
            return Set.copyOf(all);
        }
    }

    /** Stops the server and its threads. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "StarfaceEmulator[" + baseUrl + ", users=" + users.size() + ", groups=" + groups.size() + "]";
    }

    // =====================================================================================================
    // HTTP handling

    private void handle(HttpExchange ex) throws IOException {
        // In flight from arrival until the answer starts (see answering()), so a client's next request on the same
        // connection never overlaps its previous one in the count.
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        unanswered.get()[0] = true;
        bodyFault.remove();
        boolean permit = false;
        try (ex) {
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = ex.getRequestURI().getPath();
            RouteTable.Match<Endpoint> match = routes.match(method, path);
            log.record(match);
            if (expireCountdown.get() > 0 && expireCountdown.decrementAndGet() == 0) {
                expireAllTokens();
            }
            try {
                sleep(latency); // the network, outside the workers
                if (workers != null) {
                    int waiting = queued.incrementAndGet();
                    maxQueued.accumulateAndGet(waiting, Math::max);
                    try {
                        workers.acquire();
                        permit = true;
                    } finally {
                        queued.decrementAndGet();
                    }
                    sleep(serviceTime);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            byte[] requestBody = ex.getRequestBody().readNBytes(MAX_REQUEST_BODY + 1);
            if (requestBody.length > MAX_REQUEST_BODY) {
                error(ex, 413, "PAYLOAD_TOO_LARGE", "request bodies are limited to " + MAX_REQUEST_BODY + " bytes");
                return;
            }
            boolean xmlRpc = path.equals(XML_RPC);
            String contentType = ex.getRequestHeaders().getFirst("Content-Type");
            if (!path.startsWith("/auth/") && !xmlRpc
                    && (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json"))) {
                missingContentType.incrementAndGet();
            }
            FailureRule injected = takeInjectedFailure(match);
            if (injected != null && (injected.stall != null || injected.cut)) {
                bodyFault.set(injected);
            } else if (injected != null) {
                answerInjected(ex, injected, method, path);
                return;
            }
            boolean loginNonce = method.equals("GET") && path.equals(LOGIN);
            boolean keycloak = path.startsWith("/auth/");
            if (!loginNonce && !keycloak && !xmlRpc && !"2".equals(ex.getRequestHeaders().getFirst("X-Version"))) {
                error(ex, 400, "VERSION_REQUIRED", "header X-Version: 2 is required");
                return;
            }
            route(ex, match, requestBody);
        } catch (RuntimeException e) {
            // A bug in the emulator should show up as a 500 in the test, not as a hung connection.
            try {
                bodyFault.remove();
                error(ex, 500, "EMULATOR_ERROR", String.valueOf(e));
            } catch (IOException ignored) {
                // the client went away
            }
        } finally {
            if (permit) {
                workers.release();
            }
            bodyFault.remove();
            answering();
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    }

    /** The answer to this thread's request starts now: it leaves the in-flight count (once). */
    private void answering() {
        boolean[] pending = unanswered.get();
        if (pending[0]) {
            pending[0] = false;
            inFlight.decrementAndGet();
        }
    }

    private void sendHeaders(HttpExchange ex, int status, long length) throws IOException {
        answering();
        ex.sendResponseHeaders(status, length);
    }

    private void answerInjected(HttpExchange ex, FailureRule injected, String method, String path) throws IOException {
        if (injected.oversized > 0) {
            streamOversized(ex, injected.oversized);
        } else if (injected.body != null) {
            byte[] bytes = injected.body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            sendHeaders(ex, injected.status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } else if (injected.retryAfter != null) {
            ex.getResponseHeaders().set("Retry-After", injected.retryAfter);
            error(ex, injected.status, "EMULATED_FAILURE", "failure with Retry-After injected by the test for " + method + " " + path);
        } else {
            error(ex, injected.status, "EMULATED_FAILURE", "failure injected by the test for " + method + " " + path);
        }
    }

    private void streamOversized(HttpExchange ex, long size) throws IOException {
        byte[] head = "{\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        ex.getResponseHeaders().set("Content-Type", "application/json");
        sendHeaders(ex, 200, 0); // chunked: no Content-Length to refuse early
        OutputStream out = ex.getResponseBody();
        try {
            out.write(head);
            faultBytes.addAndGet(head.length);
            long left = size - head.length - tail.length;
            while (left > 0) {
                int n = (int) Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                faultBytes.addAndGet(n);
                left -= n;
            }
            out.write(tail);
            faultBytes.addAndGet(tail.length);
            out.close();
        } catch (IOException e) {
            aborted.incrementAndGet();
            throw e;
        }
    }

    // The login endpoints need no token; every other endpoint answers 401 without a valid one, then 405 for a
    // known path with another method, 404 for an unknown path.
    private void route(HttpExchange ex, RouteTable.Match<Endpoint> match, byte[] body) throws IOException {
        String method = match.method();
        String path = match.path();
        if (path.startsWith("/auth/")) {
            // Keycloak's endpoints need no REST token; without a realm none exists.
            if (match.found()) {
                match.handler().answer(ex, match, body, null);
            } else {
                log.unhandled(method, path);
                oauthError(ex, 404, "not_found", "no such endpoint: " + path);
            }
            return;
        }
        if (path.equals(XML_RPC) && match.found()) {
            // XML-RPC takes the login in the query string, not a REST token (XmlRpcLogin)
            match.handler().answer(ex, match, body, null);
            return;
        }
        if (path.equals(LOGIN) && !nonceLogin) {
            log.unhandled(method, path);
            error(ex, 404, "NOT_FOUND", "no such resource: " + path);
            return;
        }
        if (path.equals(LOGIN)) {
            if (match.found()) {
                match.handler().answer(ex, match, body, null);
            } else {
                log.unhandled(method, path);
                methodNotAllowed(ex, method, path);
            }
            return;
        }
        Session session = authenticate(ex);
        if (session == null) {
            error(ex, 401, "UNAUTHORIZED", "missing, invalid or expired authToken or Bearer token");
            return;
        }
        if (match.found()) {
            match.handler().answer(ex, match, body, session);
        } else if (match.pathKnown()) {
            log.unhandled(method, path);
            methodNotAllowed(ex, method, path);
        } else {
            log.unhandled(method, path);
            error(ex, 404, "NOT_FOUND", "no such resource: " + path);
        }
    }

    private void listUsers(HttpExchange ex) throws IOException {
        String term = query(ex, "searchTerm");
        ArrayNode out = JSON.createArrayNode();
        synchronized (lock) {
            users.values().stream().filter(u -> u.matches(term)).forEach(u -> out.add(u.toJson()));
        }
        json(ex, 200, out);
    }

    private void me(HttpExchange ex, Session session) throws IOException {
        synchronized (lock) {
            UserState me = users.get(session.userId);
            json(ex, 200, me.toJson());
        }
    }

    private void user(HttpExchange ex, String idText) throws IOException {
        UserState u = userById(idText);
        if (u == null) {
            error(ex, 404, "NOT_FOUND", "no user with id " + idText);
            return;
        }
        synchronized (lock) {
            json(ex, 200, u.toJson());
        }
    }

    private void listGroups(HttpExchange ex) throws IOException {
        String term = query(ex, "searchTerm");
        ArrayNode out = JSON.createArrayNode();
        synchronized (lock) {
            for (GroupState g : groups.values()) {
                if (term == null || g.name.toLowerCase(Locale.ROOT).contains(term.toLowerCase(Locale.ROOT))) {
                    ObjectNode n = out.addObject();
                    n.put("id", g.id);
                    n.put("groupname", g.name);
                    n.put("groupexternalnumber", "");
                    n.put("groupinternalnumber", g.internalNumber);
                }
            }
        }
        json(ex, 200, out);
    }

    private void group(HttpExchange ex, String idText) throws IOException {
        ObjectNode n;
        synchronized (lock) {
            GroupState g = parseId(idText).map(groups::get).orElse(null);
            if (g == null) {
                n = null;
            } else {
                n = JSON.createObjectNode();
                n.put("id", g.id);
                n.put("name", g.name);
                n.put("groupId", g.internalNumber);
                n.put("chatGroup", false);
                n.put("voicemail", false);
                n.putArray("assignableNumbers");
                ArrayNode au = n.putArray("assignableUsers");
                for (UserState u : users.values()) {
                    ObjectNode a = au.addObject();
                    a.put("id", u.id);
                    a.put("firstname", u.firstName);
                    a.put("lastname", u.familyName);
                    a.put("assigned", g.members.contains(u.id));
                }
            }
        }
        if (n == null) {
            error(ex, 404, "NOT_FOUND", "no group with id " + idText);
        } else {
            json(ex, 200, n);
        }
    }

    private void loginNonce(HttpExchange ex) throws IOException {
        String nonce = randomToken(13);
        synchronized (lock) {
            nonces.put(nonce, serverLoginType);
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("loginType", serverLoginType.wireName());
        n.put("nonce", nonce);
        n.putNull("secret");
        json(ex, 200, n);
    }

    private void login(HttpExchange ex, byte[] body) throws IOException {
        JsonNode req = parse(body);
        if (req == null || !req.isObject() || !req.path("nonce").isTextual() || !req.path("secret").isTextual()
                || !req.path("loginType").isTextual()) {
            rejectedLogins.incrementAndGet();
            error(ex, 400, "BAD_REQUEST", "expected {\"loginType\",\"nonce\",\"secret\"}");
            return;
        }
        String nonce = req.get("nonce").asText();
        String secret = req.get("secret").asText();
        Optional<LoginType> announced;
        UserState user = null;
        synchronized (lock) {
            secretsSeen.add(secret);
            announced = Optional.ofNullable(nonces.remove(nonce)); // single use, even when the login fails
            if (announced.isPresent() && announced.get().wireName().equals(req.get("loginType").asText())) {
                for (UserState u : users.values()) {
                    LoginType type = u.loginType != null ? u.loginType : serverLoginType;
                    if (expectedSecret(type, u.login, u.password, nonce).equals(secret)) {
                        user = u;
                        break;
                    }
                }
            }
        }
        if (user == null) {
            rejectedLogins.incrementAndGet();
            // The reference: invalid login -> 400.
            error(ex, 400, "LOGIN_FAILED", announced.isEmpty() ? "unknown or already used nonce" : "invalid login");
            return;
        }
        String token = randomToken(24);
        synchronized (lock) {
            sessions.put(token, new Session(user.id, clock.instant(), "login-" + (++loginSessions)));
            tokensIssued.add(token);
        }
        logins.incrementAndGet();
        ObjectNode n = JSON.createObjectNode();
        n.put("token", token);
        json(ex, 200, n);
    }

    private void logout(HttpExchange ex) throws IOException {
        String token = ex.getRequestHeaders().getFirst("authToken");
        Session removed;
        synchronized (lock) {
            removed = token == null ? null : sessions.remove(token);
        }
        if (removed == null) {
            error(ex, 401, "UNAUTHORIZED", "missing, invalid or expired authToken");
            return;
        }
        sendHeaders(ex, 204, -1);
    }

    // ---- OAuth (Keycloak realm `pbx`)

    private void discovery(HttpExchange ex) throws IOException {
        String issuer = baseUrl + REALM;
        ObjectNode n = JSON.createObjectNode();
        n.put("issuer", issuer);
        n.put("authorization_endpoint", issuer + "/protocol/openid-connect/auth");
        n.put("token_endpoint", baseUrl + realm.tokenPath());
        n.put("revocation_endpoint", baseUrl + REVOKE);
        n.put("end_session_endpoint", issuer + "/protocol/openid-connect/logout");
        ArrayNode grants = n.putArray("grant_types_supported");
        List.of("authorization_code", "implicit", "refresh_token", "password", "client_credentials").forEach(grants::add);
        ArrayNode scopes = n.putArray("scopes_supported");
        scopes.add("openid");
        realm.scopes().forEach(scopes::add);
        ArrayNode methods = n.putArray("token_endpoint_auth_methods_supported");
        methods.add("client_secret_post");
        methods.add("client_secret_basic");
        json(ex, 200, n);
    }

    private void token(HttpExchange ex, byte[] body) throws IOException {
        Map<String, String> form = form(ex, body);
        String grant = form.getOrDefault("grant_type", "");
        OAuthToken basis = null;
        int userId = -1;
        String rejectStatus = null;
        synchronized (lock) {
            String secret = form.get("client_secret");
            if (secret != null) {
                secretsSeen.add(secret);
            }
            if (form.containsKey("password")) {
                secretsSeen.add(form.get("password"));
            }
            if (!realm.clientId().equals(form.get("client_id"))) {
                rejectStatus = "invalid_client";
            } else if (!clientSecret.equals(secret)) {
                rejectStatus = "unauthorized_client";
            } else if (grant.equals("password")) {
                String scope = form.get("scope");
                if (scope != null && !scope.isBlank() && !scopesAccepted(scope)) {
                    rejectStatus = "invalid_scope";
                } else {
                    for (UserState u : users.values()) {
                        if (u.login.equals(form.get("username")) && u.password.equals(form.get("password"))) {
                            userId = u.id;
                        }
                    }
                    rejectStatus = userId < 0 ? "invalid_user" : null;
                }
            } else if (grant.equals("refresh_token")) {
                String refresh = form.getOrDefault("refresh_token", "");
                OAuthToken t = refreshTokens.get(refresh);
                if (t != null && !clock.instant().isBefore(t.issuedAt().plus(refreshTokenLifetime))) {
                    refreshTokens.remove(refresh);
                    t = null;
                }
                if (t == null || !users.containsKey(t.userId())) {
                    rejectStatus = "invalid_refresh";
                } else {
                    basis = t;
                    userId = t.userId();
                }
            } else {
                rejectStatus = "unsupported_grant_type";
            }
        }
        if (rejectStatus != null) {
            rejectedTokenRequests.incrementAndGet();
            switch (rejectStatus) {
                case "invalid_client" -> oauthError(ex, 401, "invalid_client", "Invalid client or Invalid client credentials");
                case "unauthorized_client" -> oauthError(ex, 401, "unauthorized_client", "Invalid client or Invalid client credentials");
                case "invalid_scope" -> oauthError(ex, 400, "invalid_scope", "Invalid scopes: " + form.get("scope"));
                case "invalid_user" -> oauthError(ex, 401, "invalid_grant", "Invalid user credentials");
                case "invalid_refresh" -> oauthError(ex, 400, "invalid_grant", "Token is not active");
                default -> oauthError(ex, 400, "unsupported_grant_type", "Unsupported grant_type");
            }
            return;
        }
        String access = randomToken(32);
        String refresh = randomToken(32);
        String grantId = basis != null ? basis.grantId() : randomToken(8);
        long accessSeconds;
        long refreshSeconds;
        synchronized (lock) {
            Instant now = clock.instant();
            accessTokens.put(access, new OAuthToken(userId, now, grantId));
            refreshTokens.put(refresh, new OAuthToken(userId, now, grantId));
            tokensIssued.add(access);
            tokensIssued.add(refresh);
            accessSeconds = accessTokenLifetime.toSeconds();
            refreshSeconds = refreshTokenLifetime.toSeconds();
        }
        (basis == null ? passwordGrants : refreshGrants).incrementAndGet();
        ObjectNode n = JSON.createObjectNode();
        n.put("access_token", access);
        n.put("expires_in", accessSeconds);
        n.put("refresh_expires_in", refreshSeconds);
        n.put("refresh_token", refresh);
        n.put("token_type", "Bearer");
        n.put("not-before-policy", 0);
        n.put("session_state", grantId);
        n.put("scope", form.getOrDefault("scope", String.join(" ", realm.scopes())));
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        json(ex, 200, n);
    }

    private boolean scopesAccepted(String scope) {
        for (String s : scope.strip().split("\\s+")) {
            if (!s.equals("openid") && !realm.scopes().contains(s)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 7009: 200 whether or not the token was known; the whole grant (access tokens too) ends. */
    private void revoke(HttpExchange ex, byte[] body) throws IOException {
        Map<String, String> form = form(ex, body);
        synchronized (lock) {
            if (!realm.clientId().equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
                rejectedTokenRequests.incrementAndGet();
                oauthError(ex, 401, "unauthorized_client", "Invalid client or Invalid client credentials");
                return;
            }
            String token = form.getOrDefault("token", "");
            OAuthToken t = refreshTokens.get(token);
            if (t == null) {
                t = accessTokens.get(token);
            }
            if (t != null) {
                String grantId = t.grantId();
                refreshTokens.values().removeIf(x -> x.grantId().equals(grantId));
                accessTokens.values().removeIf(x -> x.grantId().equals(grantId));
            }
        }
        sendHeaders(ex, 200, -1);
    }

    /** A form-encoded body; a body of another content type gives an empty map (and then an OAuth error). */
    private static Map<String, String> form(HttpExchange ex, byte[] body) {
        Map<String, String> out = new LinkedHashMap<>();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return out;
        }
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.putIfAbsent(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private void oauthError(HttpExchange ex, int status, String error, String description) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", error);
        n.put("error_description", description);
        json(ex, status, n);
    }

    private void phoneConfig(HttpExchange ex, String method, String idText, byte[] body) throws IOException {
        phoneConfig(ex, method, idText, body, null);
    }

    private void phoneConfig(HttpExchange ex, String method, String idText, byte[] body, Session session)
            throws IOException {
        UserState u = userById(idText);
        if (u == null) {
            error(ex, 404, "NOT_FOUND", "no user with id " + idText);
            return;
        }
        switch (method) {
            case "GET" -> {
                ObjectNode n = JSON.createObjectNode();
                synchronized (lock) {
                    n.put("callWaiting", u.callWaiting);
                    n.put("displayNumberId", u.displayNumberId);
                    n.put("doNotDisturb", u.doNotDisturb);
                    n.put("primaryPhoneId", u.primaryPhoneId);
                }
                json(ex, 200, n);
            }
            case "PUT" -> {
                JsonNode req = parse(body);
                if (req == null || !req.isObject()) {
                    error(ex, 400, "BAD_REQUEST", "body must be a phoneconfig object");
                    return;
                }
                for (String field : List.of("callWaiting", "displayNumberId", "doNotDisturb", "primaryPhoneId")) {
                    if (!req.has(field)) {
                        error(ex, 400, "BAD_REQUEST", "phoneconfig field \"" + field + "\" is missing");
                        return;
                    }
                }
                if (!req.get("callWaiting").isBoolean() || !req.get("doNotDisturb").isBoolean()
                        || !req.get("displayNumberId").isIntegralNumber() || !req.get("primaryPhoneId").isIntegralNumber()) {
                    error(ex, 400, "BAD_REQUEST", "phoneconfig fields have the wrong types");
                    return;
                }
                synchronized (lock) {
                    u.callWaiting = req.get("callWaiting").booleanValue();
                    u.displayNumberId = req.get("displayNumberId").intValue();
                    u.primaryPhoneId = req.get("primaryPhoneId").intValue();
                    setDnd(u, req.get("doNotDisturb").booleanValue(), DndSource.API);
                    if (phoneConfigWrites.size() < MAX_RECORDED_WRITES) {
                        phoneConfigWrites.add(new PhoneConfigWrite(clock.instant(), u.login, u.doNotDisturb,
                                session == null ? null : session.id()));
                    }
                }
                sendHeaders(ex, 204, -1);
            }
            default -> methodNotAllowed(ex, method, ex.getRequestURI().getPath());
        }
    }

    private Session authenticate(HttpExchange ex) {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && realm != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String bearer = authorization.substring(7).strip();
            synchronized (lock) {
                OAuthToken t = accessTokens.get(bearer);
                if (t == null) {
                    return null;
                }
                if (!clock.instant().isBefore(t.issuedAt().plus(accessTokenLifetime))) {
                    accessTokens.remove(bearer);
                    return null;
                }
                return new Session(t.userId(), t.issuedAt(), "grant-" + t.grantId());
            }
        }
        String token = ex.getRequestHeaders().getFirst("authToken");
        if (token == null) {
            return null;
        }
        synchronized (lock) {
            Session s = sessions.get(token);
            if (s == null) {
                return null;
            }
            if (!clock.instant().isBefore(s.issuedAt.plus(tokenLifetime))) {
                sessions.remove(token);
                return null;
            }
            return s;
        }
    }

    private FailureRule takeInjectedFailure(RouteTable.Match<Endpoint> match) {
        return failureRules.take(match).orElse(null);
    }

    // ---- helpers (callers hold `lock` where they touch state)

    private void setDnd(UserState u, boolean on, DndSource source) {
        if (u.doNotDisturb != on) {
            u.doNotDisturb = on;
            dndChanges.add(new DndChange(clock.instant(), u.id, u.login, on, source));
            if (bridge != null) {
                bridge.dndChanged(u.id, on); // STARFACE's DND-changed event, whoever changed it
            }
        }
    }

    private UserState byIdOrThrow(int id) {
        UserState u = users.get(id);
        if (u == null) {
            throw new IllegalArgumentException("no emulated user with id " + id);
        }
        return u;
    }

    private UserState find(String loginOrId) {
        for (UserState u : users.values()) {
            if (u.login.equals(loginOrId)) {
                return u;
            }
        }
        UserState byId = parseId(loginOrId).map(users::get).orElse(null);
        if (byId == null) {
            throw new IllegalArgumentException("no emulated user with login or id \"" + loginOrId + "\"");
        }
        return byId;
    }

    private UserState userById(String idText) {
        synchronized (lock) {
            return parseId(idText).map(users::get).orElse(null);
        }
    }

    private static Optional<Integer> parseId(String text) {
        try {
            return Optional.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static String expectedSecret(LoginType type, String login, String password, String nonce) {
        return switch (type) {
            case INTERNAL -> login + ":" + sha512Hex(login + nonce + sha512Hex(password));
            case ACTIVE_DIRECTORY -> Base64.getEncoder().encodeToString((login + nonce + password).getBytes(StandardCharsets.UTF_8));
        };
    }

    private static String sha512Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String query(HttpExchange ex, String name) {
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                return v.isEmpty() ? null : v;
            }
        }
        return null;
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        send(ex, status, "application/json", bytes);
    }

    /**
     * {@code POST /xml-rpc}: STARFACE's XML-RPC interface. The login is a query parameter
     * ({@link dev.teamsconnect.starface.bridge.XmlRpcLogin}): {@code de.vertico.starface.auth} of a user of this PBX,
     * or with OAuth an access token as {@code de.vertico.starface.jwt}; without a valid one HTTP 401 (what STARFACE
     * answers then is not in public sources). The method is answered by the bridge module if one is installed
     * ({@code Builder.bridge}); without it, or for another instance name, with a fault.
     */
    private void xmlRpc(HttpExchange ex, byte[] body) throws IOException {
        if (!xmlRpcLoginValid(ex.getRequestURI().getRawQuery())) {
            error(ex, 401, "UNAUTHORIZED", "missing or invalid de.vertico.starface.auth or de.vertico.starface.jwt");
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        String answer;
        if (bridge != null) {
            answer = bridge.answer(text);
        } else {
            String method;
            try {
                method = dev.teamsconnect.starface.bridge.XmlRpc.parseCall(text).method();
            } catch (IllegalArgumentException e) {
                method = "(malformed)";
            }
            answer = dev.teamsconnect.starface.bridge.XmlRpc.fault(
                    dev.teamsconnect.starface.bridge.BridgeProtocol.FAULT_UNKNOWN_METHOD, "no module instance declares " + method);
        }
        send(ex, 200, "text/xml; charset=UTF-8", answer.getBytes(StandardCharsets.UTF_8));
    }

    private boolean xmlRpcLoginValid(String rawQuery) {
        String auth = null;
        String jwt = null;
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equals(dev.teamsconnect.starface.bridge.XmlRpcLogin.AUTH_PARAMETER)) {
                    auth = value;
                } else if (name.equals(dev.teamsconnect.starface.bridge.XmlRpcLogin.JWT_PARAMETER)) {
                    jwt = value;
                }
            }
        }
        synchronized (lock) {
            if (jwt != null && realm != null) {
                OAuthToken t = accessTokens.get(jwt);
                return t != null && clock.instant().isBefore(t.issuedAt().plus(accessTokenLifetime));
            }
            if (auth == null) {
                return false;
            }
            int colon = auth.indexOf(':');
            String login = colon < 0 ? auth : auth.substring(0, colon);
            for (UserState u : users.values()) {
                if (u.login.equals(login)) {
                    return java.security.MessageDigest.isEqual(
                            dev.teamsconnect.starface.bridge.XmlRpcLogin.authValue(u.login, u.password).getBytes(StandardCharsets.UTF_8),
                            auth.getBytes(StandardCharsets.UTF_8));
                }
            }
            return false;
        }
    }

    /** Sends a body, honouring a scripted body fault (stall or cut half-way). */
    private void send(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        sendHeaders(ex, status, bytes.length);
        FailureRule fault = bodyFault.get();
        if (fault == null) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
            return;
        }
        bodyFault.remove();
        OutputStream out = ex.getResponseBody();
        int half = bytes.length / 2;
        try {
            out.write(bytes, 0, half);
            out.flush();
            if (fault.cut) {
                // Closing the exchange short of its Content-Length makes the JDK server drop the connection.
                throw new IOException("connection cut in the middle of the body by cutBodyNext");
            }
            try {
                sleep(fault.stall);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("stall interrupted (emulator closing)", e);
            }
            out.write(bytes, half, bytes.length - half);
            out.close();
        } catch (IOException e) {
            if (!fault.cut) {
                aborted.incrementAndGet();
            }
            throw e;
        }
    }

    private void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("code", code);
        n.put("message", message);
        json(ex, status, n);
    }

    private void methodNotAllowed(HttpExchange ex, String method, String path) throws IOException {
        error(ex, 405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path);
    }

    // ---- state types

    private static final class UserState {
        final int id;
        final String login;
        final String password;
        final String email;
        final String firstName;
        final String familyName;
        final LoginType loginType;
        boolean callWaiting = true;
        int displayNumberId;
        boolean doNotDisturb;
        int primaryPhoneId;

        UserState(int id, UserSeed s) {
            this.id = id;
            this.login = s.login();
            this.password = s.password();
            this.email = s.email();
            this.firstName = s.firstName() == null ? "" : s.firstName();
            this.familyName = s.familyName() == null ? "" : s.familyName();
            this.loginType = s.loginType();
            this.doNotDisturb = s.dnd();
            this.displayNumberId = 1000 + id;
            this.primaryPhoneId = 2000 + id;
        }

        boolean matches(String term) {
            if (term == null) {
                return true;
            }
            String t = term.toLowerCase(Locale.ROOT);
            return (login + " " + firstName + " " + familyName + " " + (email == null ? "" : email))
                    .toLowerCase(Locale.ROOT).contains(t);
        }

        ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("id", id);
            n.put("login", login);
            n.put("firstName", firstName);
            n.put("familyName", familyName);
            if (email == null) {
                n.putNull("email");
            } else {
                n.put("email", email);
            }
            n.put("language", "de");
            n.put("namespace", "");
            n.put("personId", "person-" + id);
            n.put("faxCallerId", "");
            n.put("faxHeader", "");
            n.put("faxCoverPage", false);
            n.put("faxEmailJournal", false);
            n.put("missedCallReport", false);
            n.put("password", ""); // empty on GET, per the reference
            return n;
        }
    }

    private record GroupState(int id, String name, String internalNumber, Set<Integer> members) {
    }

    private record Session(int userId, Instant issuedAt, String id) {
    }

    private record OAuthRealm(String clientId, String tokenPath, List<String> scopes) {
    }

    /** An OAuth access or refresh token; {@code grantId} ties the tokens of one password grant and its refreshes. */
    private record OAuthToken(int userId, Instant issuedAt, String grantId) {
    }

    private static final class FailureRule {
        final int status;
        final String body;
        String retryAfter;
        Duration stall;
        boolean cut;
        long oversized;

        FailureRule(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    // =====================================================================================================

    /** Builds and starts a {@link StarfaceEmulator}. Not thread-safe; use once. */
    public static final class Builder {
        private String bridgeInstance;
        private String bridgeSecret;
        private int bridgeEventCapacity = 10_000;
        private final List<UserSeed> users = new ArrayList<>();
        private final Map<String, List<String>> groups = new LinkedHashMap<>();
        private LoginType loginType = LoginType.INTERNAL;
        private Clock clock = Clock.systemUTC();
        private Duration tokenLifetime = Duration.ofHours(4);
        private Duration latency = Duration.ZERO;
        private boolean https;
        private SelfSignedCertificate certificate;
        private int threads = 8;
        private boolean threadsSet;
        private int workers;
        private Duration serviceTime = Duration.ZERO;
        private boolean nonceLogin = true;
        private String oauthClientId = DEFAULT_CLIENT_ID;
        private String oauthClientSecret;
        private String oauthTokenPath = KEYCLOAK_TOKEN_PATH;
        private List<String> oauthScopes = List.of("login");
        private Duration accessTokenLifetime = Duration.ofSeconds(300);
        private Duration refreshTokenLifetime = Duration.ofHours(6);

        private Builder() {
        }

        /**
         * Offers STARFACE 10's OAuth (a Keycloak realm {@code pbx}) with the client {@value #DEFAULT_CLIENT_ID} and
         * this client secret (the one the admin UI shows under Server, Status, REST-API).
         */
        public Builder oauth(String clientSecret) {
            return oauth(DEFAULT_CLIENT_ID, clientSecret);
        }

        /** Offers OAuth with this client id and secret. */
        public Builder oauth(String clientId, String clientSecret) {
            if (clientId == null || clientId.isBlank() || clientSecret == null || clientSecret.isEmpty()) {
                throw new IllegalArgumentException("oauth needs a client id and a non-empty client secret");
            }
            this.oauthClientId = clientId;
            this.oauthClientSecret = clientSecret;
            return this;
        }

        /**
         * The token endpoint's path, announced in the discovery document (default {@link #KEYCLOAK_TOKEN_PATH};
         * {@link #THIRD_PARTY_TOKEN_PATH} is the other one the sources name).
         */
        public Builder oauthTokenPath(String path) {
            if (path == null || !path.startsWith(REALM + "/") || path.equals(DISCOVERY) || path.equals(REVOKE)) {
                throw new IllegalArgumentException("oauthTokenPath must be a path below " + REALM + "/, but was " + path);
            }
            this.oauthTokenPath = path;
            return this;
        }

        /** The scopes the realm accepts and lists in {@code scopes_supported} (default {@code login}; {@code openid} always). */
        public Builder oauthScopes(String... scopes) {
            this.oauthScopes = List.of(scopes);
            return this;
        }

        /** Lifetime of OAuth access tokens (default 300 s, per the reference). */
        public Builder accessTokenLifetime(Duration lifetime) {
            this.accessTokenLifetime = requirePositive("accessTokenLifetime", lifetime);
            return this;
        }

        /** Lifetime of OAuth refresh tokens (default 6 hours, per the reference). */
        public Builder refreshTokenLifetime(Duration lifetime) {
            this.refreshTokenLifetime = requirePositive("refreshTokenLifetime", lifetime);
            return this;
        }

        /** No nonce login: every {@code /rest/login} request answers 404 (as STARFACE 11 is said to do). */
        public Builder withoutNonceLogin() {
            this.nonceLogin = false;
            return this;
        }

        /** Adds a user who logs in with the emulator-wide login type. Ids are assigned 1, 2, ... in order. */
        public Builder user(String login, String password, String email, String firstName, String familyName, boolean dnd) {
            return user(new UserSeed(login, password, email, firstName, familyName, dnd, null));
        }

        public Builder user(UserSeed seed) {
            users.add(seed);
            return this;
        }

        /** Adds a group; members are user logins added before {@link #start()}. */
        public Builder group(String name, String... memberLogins) {
            groups.put(name, List.of(memberLogins));
            return this;
        }

        /** The login type {@code GET /rest/login} announces (default {@link LoginType#INTERNAL}). */
        /**
         * Installs the TeamsConnect bridge module: {@code instance} is its instance name (the first part of the
         * XML-RPC method names), {@code secret} the secret set in that instance (at least 16 characters).
         */
        public Builder bridge(String instance, String secret) {
            this.bridgeInstance = java.util.Objects.requireNonNull(instance, "instance");
            this.bridgeSecret = java.util.Objects.requireNonNull(secret, "secret");
            return this;
        }

        /** How many events the bridge keeps (default 10,000); older ones are dropped and readers told so. */
        public Builder bridgeEventCapacity(int capacity) {
            this.bridgeEventCapacity = capacity;
            return this;
        }

        public Builder loginType(LoginType type) {
            this.loginType = type;
            return this;
        }

        /** The clock for token expiry and DND change times (default the system clock). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Token lifetime (default 4 hours, per the reference). */
        public Builder tokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        /** Latency added to every request (default none). */
        public Builder latency(Duration latency) {
            this.latency = latency;
            return this;
        }

        /** Serve HTTPS with a freshly generated self-signed certificate for localhost / 127.0.0.1. */
        public Builder https() {
            this.https = true;
            return this;
        }

        /** Serve HTTPS with the given certificate. */
        public Builder https(SelfSignedCertificate certificate) {
            this.https = true;
            this.certificate = certificate;
            return this;
        }

        /** Size of the request-serving thread pool (default 8, or 256 with a {@link #capacity}). */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
            }
            this.threads = threads;
            this.threadsSet = true;
            return this;
        }

        /**
         * A PBX of limited capacity: {@code workers} workers, each serving one request at a time for
         * {@code serviceTime} (really waiting); requests beyond that queue in arrival order. The {@link #latency}
         * stays extra, outside the workers. Unless {@link #threads} is set, the server then has 256 threads, so
         * queued requests really wait in the queue.
         */
        public Builder capacity(int workers, Duration serviceTime) {
            if (workers < 1) {
                throw new IllegalArgumentException("capacity needs workers >= 1, but was " + workers);
            }
            if (serviceTime == null || serviceTime.isNegative()) {
                throw new IllegalArgumentException("capacity needs a serviceTime >= 0, but was " + serviceTime);
            }
            this.workers = workers;
            this.serviceTime = serviceTime;
            return this;
        }

        /**
         * Adds users and groups from a JSON file:
         * <pre>{@code
         * {"loginType": "Internal",
         *  "users":  [{"login":"0001","password":"foobar","email":"ann@example.com","firstName":"Ann",
         *              "familyName":"Lee","dnd":false,"loginType":"ActiveDirectory"}],
         *  "groups": [{"name":"Sales","members":["0001"]}]}
         * }</pre>
         * {@code loginType} (top level and per user), {@code email}, names and {@code dnd} are optional.
         */
        public Builder seed(Path jsonFile) {
            JsonNode root;
            try (InputStream in = Files.newInputStream(jsonFile)) {
                root = JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read STARFACE emulator seed " + jsonFile + ": " + e.getMessage(), e);
            }
            Supplier<String> where = jsonFile::toString;
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException(where.get() + ": must be a JSON object");
            }
            if (root.hasNonNull("loginType")) {
                loginType = loginTypeOf(where.get() + ": loginType", root.get("loginType").asText());
            }
            int i = 0;
            for (JsonNode u : root.path("users")) {
                String at = where.get() + ": users[" + i++ + "]";
                if (!u.path("login").isTextual() || !u.path("password").isTextual()) {
                    throw new IllegalArgumentException(at + " needs string fields login and password");
                }
                user(new UserSeed(u.get("login").asText(), u.get("password").asText(), text(u, "email"),
                        text(u, "firstName"), text(u, "familyName"), u.path("dnd").asBoolean(false),
                        u.hasNonNull("loginType") ? loginTypeOf(at + ".loginType", u.get("loginType").asText()) : null));
            }
            i = 0;
            for (JsonNode g : root.path("groups")) {
                String at = where.get() + ": groups[" + i++ + "]";
                if (!g.path("name").isTextual()) {
                    throw new IllegalArgumentException(at + " needs a string field name");
                }
                List<String> members = new ArrayList<>();
                g.path("members").forEach(m -> members.add(m.asText()));
                group(g.get("name").asText(), members.toArray(String[]::new));
            }
            return this;
        }

        private static String text(JsonNode n, String field) {
            return n.hasNonNull(field) ? n.get(field).asText() : null;
        }

        private static LoginType loginTypeOf(String where, String wire) {
            return LoginType.fromWire(wire).orElseThrow(() ->
                    new IllegalArgumentException(where + " must be Internal or ActiveDirectory, but was \"" + wire + "\""));
        }

        /** Starts the server on a free port of 127.0.0.1. */
        public StarfaceEmulator start() {
            return new StarfaceEmulator(this);
        }
    }
}
