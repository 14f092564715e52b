package dev.teamsconnect.testkit.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.retry.RetryAfter;
import dev.teamsconnect.testkit.emulator.EmulatorServer;
import dev.teamsconnect.testkit.emulator.RequestLog;
import dev.teamsconnect.testkit.emulator.RouteTable;
import dev.teamsconnect.testkit.emulator.ScriptedFaults;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An in-process, stateful emulator of the Microsoft identity platform (the parts msal4j uses) and of the
 * Microsoft Graph presence and user endpoints, over HTTPS on a free port of 127.0.0.1 with a certificate it
 * generates. The real msal4j and the real Graph SDK talk to it.
 *
 * <p>Identity: {@code POST /{tenant}/oauth2/v2.0/token} (client_credentials with secret or client assertion,
 * password, refresh_token, device_code), {@code POST /{tenant}/oauth2/v2.0/devicecode},
 * {@code GET /common/userrealm/{user}}. Graph: {@code GET /v1.0/users} ($select, $top &le; 999,
 * {@code $filter=accountEnabled eq true|false}, {@code @odata.nextLink} paging), {@code GET /v1.0/users/delta}
 * (nextLink/deltaLink paging, {@code $deltatoken=latest}, {@code @removed}; {@link #expireDeltaTokens} makes old
 * tokens answer {@code syncStateNotFound}),
 * {@code POST /v1.0/communications/getPresencesByUserId} (400 above 650 ids),
 * {@code GET /v1.0/users/{id}/presence}, {@code GET /v1.0/communications/presences/{id}}, and the app presence
 * sessions: {@code POST /v1.0/users/{id}/presence/setPresence} and {@code .../clearPresence} (see
 * {@link #SET_PRESENCE}; validation, expiry and the aggregate presence as Microsoft documents them), every request
 * recorded with its time ({@link #presenceWrites()}).
 * Access tokens are JWT-shaped and carry the app's permissions ({@link #grantPermissions}) in {@code roles} or
 * {@code scp}; Graph endpoints answer 403 without the permission they need. Presence endpoints are throttled per app with a sliding window and answer 429 with {@code Retry-After}.
 *
 * <p>Faults, per key (a path or template, optionally after a method: {@code "GET /v1.0/users/{id}/presence"}) and
 * queued in order: {@link #failNext} (a status, optionally a Retry-After),
 * {@link #failNextWithRetryAfter} (any header value, absurd ones too), {@link #respondNext} (any body),
 * {@link #dropNext} (connection reset), {@link #oversizedBodyNext} (a streamed body of any size) and
 * {@link #stallBodyNext} (a body that stops); for all Graph requests {@link #refuseAllAccessTokens}; for the user
 * list {@code usersNextLink...} (a nextLink to anywhere, to the same page, or without end).
 *
 * <p>Built on the emulator kernel ({@link dev.teamsconnect.testkit.emulator}): endpoints are a route table behind
 * one dispatcher, which counts every request ({@link #requestCount}) and applies the token check, the rate limit,
 * the scripted faults and the latency.
 *
 * <p>Threading: all test hooks are thread-safe and may be called while requests are served. Start with
 * {@link #builder()}{@code .start()}; {@link #close()} stops the server.
 */
public final class GraphEmulator implements AutoCloseable {

    /** Path of the presence batch endpoint, for {@link #requestCount(String)} and {@link #failNext}. */
    public static final String PRESENCES_BY_USER_ID = "/v1.0/communications/getPresencesByUserId";
    /** Path of the user list endpoint. */
    public static final String USERS = "/v1.0/users";
    /** The most ids Graph accepts in one getPresencesByUserId request. */
    public static final int MAX_IDS_PER_REQUEST = 650;
    /** The largest page size of /users. */
    public static final int MAX_PAGE_SIZE = 999;
    /** Path of the users delta function (the short form Graph also puts into its links). */
    public static final String USERS_DELTA = "/v1.0/users/delta";
    /**
     * The permissions a registered app has unless {@link Builder#defaultPermissions} or {@link #grantPermissions} say
     * otherwise: the two the reads need and {@code Presence.ReadWrite.All} for the app presence sessions.
     */
    public static final Set<String> DEFAULT_PERMISSIONS = Set.of("Presence.Read.All", "User.Read.All", "Presence.ReadWrite.All");
    /** The permissions of a read-only app: {@link #DEFAULT_PERMISSIONS} without {@code Presence.ReadWrite.All}. */
    public static final Set<String> READ_PERMISSIONS = Set.of("Presence.Read.All", "User.Read.All");
    /**
     * Endpoint of setPresence, for {@link #failNext} and {@link #requestCount}. Microsoft's page: body
     * {@code {sessionId, availability, activity, expirationDuration}}; {@code sessionId} is the app's id; only the
     * pairs Available/Available, Busy/InACall, Busy/InAConferenceCall, Away/Away, DoNotDisturb/Presenting;
     * {@code expirationDuration} PT5M..PT4H, 5 minutes when absent; application permission
     * {@code Presence.ReadWrite.All} (delegated {@code Presence.ReadWrite}). The emulator answers 400 to anything
     * else, 404 for an unknown user, 200 with no body when accepted.
     */
    public static final String SET_PRESENCE = "POST /v1.0/users/{id}/presence/setPresence";
    /**
     * Endpoint of clearPresence: body {@code {sessionId}}; 200 when the app's session was cleared, 404 when it does
     * not exist (Microsoft's page: "If the presence session doesn't exist, this method returns a 404 NotFound").
     */
    public static final String CLEAR_PRESENCE = "POST /v1.0/users/{id}/presence/clearPresence";
    /** setPresence without {@code expirationDuration}: Microsoft documents a default of 5 minutes. */
    public static final Duration DEFAULT_SESSION = Duration.ofMinutes(5);
    private static final Duration MIN_SESSION = Duration.ofMinutes(5);
    private static final Duration MAX_SESSION = Duration.ofHours(4);
    private static final Map<String, Set<String>> ALLOWED_PAIRS = Map.of(
            "Available", Set.of("Available"),
            "Busy", Set.of("InACall", "InAConferenceCall"),
            "Away", Set.of("Away"),
            "DoNotDisturb", Set.of("Presenting"));
    // Microsoft's permission reference: each of these allows GET /users (and /users/delta); the least one is first.
    private static final Set<String> USER_READ = Set.of("User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
            "Directory.ReadWrite.All");
    private static final Set<String> PRESENCE_READ = Set.of("Presence.Read.All", "Presence.ReadWrite.All");
    // Microsoft does not document the page size of users delta; the emulator uses the /users default.
    private static final int DELTA_PAGE_SIZE = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> USER_FIELDS = Set.of("id", "displayName", "mail", "userPrincipalName",
            "accountEnabled", "givenName", "surname");
    // What Graph returns for a user without $select (accountEnabled is not among them).
    private static final List<String> DEFAULT_USER_FIELDS = List.of("id", "displayName", "mail", "userPrincipalName",
            "givenName", "surname");

    private final Object lock = new Object();
    private final SecureRandom random = new SecureRandom();
    private final String tenantId;
    private final Clock clock;
    private final SelfSignedCertificate serverCert;
    private static SelfSignedCertificate sharedServerCert;
    private final EmulatorServer server;
    private final RouteTable<Endpoint> routes = new RouteTable<>();
    private final RequestLog log = new RequestLog();

    private Duration tokenLifetime;
    private int rateLimit;
    private Duration rateWindow;
    private int deviceCodeInterval;
    private volatile Duration graphLatency;
    private int autoApproveAfterPolls;
    private String autoApproveMail;

    private final Map<String, Client> clients = new HashMap<>();
    private final Map<String, Set<String>> permissions = new HashMap<>();
    private final Set<String> defaultPermissions;
    private final List<PresenceWrite> writes = new ArrayList<>();
    private final List<Tombstone> tombstones = new ArrayList<>();
    private long directoryVersion;
    private int deltaGeneration;
    private int expiredDeltaStatus = 410;
    private final Map<String, UserState> users = new LinkedHashMap<>();
    private final Map<String, Token> accessTokens = new HashMap<>();
    private final Map<String, Token> refreshTokens = new HashMap<>();
    private final Map<String, DeviceCodeState> deviceCodes = new LinkedHashMap<>();
    private final ScriptedFaults<Failure> failures = new ScriptedFaults<>();
    private final Map<String, String> rawPresenceJson = new HashMap<>();
    private final Map<String, Integer> grantCounts = new LinkedHashMap<>();
    private final Map<String, Deque<Long>> windows = new HashMap<>();
    private final Map<String, Long> throttledUntil = new HashMap<>();
    private final List<EarlyRequest> early = new ArrayList<>();
    private final List<PresenceChange> changes = new ArrayList<>();
    private final List<String> usersQueries = new ArrayList<>();
    private final List<String> issuedSecrets = new ArrayList<>();
    private int largestIdList;
    private int tooManyRequests;
    private int rejectListsLargerThan = Integer.MAX_VALUE;
    private volatile boolean refuseAccessTokens;
    private NextLinkMode nextLinkMode = NextLinkMode.NORMAL;
    private String nextLinkTarget;

    private enum NextLinkMode { NORMAL, POINTS_TO, SAME_PAGE, NEVER_ENDS }

    /** Writes a streamed answer body. */
    @FunctionalInterface
    private interface BodyStream {
        void write(java.io.OutputStream out) throws IOException;
    }
    private long sequence;
    private String lastUserCode;

    /** Answers one request to an endpoint of {@link #routes}. */
    @FunctionalInterface
    private interface Endpoint {
        Response answer(Request request);
    }

    private record Request(RouteTable.Match<Endpoint> match, Map<String, String> query, String body, Token token,
            long arrived) {
        Request(RouteTable.Match<Endpoint> match, Map<String, String> query, String body) {
            this(match, query, body, null, 0);
        }

        Request with(Token t, long nanos) {
            return new Request(match, query, body, t, nanos);
        }
    }

    private GraphEmulator(Builder b) {
        this.tenantId = b.tenantId;
        this.clock = b.clock;
        this.tokenLifetime = b.tokenLifetime;
        this.graphLatency = b.latency;
        this.rateLimit = b.rateLimit;
        this.rateWindow = b.rateWindow;
        this.deviceCodeInterval = b.deviceCodeInterval;
        this.autoApproveAfterPolls = b.autoApproveAfterPolls;
        this.autoApproveMail = b.autoApproveMail;
        this.defaultPermissions = Set.copyOf(b.defaultPermissions);
        this.serverCert = serverCertificate();
        routes.add("POST", "/{tenant}/oauth2/v2.0/token", r -> token(parseForm(r.body)))
                .add("POST", "/{tenant}/oauth2/v2.0/devicecode", r -> deviceCode(parseForm(r.body)))
                .add("GET", "/{realm}/userrealm/{user}", r -> userRealm(URLDecoder.decode(r.match.param("user"), StandardCharsets.UTF_8)))
                .add("GET", USERS, r -> listUsers(r.query))
                .add("GET", USERS_DELTA, r -> usersDelta(r.query))
                .add("GET", "/v1.0/users/microsoft.graph.delta()", r -> usersDelta(r.query))
                .add("POST", PRESENCES_BY_USER_ID, r -> presencesByUserId(r.body))
                .add("GET", "/v1.0/users/{id}/presence", r -> onePresence(r.match.param("id")))
                .add("POST", "/v1.0/users/{id}/presence/setPresence", r -> presenceWrite(r, PresenceWrite.Kind.SET))
                .add("POST", "/v1.0/users/{id}/presence/clearPresence", r -> presenceWrite(r, PresenceWrite.Kind.CLEAR))
                .add("GET", "/v1.0/communications/presences/{id}", r -> onePresence(r.match.param("id")));
        this.server = EmulatorServer.start("graph-emulator", 8, serverCert, this::handle);
    }

    // One per JVM: tests start many emulators, and key generation is the slow part of a start.
    private static synchronized SelfSignedCertificate serverCertificate() {
        if (sharedServerCert == null) {
            sharedServerCert = SelfSignedCertificate.forLocalhost();
        }
        return sharedServerCert;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of the emulator; every option has a default. */
    public static final class Builder {
        private String tenantId = UUID.randomUUID().toString();
        private Clock clock = Clock.systemUTC();
        private Duration tokenLifetime = Duration.ofHours(1);
        private Duration latency = Duration.ZERO;
        private int rateLimit = 1500;
        private Duration rateWindow = Duration.ofSeconds(30);
        private int deviceCodeInterval = 5;
        private int autoApproveAfterPolls = -1;
        private String autoApproveMail;
        private Set<String> defaultPermissions = DEFAULT_PERMISSIONS;

        private Builder() {
        }

        /** The directory (tenant) id; default a random GUID. */
        public Builder tenantId(String tenantId) {
            this.tenantId = tenantId;
            return this;
        }

        /** The clock used for token times and the times of scripted changes (throttling uses System.nanoTime). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Lifetime of issued access tokens; default 1 hour. */
        public Builder tokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        /** Delays every Graph answer (not the identity endpoints) by this much; see {@link GraphEmulator#setLatency}. */
        public Builder latency(Duration latency) {
            if (latency == null || latency.isNegative()) {
                throw new IllegalArgumentException("latency must be >= 0, but was " + latency);
            }
            this.latency = latency;
            return this;
        }

        /** Presence requests allowed per app in any sliding {@code window}; default 1,500 per 30 s. */
        public Builder presenceRateLimit(int requests, Duration window) {
            this.rateLimit = requests;
            this.rateWindow = window;
            return this;
        }

        /** The {@code interval} (seconds) the device code answer asks clients to poll at; default 5. */
        public Builder deviceCodeInterval(int seconds) {
            this.deviceCodeInterval = seconds;
            return this;
        }

        /** Approves each device code as {@code mail} once it has been polled {@code polls} times while pending. */
        public Builder autoApproveDeviceCodes(int polls, String mail) {
            this.autoApproveAfterPolls = polls;
            this.autoApproveMail = mail;
            return this;
        }

        /**
         * The permissions every app gets at registration (its token's {@code roles} or {@code scp}); default
         * {@link GraphEmulator#DEFAULT_PERMISSIONS}, e.g. {@link GraphEmulator#READ_PERMISSIONS} for an app without
         * {@code Presence.ReadWrite.All}. {@link GraphEmulator#grantPermissions} changes one app later.
         */
        public Builder defaultPermissions(String... granted) {
            this.defaultPermissions = new LinkedHashSet<>(List.of(granted));
            return this;
        }

        /** Starts the emulator on a free port of 127.0.0.1. */
        public GraphEmulator start() {
            return new GraphEmulator(this);
        }
    }

    // ---------------------------------------------------------------- addresses and TLS

    /** {@code https://127.0.0.1:port}: use it as the authority host. */
    public URI baseUri() {
        return server.baseUri();
    }

    /** The authority host URL clients use, same as {@link #baseUri()}. */
    public URI authorityHost() {
        return baseUri();
    }

    /** The Graph base URL, {@code https://127.0.0.1:port/v1.0}. */
    public URI graphBaseUrl() {
        return URI.create(baseUri() + "/v1.0");
    }

    public String tenantId() {
        return tenantId;
    }

    /** The server certificate (self-signed) that clients must trust. */
    public X509Certificate certificate() {
        return serverCert.certificate();
    }

    /** The server certificate in PEM. */
    public String certificatePem() {
        return serverCert.certificatePem();
    }

    /** Writes the server certificate as a PEM file, e.g. for a {@code tls.certificate} config key. */
    public Path writeCertificatePem(Path file) {
        try {
            return serverCert.writePem(file);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- apps and users

    /** Registers a confidential app that signs in with a client secret. */
    public GraphEmulator registerSecretClient(String clientId, String secret) {
        synchronized (lock) {
            clients.put(clientId, new Client(clientId, secret, null, false));
            permissions.putIfAbsent(clientId, defaultPermissions);
            issuedSecrets.add(secret);
        }
        return this;
    }

    /** Registers a confidential app that signs in with a certificate (client assertion). */
    public GraphEmulator registerCertificateClient(String clientId, X509Certificate certificate) {
        synchronized (lock) {
            clients.put(clientId, new Client(clientId, null, certificate.getPublicKey(), false));
            permissions.putIfAbsent(clientId, defaultPermissions);
        }
        return this;
    }

    /**
     * Generates a key and certificate, registers {@code clientId} as a certificate app and writes the key and
     * certificate as a PKCS12 file at {@code p12} protected by {@code password}.
     */
    public X509Certificate registerCertificateClient(String clientId, Path p12, char[] password) {
        AppCertificate c = AppCertificate.generate(clientId);
        c.writePkcs12(p12, password);
        registerCertificateClient(clientId, c.certificate());
        return c.certificate();
    }

    /** Registers a public client app ("Allow public client flows": device code and password). */
    public GraphEmulator registerPublicClient(String clientId) {
        synchronized (lock) {
            clients.put(clientId, new Client(clientId, null, null, true));
            permissions.putIfAbsent(clientId, defaultPermissions);
        }
        return this;
    }

    /** Changes an app's secret: tokens requested with the old one fail with invalid_client. */
    public void changeClientSecret(String clientId, String newSecret) {
        synchronized (lock) {
            Client c = clients.get(clientId);
            clients.put(clientId, new Client(clientId, newSecret, c == null ? null : c.publicKey, false));
            issuedSecrets.add(newSecret);
        }
    }

    /**
     * The Microsoft Graph permissions an admin has consented for {@code clientId} (application permissions for app-only
     * tokens, delegated ones for user tokens), replacing the earlier set ({@link Builder#defaultPermissions} at
     * registration, {@link #DEFAULT_PERMISSIONS} unless set). As in Entra ID, only tokens issued from now on carry the new set, in their {@code roles}
     * (app-only) or {@code scp} (delegated) claim; Graph answers 403 to a token without the permission an endpoint
     * needs (presence: {@code Presence.Read.All}; users: {@code User.Read.All} or a broader one; setPresence and
     * clearPresence: {@code Presence.ReadWrite.All}).
     */
    public void grantPermissions(String clientId, String... granted) {
        synchronized (lock) {
            permissions.put(clientId, new LinkedHashSet<>(List.of(granted)));
        }
    }

    /** Adds a user with presence Offline/Offline; returns it with its generated GUID. */
    public EmulatedUser addUser(String mail, String displayName, boolean enabled) {
        return addUser(mail, displayName, enabled, null);
    }

    /** Adds a user who can sign in with {@code password} (password grant). */
    public EmulatedUser addUser(String mail, String displayName, boolean enabled, String password) {
        EmulatedUser u = new EmulatedUser(UUID.randomUUID().toString(), mail, mail, displayName, enabled);
        synchronized (lock) {
            UserState s = new UserState(u, password);
            s.availability = "Offline";
            s.activity = "Offline";
            s.sequenceNumber = nextSequence();
            s.version = ++directoryVersion;
            users.put(u.id(), s);
            if (password != null) {
                issuedSecrets.add(password);
            }
        }
        return u;
    }

    /** Generates {@code n} enabled users {@code user00001@contoso.test ...} with GUIDs; returns them in order. */
    public List<EmulatedUser> seedUsers(int n) {
        List<EmulatedUser> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(addUser(String.format(Locale.ROOT, "user%05d@contoso.test", i),
                    String.format(Locale.ROOT, "User %05d", i), true));
        }
        return out;
    }

    /**
     * Deletes a user: it leaves /users and presence, and users delta reports it as {@code @removed} with reason
     * {@code changed} (Entra ID's soft delete, restorable for 30 days) or, when {@code permanently}, {@code deleted}.
     */
    public void removeUser(String userId, boolean permanently) {
        synchronized (lock) {
            if (users.remove(userId) == null) {
                throw new IllegalArgumentException("no emulated user with id " + userId);
            }
            tombstones.add(new Tombstone(userId, permanently ? "deleted" : "changed", ++directoryVersion));
        }
    }

    /** Enables or disables an account ({@code accountEnabled}); users delta reports the user as changed. */
    public EmulatedUser setUserEnabled(String userId, boolean enabled) {
        synchronized (lock) {
            UserState s = state(userId);
            EmulatedUser u = new EmulatedUser(s.user.id(), s.user.userPrincipalName(), s.user.mail(), s.user.displayName(), enabled);
            return replace(s, u);
        }
    }

    /** Changes a user's mail and display name; users delta reports the user as changed. */
    public EmulatedUser updateUser(String userId, String mail, String displayName) {
        synchronized (lock) {
            UserState s = state(userId);
            return replace(s, new EmulatedUser(s.user.id(), s.user.userPrincipalName(), mail, displayName, s.user.enabled()));
        }
    }

    private UserState state(String userId) {
        UserState s = users.get(userId);
        if (s == null) {
            throw new IllegalArgumentException("no emulated user with id " + userId);
        }
        return s;
    }

    private EmulatedUser replace(UserState old, EmulatedUser u) {
        UserState s = new UserState(u, old.password);
        s.availability = old.availability;
        s.activity = old.activity;
        s.sequenceNumber = old.sequenceNumber;
        s.version = ++directoryVersion;
        users.put(u.id(), s);
        return u;
    }

    /**
     * Makes every users delta token and link issued so far unusable, as Graph does after about 7 days: following
     * one is answered {@code status} (410, or 400 as a Microsoft blog describes it) with error code
     * {@code syncStateNotFound}; a client must list all users again.
     */
    public void expireDeltaTokens(int status) {
        if (status != 410 && status != 400) {
            throw new IllegalArgumentException("Graph answers an expired delta token with 410 or 400, not " + status);
        }
        synchronized (lock) {
            deltaGeneration++;
            expiredDeltaStatus = status;
        }
    }

    /** All users, in insertion order. */
    public List<EmulatedUser> users() {
        synchronized (lock) {
            return users.values().stream().map(s -> s.user).toList();
        }
    }

    // ---------------------------------------------------------------- presence script

    /** Changes a user's presence as Teams would; the sequence number grows and the change is recorded. */
    public PresenceChange setPresence(String userId, Availability availability, Activity activity) {
        return setRawPresence(userId, availability.wireValue(), activity.wireValue());
    }

    /** Like {@link #setPresence} with raw strings, e.g. values Graph may add in future. */
    public PresenceChange setRawPresence(String userId, String availability, String activity) {
        synchronized (lock) {
            return apply(userId, availability, activity, nextSequence());
        }
    }

    /** Sets a presence with an explicit sequence number, e.g. an older one to test that stale data is dropped. */
    public PresenceChange setPresenceWithSequence(String userId, String availability, String activity, String sequenceNumber) {
        synchronized (lock) {
            return apply(userId, availability, activity, sequenceNumber);
        }
    }

    private PresenceChange apply(String userId, String availability, String activity, String seq) {
        UserState s = state(userId);
        s.availability = availability;
        s.activity = activity;
        s.sequenceNumber = seq;
        PresenceChange c = new PresenceChange(userId, availability, activity, seq, clock.instant());
        changes.add(c);
        return c;
    }

    /** Every scripted change, in order, with the time it happened. */
    public List<PresenceChange> presenceChanges() {
        synchronized (lock) {
            return List.copyOf(changes);
        }
    }

    /**
     * The user sets a preferred presence in Teams (e.g. Do not disturb, Appear away): it wins over the Teams client
     * state and every app session until {@link #clearUserPreferredPresence}.
     */
    public void setUserPreferredPresence(String userId, String availability, String activity) {
        synchronized (lock) {
            UserState s = state(userId);
            s.preferredAvailability = availability;
            s.preferredActivity = activity;
            s.sequenceNumber = nextSequence();
        }
    }

    /** The user resets their status in Teams: the aggregate of the client state and the app sessions shows again. */
    public void clearUserPreferredPresence(String userId) {
        setUserPreferredPresence(userId, null, null);
    }

    /** The presence Graph serves for the user now: {@code [availability, activity]} of the aggregate. */
    public List<String> shownPresence(String userId) {
        synchronized (lock) {
            String[] a = aggregate(state(userId));
            return List.of(a[0], a[1]);
        }
    }

    /**
     * The app sessions a user has now (expired ones dropped, on the emulator clock), by app id, as
     * {@code "Availability/Activity until <instant>"}.
     */
    public Map<String, String> presenceSessions(String userId) {
        synchronized (lock) {
            UserState s = state(userId);
            expireSessions(s);
            Map<String, String> out = new LinkedHashMap<>();
            s.sessions.forEach((app, x) -> out.put(app, x.availability + "/" + x.activity + " until " + x.expiresAt));
            return out;
        }
    }

    /**
     * Every setPresence and clearPresence request that reached the endpoint, in order of arrival, with its answer
     * and times (requests stopped earlier by the token or permission check, the rate limit or a scripted fault are
     * not in it; {@link #requestCount} counts those).
     */
    public List<PresenceWrite> presenceWrites() {
        synchronized (lock) {
            return List.copyOf(writes);
        }
    }

    private String nextSequence() {
        return String.format(Locale.ROOT, "C%018d", ++sequence);
    }

    // ---------------------------------------------------------------- faults and limits

    /** {@link #failNext(String, int, int, Duration)} without a {@code Retry-After}, as in {@code StarfaceEmulator}. */
    public void failNext(String path, int count, int status) {
        failNext(path, count, status, null);
    }

    /**
     * The next {@code count} requests to {@code path} (e.g. {@link #PRESENCES_BY_USER_ID}) fail with {@code status};
     * like every fault hook, {@code path} may also be a method and a path or template
     * ({@code "GET /v1.0/users/{id}/presence"}), as in {@code StarfaceEmulator#failNext};
     * with {@code retryAfter} (may be fractional) a {@code Retry-After} header is sent, and for a 429 on a Graph
     * path the app is then expected to wait that long (requests before are recorded as {@link #earlyRequests()}).
     */
    public void failNext(String path, int count, int status, Duration retryAfter) {
        failures.add(path, count, new Failure(status, retryAfter, null), "failNext");
    }

    /**
     * Answers the next request to {@code path} with {@code status} and exactly {@code rawBody} as
     * {@code application/json}, even if it is not JSON (malformed answers, wrong types, unknown values). Queued
     * behind earlier {@link #failNext} entries for the same path.
     */
    public void respondNext(String path, int status, String rawBody) {
        if (status < 100 || status > 599 || rawBody == null) {
            throw new IllegalArgumentException("respondNext needs an HTTP status and a body, got " + status);
        }
        failures.add(path, 1, new Failure(status, null, rawBody), "respondNext");
    }

    /**
     * The next {@code count} requests to {@code path} get no answer at all: the connection is closed after the
     * request was read, as a reset by a proxy or a crashing front end would do.
     */
    public void dropNext(String path, int count) {
        failures.add(path, count, new Failure(DROP, null, null), "dropNext");
    }

    /**
     * Like {@link #failNext} with a {@code Retry-After} header sent exactly as given, e.g. {@code "1000000000"},
     * {@code "2.128"}, {@code "-5"} or an HTTP date. For a 429 on a Graph path the app is then expected to wait what
     * {@link RetryAfter} makes of it (capped at {@link RetryAfter#MAX}).
     */
    public void failNextWithRetryAfter(String path, int count, int status, String retryAfterHeader) {
        failures.add(path, count, new Failure(status, null, null, retryAfterHeader, 0, null), "failNextWithRetryAfter");
    }

    /**
     * The next request to {@code path} gets a 200 whose JSON body is {@code bytes} long, streamed in chunks (never
     * held in memory), e.g. to check a client's size limit. Works for Graph and identity paths.
     */
    public void oversizedBodyNext(String path, long bytes) {
        failures.add(path, 1, new Failure(OVERSIZED, null, null, null, bytes, null), "oversizedBodyNext");
    }

    /**
     * The next request to {@code path} gets a 200 with headers and the first bytes of a body, then nothing for
     * {@code stall} (or until the emulator closes), e.g. to check a client's overall deadline.
     */
    public void stallBodyNext(String path, Duration stall) {
        failures.add(path, 1, new Failure(STALL, null, null, null, 0, stall), "stallBodyNext");
    }

    /** While {@code true}, every Graph request is answered 401 InvalidAuthenticationToken, whatever the token. */
    public void refuseAllAccessTokens(boolean refuse) {
        this.refuseAccessTokens = refuse;
    }

    /** Every /users page from now on has exactly {@code url} as {@code @odata.nextLink} (any scheme or host). */
    public void usersNextLinkPointsTo(String url) {
        synchronized (lock) {
            nextLinkMode = NextLinkMode.POINTS_TO;
            nextLinkTarget = url;
        }
    }

    /** Every /users page from now on links to itself (an endless loop of one page). */
    public void usersNextLinkPointsToSamePage() {
        synchronized (lock) {
            nextLinkMode = NextLinkMode.SAME_PAGE;
        }
    }

    /** Every /users page from now on links to a further, new page, also past the last user (an endless listing). */
    public void usersNextLinkNeverEnds() {
        synchronized (lock) {
            nextLinkMode = NextLinkMode.NEVER_ENDS;
        }
    }

    /** /users pages link as Graph does again (the default). */
    public void usersNextLinkNormal() {
        synchronized (lock) {
            nextLinkMode = NextLinkMode.NORMAL;
            nextLinkTarget = null;
        }
    }

    /** The path of the token endpoint of this emulator's tenant, for {@link #failNext} and the body faults. */
    public String tokenPath() {
        return "/" + tenantId + "/oauth2/v2.0/token";
    }

    /** Forgets every Retry-After the apps were given and the rate windows: nothing counts as early from now on. */
    public void clearThrottling() {
        synchronized (lock) {
            throttledUntil.clear();
            windows.clear();
        }
    }

    /** Forgets every scripted failure not yet served ({@link #failNext}, {@link #respondNext}, {@link #dropNext}). */
    public void clearScriptedFailures() {
        failures.clear();
    }

    /**
     * From now on the user's element in getPresencesByUserId answers is exactly {@code jsonFragment}, which need not be
     * valid JSON (e.g. {@code {"id":"...","availability":} makes the whole answer malformed); {@code null} goes back
     * to normal. Only the answers that contain this user are affected.
     */
    public void setRawPresenceJson(String userId, String jsonFragment) {
        synchronized (lock) {
            if (jsonFragment == null) {
                rawPresenceJson.remove(userId);
            } else {
                rawPresenceJson.put(userId, jsonFragment);
            }
        }
    }

    /** Answers getPresencesByUserId with a bare 400 (no body) for id lists longer than {@code maxIds}. */
    public void rejectPresenceListsLargerThan(int maxIds) {
        synchronized (lock) {
            rejectListsLargerThan = maxIds;
        }
    }

    /** Changes the presence rate limit while running. */
    public void presenceRateLimit(int requests, Duration window) {
        synchronized (lock) {
            rateLimit = requests;
            rateWindow = window;
            windows.clear();
        }
    }

    /**
     * Delays every Graph answer by {@code latency} from now on (identity endpoints are not delayed), e.g. to give a
     * benchmark a realistic round trip; {@link Duration#ZERO} turns it off. Really sleeps. Default zero.
     */
    public void setLatency(Duration latency) {
        this.graphLatency = latency == null ? Duration.ZERO : latency;
    }

    /** Lifetime of access tokens issued from now on. */
    public void setTokenLifetime(Duration lifetime) {
        synchronized (lock) {
            tokenLifetime = lifetime;
        }
    }

    /** Makes every access token issued so far expired (Graph answers 401); refresh tokens stay valid. */
    public void expireAllTokens() {
        synchronized (lock) {
            accessTokens.values().forEach(t -> t.expiresAtMillis = 0);
        }
    }

    /** Revokes every refresh token (as a password reset or admin revocation does). */
    public void revokeRefreshTokens() {
        synchronized (lock) {
            refreshTokens.clear();
        }
    }

    // ---------------------------------------------------------------- device code

    /** Approves a pending device code as the user with that mail (or UPN). */
    public void approveDeviceCode(String userCode, String mail) {
        synchronized (lock) {
            for (DeviceCodeState d : deviceCodes.values()) {
                if (d.userCode.equals(userCode)) {
                    d.approvedUserId = userByName(mail).user.id();
                    return;
                }
            }
            throw new IllegalArgumentException("no device code " + userCode);
        }
    }

    /** Waits until a device code has been issued and returns its user code (the latest one). */
    public String awaitDeviceCode(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (lastUserCode == null) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("no device code was requested within " + timeout);
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return lastUserCode;
        }
    }

    /** How many device codes were issued. */
    public int deviceCodesIssued() {
        synchronized (lock) {
            return deviceCodes.size();
        }
    }

    /** How many token polls were answered {@code authorization_pending}. */
    public int pendingDeviceCodePolls() {
        synchronized (lock) {
            return deviceCodes.values().stream().mapToInt(d -> d.pendingPolls).sum();
        }
    }

    // ---------------------------------------------------------------- observations

    /**
     * Requests received, whatever the answer: for a concrete path (without query, e.g. {@link #USERS} or
     * {@link #tokenPath()}), or for an endpoint as method and path template
     * ({@code "GET /v1.0/users/{id}/presence"}, {@code "POST /{tenant}/oauth2/v2.0/token"}), as in
     * {@code StarfaceEmulator#requestCount}.
     */
    public int requestCount(String pathOrEndpoint) {
        return pathOrEndpoint.startsWith("/") ? log.countByPath(pathOrEndpoint) : log.count(pathOrEndpoint);
    }

    /** Requests per path (without query). */
    public Map<String, Integer> requestCounts() {
        return log.countsByPath();
    }

    /** Requests per endpoint ({@code "METHOD template"}; an unknown path counts as its own template). */
    public Map<String, Integer> requestCountsByEndpoint() {
        return log.counts();
    }

    /** Token requests per grant type ({@code client_credentials}, {@code refresh_token}, ...). */
    public int tokenRequests(String grantType) {
        synchronized (lock) {
            return grantCounts.getOrDefault(grantType, 0);
        }
    }

    /** Presence requests answered 429 (scripted or by the rate limit). */
    public int tooManyRequests() {
        synchronized (lock) {
            return tooManyRequests;
        }
    }

    /** Requests that arrived before the Retry-After their app had been given elapsed. */
    public List<EarlyRequest> earlyRequests() {
        synchronized (lock) {
            return List.copyOf(early);
        }
    }

    /** The longest id list a getPresencesByUserId request carried. */
    public int largestIdListSeen() {
        synchronized (lock) {
            return largestIdList;
        }
    }

    /** The decoded query strings of all /users requests, in order; those of /users/delta start with {@code "delta "}. */
    public List<String> usersQueries() {
        synchronized (lock) {
            return List.copyOf(usersQueries);
        }
    }

    /** Requests no emulated endpoint handles ("METHOD path"), answered 404. */
    public List<String> unhandledRequests() {
        return log.unhandledRequests();
    }

    /**
     * Every secret the emulator knows or issued: client secrets, user passwords, access and refresh tokens,
     * device codes, client assertions received. For tests that check logs for leaks.
     */
    public List<String> secrets() {
        synchronized (lock) {
            List<String> all = new ArrayList<>(issuedSecrets);
            all.addAll(accessTokens.keySet());
            all.addAll(refreshTokens.keySet());
            deviceCodes.keySet().forEach(all::add);
            return all;
        }
    }

    @Override
    public void close() {
        server.close();
    }

    // ================================================================ HTTP

    /** {@code stream}, when set, writes the body (chunked) instead of {@code body}. */
    private record Response(int status, String body, Map<String, String> headers, BodyStream stream) {
        Response(int status, String body, Map<String, String> headers) {
            this(status, body, headers, null);
        }

        static Response json(int status, Object node) {
            try {
                return new Response(status, JSON.writeValueAsString(node), Map.of("Content-Type", "application/json"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        Response r;
        try {
            long arrived = System.nanoTime();
            RouteTable.Match<Endpoint> match = routes.match(ex.getRequestMethod(), ex.getRequestURI().getRawPath());
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            log.record(match);
            Request request = new Request(match, parseForm(ex.getRequestURI().getRawQuery()), body);
            r = dispatch(request, ex.getRequestHeaders().getFirst("Authorization"), arrived);
        } catch (RuntimeException e) {
            r = Response.json(500, graphError("InternalServerError", "emulator failure: " + e));
        }
        if (r.status == DROP) {
            // closing an exchange whose headers were never sent closes the connection: the client sees a reset
            ex.close();
            return;
        }
        if (r.stream != null) {
            r.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.sendResponseHeaders(r.status, 0);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                r.stream.write(out);
            } catch (IOException e) {
                // the client gave up reading (a size limit or a deadline): that is what these answers are for
            } finally {
                ex.close();
            }
            return;
        }
        byte[] bytes = r.body.getBytes(StandardCharsets.UTF_8);
        r.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        String correlation = ex.getRequestHeaders().getFirst("client-request-id");
        if (correlation != null) {
            ex.getResponseHeaders().add("client-request-id", correlation);
        }
        ex.sendResponseHeaders(r.status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    // The one dispatcher: Graph paths pass the token check, the rate limit and the scripted faults first (and
    // are delayed by the latency); identity endpoints only the scripted faults and the tenant check.
    private Response dispatch(Request request, String auth, long arrived) {
        RouteTable.Match<Endpoint> match = request.match;
        String path = match.path();
        if (path.startsWith("/v1.0/")) {
            Response r = graph(request, auth, arrived);
            Duration latency = graphLatency;
            if (!latency.isZero()) {
                try {
                    Thread.sleep(latency.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return r;
        }
        if (match.found()) {
            Optional<String> tenant = match.optionalParam("tenant");
            if (tenant.isPresent()) {
                Response scripted = scriptedFailure(match);
                if (scripted != null) {
                    return scripted;
                }
                if (!tenant.get().equals(tenantId)) {
                    return aadError(400, "invalid_request", "AADSTS90002: Tenant '" + tenant.get() + "' not found.");
                }
            }
            return match.handler().answer(request);
        }
        log.unhandled(match.method(), path);
        return Response.json(404, graphError("NotFound", "the emulator has no endpoint " + match.method() + " " + path));
    }

    private Response scriptedFailure(RouteTable.Match<Endpoint> match) {
        String path = match.path();
        Failure f = failures.take(match).orElse(null);
        if (f == null) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        if (f.status == OVERSIZED) {
            return new Response(200, "", headers, out -> writeOversized(out, f.bodyBytes));
        }
        if (f.status == STALL) {
            return new Response(200, "", headers, out -> writeStalled(out, f.stall));
        }
        if (f.body != null || f.status == DROP) {
            return new Response(f.status, f.body == null ? "" : f.body, headers);
        }
        if (f.retryAfter != null) {
            headers.put("Retry-After", seconds(f.retryAfter));
        }
        if (f.retryAfterHeader != null) {
            headers.put("Retry-After", f.retryAfterHeader);
        }
        String body = path.startsWith("/v1.0/")
                ? JSON.valueToTree(graphError(f.status == 429 ? "TooManyRequests" : "ServiceError", "scripted failure")).toString()
                : aadErrorNode("temporarily_unavailable", "AADSTS50196: scripted failure").toString();
        return new Response(f.status, body, headers);
    }

    // ---------------------------------------------------------------- identity

    private Response userRealm(String user) {
        synchronized (lock) {
            ObjectNode n = JSON.createObjectNode();
            n.put("ver", "1.0");
            UserState s = findUser(user);
            n.put("account_type", s == null ? "Unknown" : "Managed");
            n.put("domain_name", user.contains("@") ? user.substring(user.indexOf('@') + 1) : "contoso.test");
            n.put("cloud_instance_name", "microsoftonline.com");
            n.put("cloud_audience_urn", "urn:federation:MicrosoftOnline");
            return Response.json(200, n);
        }
    }

    private Response deviceCode(Map<String, String> form) {
        synchronized (lock) {
            Client c = clients.get(form.get("client_id"));
            if (c == null) {
                return unknownClient(form.get("client_id"));
            }
            if (!c.publicClient) {
                return aadError(400, "invalid_client", "AADSTS7000218: The request body must contain the following "
                        + "parameter: 'client_assertion' or 'client_secret'. (Allow public client flows is off.)");
            }
            DeviceCodeState d = new DeviceCodeState();
            d.deviceCode = randomToken(32);
            d.userCode = randomUserCode();
            d.clientId = c.clientId;
            d.scope = form.getOrDefault("scope", "");
            d.expiresAtMillis = clock.millis() + 900_000;
            deviceCodes.put(d.deviceCode, d);
            lastUserCode = d.userCode;
            lock.notifyAll();
            ObjectNode n = JSON.createObjectNode();
            n.put("user_code", d.userCode);
            n.put("device_code", d.deviceCode);
            n.put("verification_uri", baseUri() + "/devicelogin");
            n.put("expires_in", 900);
            n.put("interval", deviceCodeInterval);
            n.put("message", "To sign in, use a web browser to open the page " + baseUri() + "/devicelogin and enter the code "
                    + d.userCode + " to authenticate.");
            return Response.json(200, n);
        }
    }

    private Response token(Map<String, String> form) {
        String grant = form.getOrDefault("grant_type", "");
        synchronized (lock) {
            grantCounts.merge(grant, 1, Integer::sum);
            Client c = clients.get(form.get("client_id"));
            if (c == null) {
                return unknownClient(form.get("client_id"));
            }
            if (!c.publicClient) {
                Response authFailure = authenticateClient(c, form);
                if (authFailure != null) {
                    return authFailure;
                }
            }
            String scope = form.getOrDefault("scope", "");
            switch (grant) {
                case "client_credentials" -> {
                    if (c.publicClient) {
                        return aadError(401, "invalid_client", "AADSTS7000218: a public client cannot use client credentials.");
                    }
                    // msal4j adds openid/profile/offline_access; the resource scope must be a /.default one.
                    boolean resourceDefault = List.of(scope.trim().split("\\s+")).stream()
                            .filter(x -> !Set.of("openid", "profile", "offline_access").contains(x))
                            .allMatch(x -> x.endsWith("/.default")) && scope.contains("/.default");
                    if (!resourceDefault) {
                        return aadError(400, "invalid_scope", "AADSTS1002012: The provided value for scope " + scope
                                + " is not valid. Client credential flows must have a scope value with /.default suffixed.");
                    }
                    return issue(c, null, scope);
                }
                case "password" -> {
                    UserState u = findUser(form.getOrDefault("username", ""));
                    if (u == null || u.password == null || !u.password.equals(form.get("password"))) {
                        return aadError(400, "invalid_grant", "AADSTS50126: Error validating credentials due to invalid username or password.");
                    }
                    if (!u.user.enabled()) {
                        return aadError(400, "invalid_grant", "AADSTS50057: The user account is disabled.");
                    }
                    return issue(c, u, scope);
                }
                case "refresh_token" -> {
                    Token rt = refreshTokens.get(form.getOrDefault("refresh_token", ""));
                    if (rt == null || !rt.clientId.equals(c.clientId)) {
                        return aadError(400, "invalid_grant", "AADSTS700082: The refresh token has expired due to inactivity.");
                    }
                    return issue(c, users.get(rt.userId), scope.isBlank() ? rt.scope : scope);
                }
                case "device_code", "urn:ietf:params:oauth:grant-type:device_code" -> {
                    DeviceCodeState d = deviceCodes.get(form.getOrDefault("device_code", ""));
                    if (d == null || !d.clientId.equals(c.clientId) || d.redeemed) {
                        return aadError(400, "invalid_grant", "AADSTS70000: The provided device code is invalid.");
                    }
                    if (clock.millis() > d.expiresAtMillis) {
                        return aadError(400, "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
                    }
                    if (d.approvedUserId == null && autoApproveAfterPolls >= 0 && d.pendingPolls >= autoApproveAfterPolls) {
                        d.approvedUserId = userByName(autoApproveMail).user.id();
                    }
                    if (d.approvedUserId == null) {
                        d.pendingPolls++;
                        return aadError(400, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
                    }
                    d.redeemed = true;
                    return issue(c, users.get(d.approvedUserId), d.scope);
                }
                default -> {
                    return aadError(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type '" + grant + "'.");
                }
            }
        }
    }

    private Response unknownClient(String clientId) {
        return aadError(400, "unauthorized_client", "AADSTS700016: Application with identifier '" + clientId
                + "' was not found in the directory '" + tenantId + "'.");
    }

    private Response authenticateClient(Client c, Map<String, String> form) {
        String secret = form.get("client_secret");
        String assertion = form.get("client_assertion");
        if (secret != null) {
            if (c.secret == null || !c.secret.equals(secret)) {
                return aadError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                        + "in the request is the client secret value, not the client secret ID.");
            }
            return null;
        }
        if (assertion != null) {
            issuedSecrets.add(assertion);
            if (c.publicKey == null) {
                return aadError(401, "invalid_client", "AADSTS700027: The certificate is not registered for this application.");
            }
            String problem = checkAssertion(c, assertion);
            return problem == null ? null : aadError(401, "invalid_client", "AADSTS700027: Client assertion failed signature validation: " + problem);
        }
        return aadError(401, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: "
                + "'client_assertion' or 'client_secret'.");
    }

    private String checkAssertion(Client c, String jwt) {
        try {
            String[] parts = jwt.split("\\.");
            if (parts.length != 3) {
                return "not a signed JWT";
            }
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return "unsupported alg " + header.path("alg").asText();
            }
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initVerify(c.publicKey);
            sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!sig.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "bad signature";
            }
            if (!c.clientId.equals(claims.path("iss").asText()) || !c.clientId.equals(claims.path("sub").asText())) {
                return "iss/sub is not the client id";
            }
            if (!claims.path("aud").asText().contains("/" + tenantId + "/oauth2/v2.0/token")) {
                return "aud is not this token endpoint";
            }
            if (claims.path("exp").asLong() * 1000 < clock.millis()) {
                return "expired";
            }
            return null;
        } catch (Exception e) {
            return "unreadable: " + e.getClass().getSimpleName();
        }
    }

    private Response issue(Client c, UserState user, String scope) {
        Token at = new Token();
        at.clientId = c.clientId;
        at.userId = user == null ? null : user.user.id();
        at.expiresAtMillis = clock.millis() + tokenLifetime.toMillis();
        at.scope = scope;
        at.permissions = Set.copyOf(permissions.getOrDefault(c.clientId, Set.of()));
        String access = accessToken(c, user, scope, at);
        accessTokens.put(access, at);
        ObjectNode n = JSON.createObjectNode();
        n.put("token_type", "Bearer");
        n.put("expires_in", tokenLifetime.toSeconds());
        n.put("ext_expires_in", tokenLifetime.toSeconds());
        n.put("access_token", access);
        if (user == null) {
            n.put("scope", scope.trim());
        }
        if (user != null) {
            Set<String> scopes = new LinkedHashSet<>(List.of(scope.trim().split("\\s+")));
            scopes.addAll(List.of("openid", "profile", "offline_access"));
            n.put("scope", String.join(" ", scopes));
            Token rt = new Token();
            rt.clientId = c.clientId;
            rt.userId = user.user.id();
            rt.scope = scope;
            String refresh = randomToken(64);
            refreshTokens.put(refresh, rt);
            n.put("refresh_token", refresh);
            n.put("id_token", idToken(c, user));
            n.put("client_info", b64(("{\"uid\":\"" + user.user.id() + "\",\"utid\":\"" + tenantId + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return Response.json(200, n);
    }

    /**
     * A JWT-shaped access token as Entra ID issues for Graph: the payload carries the granted permissions in
     * {@code roles} (app-only) or {@code scp} (delegated, space-separated), as Microsoft documents; the third part is
     * random bytes, not a signature (Graph clients must not validate Graph's tokens; the emulator looks tokens up).
     */
    private String accessToken(Client c, UserState user, String scope, Token at) {
        long now = clock.millis() / 1000;
        ObjectNode claims = JSON.createObjectNode();
        String resource = List.of(scope.trim().split("\\s+")).stream().filter(x -> x.contains("://"))
                .map(x -> x.replaceAll("^(https?://[^/]+).*$", "$1")).findFirst().orElse("https://graph.microsoft.com");
        claims.put("aud", resource);
        claims.put("iss", "https://sts.windows.net/" + tenantId + "/");
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", at.expiresAtMillis / 1000);
        claims.put("appid", c.clientId);
        claims.put("tid", tenantId);
        if (user == null) {
            ArrayNode roles = claims.putArray("roles");
            at.permissions.stream().sorted().forEach(roles::add);
        } else {
            claims.put("scp", String.join(" ", at.permissions.stream().sorted().toList()));
            claims.put("oid", user.user.id());
            claims.put("upn", user.user.userPrincipalName());
        }
        return b64("{\"typ\":\"JWT\",\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64(claims.toString().getBytes(StandardCharsets.UTF_8)) + "." + randomToken(48);
    }

    private String idToken(Client c, UserState u) {
        long now = clock.millis() / 1000;
        ObjectNode claims = JSON.createObjectNode();
        claims.put("aud", c.clientId);
        claims.put("iss", baseUri() + "/" + tenantId + "/v2.0");
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 3600);
        claims.put("name", u.user.displayName());
        claims.put("oid", u.user.id());
        claims.put("sub", u.user.id());
        claims.put("tid", tenantId);
        claims.put("preferred_username", u.user.userPrincipalName());
        claims.put("ver", "2.0");
        // Unsigned: msal4j only decodes the payload of an id_token; the emulator is not a trust anchor.
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    // ---------------------------------------------------------------- Graph

    private Response graph(Request request, String auth, long arrived) {
        String path = request.match.path();
        Token token;
        synchronized (lock) {
            token = auth == null || !auth.startsWith("Bearer ") ? null : accessTokens.get(auth.substring(7).trim());
            if (token == null || refuseAccessTokens) {
                return Response.json(401, graphError("InvalidAuthenticationToken", "Access token is empty or invalid."));
            }
            if (token.expiresAtMillis <= clock.millis()) {
                return Response.json(401, graphError("InvalidAuthenticationToken", "Access token has expired or is not yet valid."));
            }
        }
        boolean write = path.endsWith("/presence/setPresence") || path.endsWith("/presence/clearPresence");
        boolean presence = path.equals(PRESENCES_BY_USER_ID) || path.endsWith("/presence")
                || path.startsWith("/v1.0/communications/presences/") || write;
        // Microsoft: application Presence.ReadWrite.All, delegated Presence.ReadWrite; no higher privileged one
        if (write && !token.permissions.contains(token.userId == null ? "Presence.ReadWrite.All" : "Presence.ReadWrite")
                && !token.permissions.contains("Presence.ReadWrite.All")) {
            return Response.json(403, graphError("Forbidden", "Missing role permissions on the request. API requires one "
                    + "of 'Presence.ReadWrite.All'."));
        }
        if (!write && presence && java.util.Collections.disjoint(token.permissions, PRESENCE_READ)) {
            return Response.json(403, graphError("Forbidden", "Missing role permissions on the request. API requires one "
                    + "of 'Presence.Read.All, Presence.ReadWrite.All'."));
        }
        if (!presence && path.startsWith(USERS) && java.util.Collections.disjoint(token.permissions, USER_READ)) {
            return Response.json(403, graphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation."));
        }
        if (presence) {
            Response throttled = throttle(token.clientId, path, arrived);
            if (throttled != null) {
                return throttled;
            }
        }
        Response scripted = scriptedFailure(request.match);
        if (scripted != null) {
            if (scripted.status == 429) {
                synchronized (lock) {
                    tooManyRequests++;
                    Duration ra = RetryAfter.parse(scripted.headers.get("Retry-After"), clock).orElse(null);
                    if (ra != null) {
                        throttledUntil.put(token.clientId, System.nanoTime() + ra.toNanos());
                    }
                }
            }
            return scripted;
        }
        if (request.match.found()) {
            return request.match.handler().answer(request.with(token, arrived));
        }
        log.unhandled(request.match.method(), path);
        return Response.json(400, graphError("BadRequest", "Resource not found for the segment '" + path + "'."));
    }

    private Response onePresence(String rawId) {
        synchronized (lock) {
            UserState s = users.get(URLDecoder.decode(rawId, StandardCharsets.UTF_8));
            if (s == null) {
                return Response.json(404, graphError("NotFound", "User not found"));
            }
            return Response.json(200, presenceNode(s));
        }
    }

    private Response throttle(String clientId, String path, long arrived) {
        synchronized (lock) {
            Long until = throttledUntil.get(clientId);
            if (until != null && arrived < until) {
                Duration left = Duration.ofNanos(until - arrived);
                early.add(new EarlyRequest(clientId, path, left));
                tooManyRequests++;
                return tooMany(left);
            }
            Deque<Long> w = windows.computeIfAbsent(clientId, k -> new ArrayDeque<>());
            long windowNanos = rateWindow.toNanos();
            while (!w.isEmpty() && w.peekFirst() <= arrived - windowNanos) {
                w.pollFirst();
            }
            if (w.size() >= rateLimit) {
                Duration wait = Duration.ofNanos(w.peekFirst() + windowNanos - arrived);
                // Round up to what the header can say, so a client that waits exactly the header is on time.
                wait = Duration.ofMillis(Math.max(1, (wait.toNanos() + 999_999) / 1_000_000));
                throttledUntil.put(clientId, arrived + wait.toNanos());
                tooManyRequests++;
                return tooMany(wait);
            }
            w.addLast(arrived);
            return null;
        }
    }

    private static Response tooMany(Duration wait) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Retry-After", seconds(wait));
        return new Response(429, JSON.valueToTree(graphError("TooManyRequests", "Too many requests.")).toString(), headers);
    }

    private Response listUsers(Map<String, String> q) {
        synchronized (lock) {
            usersQueries.add(q.toString());
            int top = 100;
            if (q.containsKey("$top")) {
                try {
                    top = Integer.parseInt(q.get("$top"));
                } catch (NumberFormatException e) {
                    top = -1;
                }
                if (top < 1 || top > MAX_PAGE_SIZE) {
                    return Response.json(400, graphError("Request_UnsupportedQuery", "Invalid page size specified: '"
                            + q.get("$top") + "'. Must be between 1 and 999 inclusive."));
                }
            }
            Boolean enabledFilter = null;
            if (q.containsKey("$filter")) {
                String f = q.get("$filter").trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
                if (f.equals("accountenabled eq true")) {
                    enabledFilter = true;
                } else if (f.equals("accountenabled eq false")) {
                    enabledFilter = false;
                } else {
                    return Response.json(400, graphError("Request_UnsupportedQuery", "Unsupported query: " + q.get("$filter")));
                }
            }
            List<String> fields = DEFAULT_USER_FIELDS;
            if (q.containsKey("$select")) {
                fields = new ArrayList<>();
                for (String f : q.get("$select").split(",")) {
                    String name = f.trim();
                    if (!USER_FIELDS.contains(name)) {
                        return Response.json(400, graphError("BadRequest", "Could not find a property named '" + name
                                + "' on type 'microsoft.graph.user'."));
                    }
                    fields.add(name);
                }
                if (!fields.contains("id")) {
                    fields.add(0, "id");
                }
            }
            int offset = 0;
            if (q.containsKey("$skiptoken")) {
                try {
                    offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(q.get("$skiptoken")), StandardCharsets.UTF_8)
                            .substring("offset:".length()));
                } catch (RuntimeException e) {
                    return Response.json(400, graphError("Directory_ExpiredPageToken", "The specified page token value has expired."));
                }
            }
            Boolean ef = enabledFilter;
            List<UserState> matching = users.values().stream().filter(s -> ef == null || s.user.enabled() == ef).toList();
            ObjectNode n = JSON.createObjectNode();
            n.put("@odata.context", graphBaseUrl() + "/$metadata#users");
            ArrayNode value = n.putArray("value");
            int end = Math.min(matching.size(), offset + top);
            for (int i = offset; i < end; i++) {
                writeUser(value.addObject(), matching.get(i).user, fields);
            }
            String link = usersNextLink(q, offset, end, matching.size());
            if (link != null) {
                n.put("@odata.nextLink", link);
            }
            return Response.json(200, n);
        }
    }

    /**
     * {@code GET /users/delta}: without a token all current users (disabled ones too: delta has no accountEnabled
     * filter) in pages with {@code @odata.nextLink}, the last page with {@code @odata.deltaLink}; with
     * {@code $deltatoken=latest} no users, only a deltaLink from now; with a deltaLink's token the users changed
     * since (all selected properties, as without {@code Prefer: return=minimal}) and the removed ones as
     * {@code {"id": ..., "@removed": {"reason": "changed"|"deleted"}}}, in the order of the changes. A round's pages
     * show the directory as it was when the round began; later changes come in the next round. The {@code $select}
     * of the first request is kept in the tokens, as Graph does.
     */
    private Response usersDelta(Map<String, String> q) {
        synchronized (lock) {
            usersQueries.add("delta " + q);
            DeltaState st;
            try {
                if (q.containsKey("$skiptoken")) {
                    st = DeltaState.decode(q.get("$skiptoken"));
                } else if ("latest".equals(q.get("$deltatoken"))) {
                    st = new DeltaState(deltaGeneration, directoryVersion, directoryVersion, 0, q.get("$select"), false);
                } else if (q.containsKey("$deltatoken")) {
                    DeltaState t = DeltaState.decode(q.get("$deltatoken"));
                    st = new DeltaState(t.generation, t.upto, directoryVersion, 0, t.select, false);
                } else {
                    st = new DeltaState(deltaGeneration, 0, directoryVersion, 0, q.get("$select"), true);
                }
            } catch (RuntimeException e) {
                return Response.json(400, graphError("BadRequest", "The delta token or skip token is not valid."));
            }
            if (st.generation != deltaGeneration) {
                return Response.json(expiredDeltaStatus, graphError("syncStateNotFound",
                        "The sync state generation is not found. The delta token is expired and data must be synchronized again."));
            }
            List<String> fields = new ArrayList<>(DEFAULT_USER_FIELDS);
            if (st.select != null) {
                fields = new ArrayList<>();
                for (String f : st.select.split(",")) {
                    if (!USER_FIELDS.contains(f.trim())) {
                        return Response.json(400, graphError("BadRequest", "Could not find a property named '" + f.trim()
                                + "' on type 'microsoft.graph.user'."));
                    }
                    fields.add(f.trim());
                }
                if (!fields.contains("id")) {
                    fields.add(0, "id");
                }
            }
            // the changes of this round, oldest first: users changed in (since, upto], then removals in that range
            List<Object[]> items = new ArrayList<>();
            for (UserState u : users.values()) {
                if (u.version > st.since && u.version <= st.upto) {
                    items.add(new Object[] {u.version, u});
                }
            }
            if (!st.initial) {
                for (Tombstone t : tombstones) {
                    if (t.version > st.since && t.version <= st.upto) {
                        items.add(new Object[] {t.version, t});
                    }
                }
            }
            items.sort(java.util.Comparator.comparingLong(a -> (Long) a[0]));
            int top = DELTA_PAGE_SIZE;
            ObjectNode n = JSON.createObjectNode();
            n.put("@odata.context", graphBaseUrl() + "/$metadata#users");
            ArrayNode value = n.putArray("value");
            int end = Math.min(items.size(), st.offset + top);
            for (int i = st.offset; i < end; i++) {
                Object item = items.get(i)[1];
                ObjectNode un = value.addObject();
                if (item instanceof Tombstone t) {
                    un.put("id", t.id);
                    un.putObject("@removed").put("reason", t.reason);
                } else {
                    writeUser(un, ((UserState) item).user, fields);
                }
            }
            if (end < items.size()) {
                n.put("@odata.nextLink", graphBaseUrl() + "/users/delta?$skiptoken="
                        + new DeltaState(st.generation, st.since, st.upto, end, st.select, st.initial).encode());
            } else {
                n.put("@odata.deltaLink", graphBaseUrl() + "/users/delta?$deltatoken="
                        + new DeltaState(st.generation, st.upto, st.upto, 0, st.select, false).encode());
            }
            return Response.json(200, n);
        }
    }

    /** The state a delta token or skip token carries (opaque to clients, base64url of a few fields). */
    private record DeltaState(int generation, long since, long upto, int offset, String select, boolean initial) {
        String encode() {
            String text = generation + ";" + since + ";" + upto + ";" + offset + ";" + initial + ";" + (select == null ? "" : select);
            return b64(text.getBytes(StandardCharsets.UTF_8));
        }

        static DeltaState decode(String token) {
            String[] f = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(";", 6);
            return new DeltaState(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                    f[5].isEmpty() ? null : f[5], Boolean.parseBoolean(f[4]));
        }
    }

    private static void writeUser(ObjectNode un, EmulatedUser u, List<String> fields) {
        for (String f : fields) {
            switch (f) {
                case "id" -> un.put("id", u.id());
                case "displayName" -> un.put("displayName", u.displayName());
                case "mail" -> un.put("mail", u.mail());
                case "userPrincipalName" -> un.put("userPrincipalName", u.userPrincipalName());
                case "accountEnabled" -> un.put("accountEnabled", u.enabled());
                default -> un.putNull(f);
            }
        }
    }

    private String usersNextLink(Map<String, String> q, int offset, int end, int total) {
        if (nextLinkMode == NextLinkMode.POINTS_TO) {
            return nextLinkTarget;
        }
        if (nextLinkMode == NextLinkMode.SAME_PAGE) {
            return usersLink(q, offset);
        }
        if (end < total || nextLinkMode == NextLinkMode.NEVER_ENDS) {
            return usersLink(q, nextLinkMode == NextLinkMode.NEVER_ENDS ? Math.max(end, offset + 1) : end);
        }
        return null;
    }

    /** A /users link to the page starting at {@code offset}, with the query of the current request. */
    private String usersLink(Map<String, String> q, int offset) {
        StringBuilder next = new StringBuilder(graphBaseUrl() + "/users?");
        for (String k : List.of("$select", "$top", "$filter")) {
            if (q.containsKey(k)) {
                next.append(enc(k)).append('=').append(enc(q.get(k))).append('&');
            }
        }
        next.append("$skiptoken=").append(b64(("offset:" + offset).getBytes(StandardCharsets.UTF_8)));
        return next.toString();
    }

    private Response presencesByUserId(String body) {
        JsonNode ids;
        try {
            ids = JSON.readTree(body).path("ids");
        } catch (IOException e) {
            return Response.json(400, graphError("BadRequest", "Invalid request body."));
        }
        if (!ids.isArray() || ids.isEmpty()) {
            return Response.json(400, graphError("BadRequest", "The ids list must not be empty."));
        }
        synchronized (lock) {
            largestIdList = Math.max(largestIdList, ids.size());
            if (ids.size() > rejectListsLargerThan) {
                return new Response(400, "", Map.of());
            }
            if (ids.size() > MAX_IDS_PER_REQUEST) {
                return Response.json(400, graphError("BadRequest", "The number of ids must not exceed 650."));
            }
            ObjectNode n = JSON.createObjectNode();
            n.put("@odata.context", graphBaseUrl() + "/$metadata#Collection(presence)");
            ArrayNode value = n.putArray("value");
            List<String> raw = new ArrayList<>();
            for (JsonNode id : ids) {
                // Reference facts are silent on unknown ids in a batch; the emulator leaves them out.
                UserState s = users.get(id.asText());
                if (s != null) {
                    String fragment = rawPresenceJson.get(s.user.id());
                    if (fragment != null) {
                        raw.add(fragment);
                        value.add("\u0001raw-" + (raw.size() - 1));
                    } else {
                        value.add(presenceNode(s));
                    }
                }
            }
            if (raw.isEmpty()) {
                return Response.json(200, n);
            }
            String text = n.toString();
            for (int i = 0; i < raw.size(); i++) {
                text = text.replace("\"\\u0001raw-" + i + "\"", raw.get(i));
            }
            return new Response(200, text, Map.of("Content-Type", "application/json"));
        }
    }

    /** The presence Graph serves: the user's own state aggregated with the app sessions (see {@link #aggregate}). */
    private ObjectNode presenceNode(UserState s) {
        String[] shown = aggregate(s);
        ObjectNode p = JSON.createObjectNode();
        p.put("@odata.type", "#microsoft.graph.presence");
        p.put("id", s.user.id());
        p.put("availability", shown[0]);
        p.put("activity", shown[1]);
        p.put("sequenceNumber", s.sequenceNumber);
        p.putNull("statusMessage");
        ObjectNode ooo = p.putObject("outOfOfficeSettings");
        ooo.putNull("message");
        ooo.put("isOutOfOffice", "OutOfOffice".equals(shown[1]));
        return p;
    }

    /**
     * Availability and activity as Graph shows them, under {@link #lock}: expired sessions are dropped first (the
     * sequence number grows). Microsoft's setPresence page (and shared/reference/graph-presence.md, "Writing
     * presence"): "User-configured > app-configured", and among app-configured "DoNotDisturb > Busy > Available >
     * Away". So a preferred presence the user set ({@link #setUserPreferredPresence}) wins; otherwise the user's own
     * Teams client state ({@link #setPresence}) and the app sessions are ranked DoNotDisturb > Busy (BusyIdle) >
     * Available (AvailableIdle) > Away (BeRightBack). The sources are silent on ties, on where BeRightBack, Offline,
     * OutOfOffice and unknown values rank, and on the fading of an Available session after 5 minutes (not emulated):
     * here a tie keeps the user's own state, BeRightBack ranks as Away, and everything else (Offline: no Teams client)
     * below Away.
     */
    private String[] aggregate(UserState s) {
        expireSessions(s);
        if (s.preferredAvailability != null) {
            return new String[] {s.preferredAvailability, s.preferredActivity};
        }
        String[] best = {s.availability, s.activity};
        for (Session x : s.sessions.values()) {
            if (rank(x.availability) > rank(best[0])) {
                best = new String[] {x.availability, x.activity};
            }
        }
        return best;
    }

    /** The wire value's place in Graph's order of sessions ({@link Availability#sessionRank()}); 0 unless spelt exactly. */
    private static int rank(String availability) {
        Availability a = Availability.parse(availability);
        return a.wireValue().equals(availability) ? a.sessionRank() : 0;
    }

    private void expireSessions(UserState s) {
        Instant now = clock.instant();
        if (s.sessions.values().removeIf(x -> !now.isBefore(x.expiresAt))) {
            s.sequenceNumber = nextSequence();
        }
    }

    /** setPresence / clearPresence of an app, validated as Microsoft documents it; every request is recorded. */
    private Response presenceWrite(Request r, PresenceWrite.Kind kind) {
        String userId = URLDecoder.decode(r.match.param("id"), StandardCharsets.UTF_8);
        JsonNode body;
        try {
            body = JSON.readTree(r.body == null || r.body.isBlank() ? "{}" : r.body);
        } catch (IOException e) {
            body = null;
        }
        String sessionId = text(body, "sessionId");
        String availability = kind == PresenceWrite.Kind.SET ? text(body, "availability") : null;
        String activity = kind == PresenceWrite.Kind.SET ? text(body, "activity") : null;
        String expiration = kind == PresenceWrite.Kind.SET ? text(body, "expirationDuration") : null;
        synchronized (lock) {
            Response answer = presenceWriteAnswer(r.token, kind, userId, body, sessionId, availability, activity, expiration);
            writes.add(new PresenceWrite(kind, userId, r.token.clientId, sessionId, availability, activity, expiration,
                    answer.status, clock.instant(), r.arrived));
            return answer;
        }
    }

    private Response presenceWriteAnswer(Token token, PresenceWrite.Kind kind, String userId, JsonNode body,
            String sessionId, String availability, String activity, String expiration) {
        if (body == null || !body.isObject()) {
            return Response.json(400, graphError("BadRequest", "Invalid request body."));
        }
        // Microsoft: "Provide the ID of the application as sessionId"; its pages are silent on other values for
        // delegated tokens, so the emulator asks for the app id from every token.
        if (sessionId == null || !sessionId.equalsIgnoreCase(token.clientId)) {
            return Response.json(400, graphError("BadRequest", "sessionId must be the id of the calling application ("
                    + token.clientId + "), but was " + (sessionId == null ? "missing" : "'" + sessionId + "'") + "."));
        }
        Duration length = DEFAULT_SESSION;
        if (kind == PresenceWrite.Kind.SET) {
            if (availability == null || activity == null
                    || !ALLOWED_PAIRS.getOrDefault(availability, Set.of()).contains(activity)) {
                return Response.json(400, graphError("BadRequest", "The presence state " + availability + "/" + activity
                        + " is not supported. Supported: Available/Available, Busy/InACall, Busy/InAConferenceCall, "
                        + "Away/Away, DoNotDisturb/Presenting."));
            }
            if (expiration != null) {
                try {
                    length = Duration.parse(expiration);
                } catch (java.time.format.DateTimeParseException e) {
                    return Response.json(400, graphError("BadRequest", "expirationDuration '" + expiration
                            + "' is not an ISO 8601 duration."));
                }
                if (length.compareTo(MIN_SESSION) < 0 || length.compareTo(MAX_SESSION) > 0) {
                    return Response.json(400, graphError("BadRequest", "expirationDuration must be between PT5M and "
                            + "PT4H, but was " + expiration + "."));
                }
            }
        }
        UserState s = users.get(userId);
        if (s == null) {
            return Response.json(404, graphError("NotFound", "User not found"));
        }
        expireSessions(s);
        if (kind == PresenceWrite.Kind.CLEAR) {
            if (s.sessions.remove(token.clientId) == null) {
                return Response.json(404, graphError("NotFound", "The presence session does not exist."));
            }
        } else {
            s.sessions.put(token.clientId, new Session(availability, activity, clock.instant().plus(length)));
        }
        s.sequenceNumber = nextSequence();
        return new Response(200, "", Map.of());
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body == null ? null : body.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    // ---------------------------------------------------------------- helpers

    private UserState findUser(String name) {
        for (UserState s : users.values()) {
            if (name.equalsIgnoreCase(s.user.userPrincipalName()) || name.equalsIgnoreCase(s.user.mail())) {
                return s;
            }
        }
        return null;
    }

    private UserState userByName(String name) {
        UserState s = findUser(name);
        if (s == null) {
            throw new IllegalArgumentException("no emulated user " + name);
        }
        return s;
    }

    private static Map<String, Object> graphError(String code, String message) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("code", code);
        inner.put("message", message);
        inner.put("innerError", Map.of("request-id", UUID.randomUUID().toString(), "date", java.time.Instant.now().toString()));
        return Map.of("error", inner);
    }

    private static ObjectNode aadErrorNode(String error, String description) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", error);
        n.put("error_description", description);
        ArrayNode codes = n.putArray("error_codes");
        String digits = description.replaceAll("^AADSTS(\\d+).*", "$1");
        if (digits.matches("\\d+")) {
            codes.add(Long.parseLong(digits));
        }
        n.put("timestamp", java.time.Instant.now().toString());
        n.put("trace_id", UUID.randomUUID().toString());
        n.put("correlation_id", UUID.randomUUID().toString());
        return n;
    }

    private static Response aadError(int status, String error, String description) {
        return Response.json(status, aadErrorNode(error, description));
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static void writeOversized(java.io.OutputStream out, long bytes) throws IOException {
        byte[] head = "{\"value\":[],\"padding\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\"}".getBytes(StandardCharsets.US_ASCII);
        out.write(head);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (long left = bytes - head.length - tail.length; left > 0; left -= chunk.length) {
            out.write(chunk, 0, (int) Math.min(chunk.length, left));
        }
        out.write(tail);
    }

    private static void writeStalled(java.io.OutputStream out, Duration stall) throws IOException {
        out.write("{\"value\":[".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        try {
            Thread.sleep(stall.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        out.write("]}".getBytes(StandardCharsets.US_ASCII));
    }

    private static Map<String, String> parseForm(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return m;
        }
        for (String pair : s.split("&")) {
            int i = pair.indexOf('=');
            String k = URLDecoder.decode(i < 0 ? pair : pair.substring(0, i), StandardCharsets.UTF_8);
            String v = i < 0 ? "" : URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return b64(b);
    }

    private String randomUserCode() {
        String alphabet = "BCDFGHJKLMNPQRSTVWXZ";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private record Client(String clientId, String secret, PublicKey publicKey, boolean publicClient) {
    }

    /**
     * {@code body} null: a generated error body; {@code status} {@link #DROP}: no answer, the connection is closed;
     * {@link #OVERSIZED}: a 200 whose streamed body has {@code bodyBytes} bytes; {@link #STALL}: a 200 whose body
     * stops after its first bytes for {@code stall}. {@code retryAfterHeader}, when set, is sent verbatim.
     */
    private record Failure(int status, Duration retryAfter, String body, String retryAfterHeader, long bodyBytes, Duration stall) {
        Failure(int status, Duration retryAfter, String body) {
            this(status, retryAfter, body, null, 0, null);
        }
    }

    private static final int DROP = -1;
    private static final int OVERSIZED = -2;
    private static final int STALL = -3;

    private static final class UserState {
        final EmulatedUser user;
        final String password;
        String availability;
        String activity;
        String sequenceNumber;
        long version;
        /** A preferred presence the user set (wins over everything), or null. */
        String preferredAvailability;
        String preferredActivity;
        /** App presence sessions by app id. */
        final Map<String, Session> sessions = new LinkedHashMap<>();

        UserState(EmulatedUser user, String password) {
            this.user = user;
            this.password = password;
        }
    }

    private record Tombstone(String id, String reason, long version) {
    }

    private record Session(String availability, String activity, Instant expiresAt) {
    }

    private static final class Token {
        String clientId;
        String userId;
        String scope;
        Set<String> permissions = Set.of();
        long expiresAtMillis;
    }

    private static final class DeviceCodeState {
        String deviceCode;
        String userCode;
        String clientId;
        String scope;
        long expiresAtMillis;
        int pendingPolls;
        String approvedUserId;
        boolean redeemed;
    }
}
