package dev.teamsconnect.starface;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teamsconnect.core.decorate.Sleeper;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PbxSink} for STARFACE over its public REST API (STARFACE 6.4.2.12 and later): lists users and group
 * members, reads and writes each user's do-not-disturb flag through {@code /rest/users/{id}/phoneconfig}.
 *
 * <p>Capabilities: {@link Capability#DND} and {@link Capability#GROUPS}. Chat status, busy-lamp fields and call
 * state are <em>not</em> available over the REST API (they need a module running inside the PBX); with the bridge
 * module ({@link Builder#bridge}, {@code starface.bridge}) the sink also declares {@link Capability#CHAT_STATUS},
 * {@link Capability#BUSY_LAMP}, {@link Capability#CALL_STATE}, {@link Capability#PBX_CALLS} and
 * {@link Capability#DND_EVENTS} ({@link BridgeFeatures}, docs/starface-bridge.md).
 *
 * <p>Session: logs in on {@link #open()} (or the first call) with the nonce flow or STARFACE 10's OAuth
 * ({@link Builder#login}, default {@link StarfaceLogin#AUTO}: OAuth when a client secret is set and the realm's
 * discovery document answers), renews the token before it ends (nonce token: 4 hours; OAuth: the access token's
 * {@code expires_in}, by the refresh token while it lasts), logs in again once on 401 (concurrent callers share that
 * one login), and logs out on {@link #close()}. A rejected login is a {@link TerminalException} naming the PBX URL,
 * login id and the setting to check; it is remembered for a while so a wrong password or client secret does not
 * cause a login attempt per request.
 *
 * <p>The PBX is a budget. A DND change costs at most two requests: the {@code GET phoneconfig} that the engine's
 * decision was made on is kept for {@link #REUSE_WINDOW} and reused for the {@code PUT} when it still shows the DND
 * value the engine decided from (otherwise the sink reads again). Requests in flight adapt to the PBX
 * (Netflix concurrency-limits, {@code VegasLimit}): the limit grows while the PBX answers as fast as when idle, and
 * shrinks when its answers slow down (a queue builds up on the appliance), when it answers 429/5xx or times out;
 * it starts at 4 and never exceeds {@code parallelism} (default 16).
 *
 * <p>Threading: all methods are thread-safe and blocking. {@link #readStates} and {@link #applyAll} run up to the
 * current limit of requests at a time. Idempotent requests (all GETs and the phoneconfig PUT) are retried on
 * I/O errors, 429 and 5xx with bounded exponential backoff and jitter.
 *
 * <p>Errors: a user the PBX does not know (404) gives an {@link UnknownUserException} for that user only (in the
 * {@link BatchResult} of batch calls); a rejected login, a TLS failure or an unreachable PBX is thrown for the
 * whole call.
 */
public final class StarfacePbxSink implements PbxSink {

    /** The provider id. */
    public static final String ID = "starface";

    private static final Logger LOG = LoggerFactory.getLogger(StarfacePbxSink.class);
    /**
     * How long a phoneconfig read for the engine's decision may be reused for the write. The write replaces the
     * whole object, so a field changed on the PBX in between (another than DND, which is compared) would be
     * overwritten: the same race as any read-modify-write, widened from one round trip to the time between the
     * engine's read and its write (a store commit: usually milliseconds).
     */
    public static final Duration REUSE_WINDOW = Duration.ofSeconds(5);
    /** Failed requests in a row (after their retries) after which the rest of a batch is not tried this time. */
    static final int FAILURES_IN_A_ROW = 3;
    /** The limit of requests in flight the sink starts with (never above {@code parallelism}). */
    static final int INITIAL_LIMIT = 4;

    /** {@code starface.bridge.instance}: a name usable as the first part of an XML-RPC method name. */
    static final java.util.regex.Pattern BRIDGE_INSTANCE = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");
    static final String BRIDGE_INSTANCE_RULE = "must be the bridge module instance's name: a letter, then up to 63"
            + " letters, digits or _ (e.g. TeamsConnectBridge)";
    static final String BRIDGE_SECRET_RULE = "must be the secret set in the bridge module's instance, at least "
            + dev.teamsconnect.starface.bridge.BridgeProtocol.MIN_SECRET + " characters (use ${STARFACE_BRIDGE_SECRET})";

    /** Default of {@code starface.recheckInterval}. */
    public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofSeconds(60);
    private static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DND, Capability.GROUPS));
    private static final Set<Capability> BRIDGE_CAPABILITIES = Set.copyOf(EnumSet.of(Capability.DND, Capability.GROUPS,
            Capability.CHAT_STATUS, Capability.BUSY_LAMP, Capability.CALL_STATE, Capability.PBX_CALLS,
            Capability.DND_EVENTS));

    private final StarfaceRestClient client;
    private final int parallelism;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final String loginId;
    private final Duration recheckInterval;
    private final Clock clock;
    private final com.netflix.concurrency.limits.limiter.SimpleLimiter<Void> limiter;
    private final com.netflix.concurrency.limits.Limiter<Void> blockingLimiter;
    // phoneconfigs read for the engine's decisions, reused for the write within REUSE_WINDOW
    private final Map<String, Read> lastRead = new ConcurrentHashMap<>();
    private volatile boolean closed;
    // with a bridge (starface.bridge): chat status, BLF keys, call state, DND events; null without
    private final BridgeFeatures bridge;
    private final Set<Capability> capabilities;
    // the ids of the last user listing, hinted when the bridge lost DND events
    private volatile Set<String> listedIds = Set.of();

    private record Read(ObjectNode config, long atMillis) {
    }

    private StarfacePbxSink(Builder b, StarfaceRestClient client, ExecutorService executor, boolean ownsExecutor) {
        this.client = client;
        this.parallelism = b.parallelism;
        this.executor = executor;
        this.ownsExecutor = ownsExecutor;
        this.loginId = b.loginId;
        this.recheckInterval = b.recheckInterval;
        this.clock = b.clock;
        this.bridge = b.bridgeInstance == null ? null : new BridgeFeatures(
                new StarfaceBridge(client, b.bridgeInstance, b.bridgeSecret, b.keyPrefix), b.bridgeEventInterval,
                () -> listedIds);
        this.capabilities = bridge == null ? CAPABILITIES : BRIDGE_CAPABILITIES;
        com.netflix.concurrency.limits.limit.VegasLimit limit = com.netflix.concurrency.limits.limit.VegasLimit.newBuilder()
                .initialLimit(Math.min(INITIAL_LIMIT, b.parallelism))
                .maxConcurrency(b.parallelism)
                // a small queue on the appliance is enough to keep its workers busy: grow while fewer than 2
                // requests wait there, shrink above 3. The library's defaults (3 and 6 times log10 of the limit, and
                // a jump of 6 whenever no queue shows) let an appliance of 8 workers carry a queue of 8 (measured in
                // docs/benchmarks.md); smoothing keeps one noisy answer from moving the limit
                .alpha(2)
                .beta(3)
                .thresholdFunction(current -> 0)
                .smoothing(0.2)
                .build();
        this.limiter = com.netflix.concurrency.limits.limiter.SimpleLimiter.newBuilder().named("starface").limit(limit).build();
        // a worker waits for a slot at most one request's deadline; then the user fails this round (retried next cycle)
        this.blockingLimiter = com.netflix.concurrency.limits.limiter.BlockingLimiter.wrap(limiter, b.requestTimeout);
    }

    /** The current limit of requests in flight (adapts between 1 and {@code parallelism}). */
    public int currentLimit() {
        return limiter.getLimit();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    /** {@code starface.recheckInterval}: how often a settled user's DND is read again (default 60 s). */
    @Override
    public Duration recheckInterval() {
        return recheckInterval;
    }

    /** {@code starface <baseUrl>}: the REST API reports nothing more stable about the appliance itself. */
    @Override
    public java.util.Optional<String> identity() {
        return java.util.Optional.of(ID + " " + client.baseUrl());
    }

    /** Logs in; fails fast on bad credentials, TLS problems or an unreachable PBX. */
    @Override
    public void open() {
        requireNotClosed();
        client.ensureSession();
        LOG.info("Connected to STARFACE {} as '{}' ({} login)", client.baseUrl(), loginId,
                client.loginInUse().map(StarfaceLogin::code).orElse("unknown"));
        if (bridge != null) {
            bridge.open();
        }
    }

    /** With a bridge: whether it answers, and its version (or why not, with the fix). */
    @Override
    public List<dev.teamsconnect.core.spi.CheckNote> checkNotes() {
        return bridge == null ? List.of() : bridge.checkNotes();
    }

    /** With a bridge: the users on a PBX call as its events last said. Without: none. Never blocks. */
    @Override
    public Set<String> usersOnCall() {
        return bridge == null ? Set.of() : bridge.usersOnCall();
    }

    /** With a bridge: {@code changed} hears of DND changes the bridge reports (not those this sink wrote). */
    @Override
    public void onDndChanged(java.util.function.Consumer<Set<String>> changed) {
        if (bridge != null) {
            bridge.onDndChanged(changed);
        }
    }

    /** {@code GET /rest/users}: every user the account can see. */
    @Override
    public List<PbxUser> listUsers() {
        requireNotClosed();
        StarfaceRestClient.Response r = client.call("GET", "/rest/users", null, true);
        if (r.status() != 200) {
            throw client.statusError(r, "listing users");
        }
        JsonNode body = client.parse(r);
        if (!body.isArray()) {
            throw client.malformed(r, "expected a JSON array of users");
        }
        List<PbxUser> out = new ArrayList<>(body.size());
        int i = 0;
        for (JsonNode u : body) {
            out.add(toUser(r, u, i++));
        }
        Set<String> ids = new HashSet<>(out.size() * 2);
        out.forEach(u -> ids.add(u.id()));
        listedIds = Set.copyOf(ids);
        return out;
    }

    private PbxUser toUser(StarfaceRestClient.Response r, JsonNode u, int index) {
        String at = "element " + index;
        if (!u.isObject()) {
            throw client.malformed(r, at + " is not an object");
        }
        if (!u.path("id").isIntegralNumber()) {
            throw client.malformed(r, at + " has no numeric \"id\"");
        }
        if (!u.path("login").isTextual()) {
            throw client.malformed(r, at + " (id " + u.get("id").asText() + ") has no string \"login\"");
        }
        String first = optionalText(r, u, "firstName", at);
        String family = optionalText(r, u, "familyName", at);
        String name = ((first == null ? "" : first) + " " + (family == null ? "" : family)).trim();
        return new PbxUser(u.get("id").asText(), u.get("login").asText(), optionalText(r, u, "email", at), name);
    }

    private String optionalText(StarfaceRestClient.Response r, JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw client.malformed(r, at + " has a non-string \"" + field + "\"");
        }
        return v.asText();
    }

    /**
     * The members of the STARFACE group with this name: {@code GET /rest/groups}, the group whose
     * {@code groupname} equals {@code groupName} (exactly, else ignoring case if that is unique), then
     * {@code GET /rest/groups/{id}} and its {@code assignableUsers} with {@code assigned: true}, completed from
     * {@code GET /rest/users}.
     *
     * @throws TerminalException when no group or more than one group has that name
     */
    @Override
    public List<PbxUser> listGroupMembers(String groupName) {
        requireNotClosed();
        // The reference does not say how searchTerm matches, so the list is fetched whole and filtered here.
        StarfaceRestClient.Response r = client.call("GET", "/rest/groups", null, true);
        if (r.status() != 200) {
            throw client.statusError(r, "listing groups");
        }
        JsonNode groups = client.parse(r);
        if (!groups.isArray()) {
            throw client.malformed(r, "expected a JSON array of groups");
        }
        List<JsonNode> exact = new ArrayList<>();
        List<JsonNode> ignoringCase = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int i = 0;
        for (JsonNode g : groups) {
            if (!g.isObject() || !g.path("id").isIntegralNumber() || !g.path("groupname").isTextual()) {
                throw client.malformed(r, "element " + i + " needs a numeric \"id\" and a string \"groupname\"");
            }
            i++;
            String name = g.get("groupname").asText();
            names.add(name);
            if (name.equals(groupName)) {
                exact.add(g);
            } else if (name.toLowerCase(Locale.ROOT).equals(groupName.toLowerCase(Locale.ROOT))) {
                ignoringCase.add(g);
            }
        }
        List<JsonNode> candidates = !exact.isEmpty() ? exact : ignoringCase;
        if (candidates.isEmpty()) {
            throw new TerminalException("STARFACE at " + client.baseUrl() + " has no group named \"" + groupName
                    + "\"; groups visible to '" + loginId + "': " + names);
        }
        if (candidates.size() > 1) {
            throw new TerminalException("STARFACE at " + client.baseUrl() + " has " + candidates.size()
                    + " groups named \"" + groupName + "\"; rename one so the name is unique");
        }
        String groupId = candidates.get(0).get("id").asText();
        StarfaceRestClient.Response gr = client.call("GET", "/rest/groups/" + groupId, null, true);
        if (gr.status() != 200) {
            throw client.statusError(gr, "reading group \"" + groupName + "\"");
        }
        JsonNode group = client.parse(gr);
        if (!group.isObject() || !group.path("assignableUsers").isArray()) {
            throw client.malformed(gr, "expected an object with an \"assignableUsers\" array");
        }
        Set<String> memberIds = new HashSet<>();
        i = 0;
        for (JsonNode a : group.get("assignableUsers")) {
            if (!a.isObject() || !a.path("id").isIntegralNumber() || !a.path("assigned").isBoolean()) {
                throw client.malformed(gr, "assignableUsers[" + i + "] needs a numeric \"id\" and a boolean \"assigned\"");
            }
            i++;
            if (a.get("assigned").booleanValue()) {
                memberIds.add(a.get("id").asText());
            }
        }
        return listUsers().stream().filter(u -> memberIds.contains(u.id())).toList();
    }

    /**
     * {@code GET /rest/users/{id}/phoneconfig}: the user's DND flag. The object is kept for {@link #REUSE_WINDOW},
     * so that a write decided on it needs no second read.
     */
    @Override
    public PbxState readState(PbxUser user) {
        PbxState dnd = readDnd(user);
        if (bridge == null) {
            return dnd;
        }
        Map<String, TeamsConnectException> failed = new java.util.HashMap<>();
        Map<String, PbxState> withChat = bridge.withChat(Map.of(user.id(), dnd), failed);
        if (!failed.isEmpty()) {
            throw failed.get(user.id());
        }
        return withChat.get(user.id());
    }

    private PbxState readDnd(PbxUser user) {
        ObjectNode config = readPhoneConfig(user);
        lastRead.put(user.id(), new Read(config, clock.millis()));
        return PbxState.dnd(config.get("doNotDisturb").booleanValue());
    }

    /**
     * Read-modify-write of the phoneconfig: the phoneconfig the engine's decision was read from when it is at most
     * {@link #REUSE_WINDOW} old and shows {@code change.from()}'s DND, otherwise a fresh read; if
     * {@code doNotDisturb} differs from the wanted value, the whole object is written back with only that field
     * changed. With the bridge, the chat status text and the BLF state are written next ({@link BridgeFeatures#apply});
     * without it the chat status is ignored (not declared). Idempotent.
     */
    @Override
    public void apply(PbxChange change) {
        applyDnd(change);
        if (bridge != null) {
            bridge.apply(change);
        }
    }

    /** The DND part of {@link #apply}: the read-modify-write of the phoneconfig. */
    private void applyDnd(PbxChange change) {
        PbxUser user = change.user();
        Read read = lastRead.remove(user.id());
        ObjectNode config = read != null && clock.millis() - read.atMillis() <= REUSE_WINDOW.toMillis()
                && read.config().get("doNotDisturb").booleanValue() == change.from().dnd()
                ? read.config() : readPhoneConfig(user);
        boolean wanted = change.to().dnd();
        if (config.get("doNotDisturb").booleanValue() == wanted) {
            LOG.debug("DND of {} is already {}; nothing to write", user.label(), wanted);
        } else {
            putDnd(user, config, wanted);
        }
    }

    private void putDnd(PbxUser user, ObjectNode config, boolean wanted) {
        config.put("doNotDisturb", wanted);
        String path = phoneConfigPath(user);
        if (bridge != null) {
            bridge.wroteDnd(user, wanted); // before the write: the bridge's event for it may be read before it returns
        }
        // Between our GET and PUT the user could press the key; the last writer wins. The REST API offers no
        // conditional write (the reference mentions no ETag/version), so this window cannot be closed here.
        StarfaceRestClient.Response r = client.call("PUT", path, config, true);
        if (r.status() == 404) {
            throw unknownUser(user);
        }
        if (r.status() != 204 && r.status() != 200) {
            throw client.statusError(r, "setting DND of " + user.label());
        }
        LOG.debug("DND of {} set to {}", user.label(), wanted);
    }

    /** Reads all users' states, with the adaptive limit of requests in flight. */
    @Override
    public BatchResult<PbxState> readStates(Collection<PbxUser> users) {
        forgetOldReads();
        BatchResult<PbxState> dnd = inParallel(List.copyOf(users), PbxUser::id, this::readDnd);
        if (bridge == null) {
            return dnd;
        }
        Map<String, TeamsConnectException> failures = new java.util.HashMap<>(dnd.failures());
        return new BatchResult<>(bridge.withChat(dnd.values(), failures), failures);
    }

    /** Reads older than the reuse window are of no use; keeps the cache as small as one batch. */
    private void forgetOldReads() {
        long oldest = clock.millis() - REUSE_WINDOW.toMillis();
        lastRead.values().removeIf(r -> r.atMillis() < oldest);
    }

    /** Applies all changes, with the adaptive limit of requests in flight. */
    @Override
    public BatchResult<PbxState> applyAll(List<PbxChange> changes) {
        if (bridge == null) {
            return inParallel(changes, c -> c.user().id(), c -> {
                apply(c);
                return c.to();
            });
        }
        // every DND first, then the chat texts and BLF states: a caller is not rung into a Teams call while the
        // bridge writes the texts of other users (a failed text fails that user's change; the engine retries it)
        BatchResult<PbxState> dnd = inParallel(changes, c -> c.user().id(), c -> {
            applyDnd(c);
            return c.to();
        });
        List<PbxChange> written = changes.stream().filter(c -> dnd.values().containsKey(c.user().id())).toList();
        Map<String, TeamsConnectException> failures = new java.util.HashMap<>(dnd.failures());
        try {
            BatchResult<PbxState> rest = inParallel(written, c -> c.user().id(), c -> {
                bridge.apply(c);
                return c.to();
            });
            failures.putAll(rest.failures());
            return new BatchResult<>(rest.values(), failures);
        } catch (TeamsConnectException e) {
            // the bridge is away: the DND writes stand, these users' changes are retried for their chat texts
            written.forEach(c -> failures.put(c.user().id(), e));
            return new BatchResult<>(Map.of(), failures);
        }
    }

    /**
     * Logs out ({@code DELETE /rest/login}) and stops the sink's own threads. Idempotent, never throws; afterwards
     * every other method throws {@link IllegalStateException}.
     */
    @Override
    public void close() {
        closed = true;
        if (bridge != null) {
            bridge.close();
        }
        lastRead.clear();
        client.logout();
        if (ownsExecutor) {
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "StarfacePbxSink[" + client.baseUrl() + ", login=" + loginId + " (" + client.loginMode().code()
                + client.loginInUse().filter(l -> client.loginMode() == StarfaceLogin.AUTO).map(l -> ": " + l.code()).orElse("")
                + "), parallelism=" + parallelism
                + ", limit=" + limiter.getLimit() + "]";
    }

    // -------------------------------------------------------------------------------------------------------

    private void requireNotClosed() {
        if (closed) {
            throw new IllegalStateException("this STARFACE sink is closed");
        }
    }

    private ObjectNode readPhoneConfig(PbxUser user) {
        requireNotClosed();
        StarfaceRestClient.Response r = client.call("GET", phoneConfigPath(user), null, true);
        if (r.status() == 404) {
            throw unknownUser(user);
        }
        if (r.status() != 200) {
            throw client.statusError(r, "reading DND of " + user.label());
        }
        JsonNode n = client.parse(r);
        if (!n.isObject() || !n.path("doNotDisturb").isBoolean()) {
            throw client.malformed(r, "expected a phoneconfig object with a boolean \"doNotDisturb\"");
        }
        return (ObjectNode) n;
    }

    private String phoneConfigPath(PbxUser user) {
        if (!user.id().matches("\\d{1,10}")) {
            throw new UnknownUserException(user.id(), "STARFACE user ids are numbers, but " + user.label()
                    + " has id \"" + user.id() + "\"");
        }
        return "/rest/users/" + user.id() + "/phoneconfig";
    }

    private UnknownUserException unknownUser(PbxUser user) {
        return new UnknownUserException(user.id(), "STARFACE at " + client.baseUrl() + " does not know user id "
                + user.id() + " (" + user.label() + ")");
    }

    /**
     * Runs {@code op} for every item with at most {@code parallelism} in flight. Per-user failures go into the
     * result; a failure of the whole backend (rejected login, TLS, unreachable PBX) stops the batch and is thrown.
     */
    private <T> BatchResult<PbxState> inParallel(List<T> items, Function<T, String> idOf, Function<T, PbxState> op) {
        requireNotClosed();
        if (items.isEmpty()) {
            return BatchResult.of(Map.of());
        }
        client.ensureSession(); // a login failure is one failure for the batch, not one per user
        Map<String, PbxState> values = new ConcurrentHashMap<>();
        Map<String, TeamsConnectException> failures = new ConcurrentHashMap<>();
        AtomicReference<RuntimeException> fatal = new AtomicReference<>();
        AtomicInteger failedInARow = new AtomicInteger();
        ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>(items);
        Runnable worker = () -> {
            T item;
            while (fatal.get() == null && (item = queue.poll()) != null) {
                String id = idOf.apply(item);
                java.util.Optional<com.netflix.concurrency.limits.Limiter.Listener> slot = blockingLimiter.acquire(null);
                if (slot.isEmpty()) {
                    failures.put(id, new RetryableException("no request slot to STARFACE at " + client.baseUrl()
                            + " within the request timeout (the PBX is slow); retried next cycle"));
                    continue;
                }
                try {
                    values.put(id, op.apply(item));
                    slot.get().onSuccess();
                    failedInARow.set(0);
                } catch (UnknownUserException e) {
                    slot.get().onSuccess(); // an ordinary answer of the PBX
                    failedInARow.set(0);
                    failures.put(id, e);
                } catch (StarfaceRestClient.BackendTerminalException | StarfaceRestClient.BackendUnreachableException e) {
                    slot.get().onDropped();
                    fatal.compareAndSet(null, e);
                } catch (RetryableException e) {
                    slot.get().onDropped(); // 429, 5xx, a timeout: the PBX is overloaded
                    failures.put(id, e);
                    // a PBX that stops answering must not cost every user of the batch its own timeouts: after a few
                    // failures in a row the rest of the batch waits for the next cycle
                    if (failedInARow.incrementAndGet() >= FAILURES_IN_A_ROW) {
                        fatal.compareAndSet(null, new StarfaceRestClient.BackendUnreachableException("STARFACE at "
                                + client.baseUrl() + " failed " + FAILURES_IN_A_ROW + " requests in a row (last: "
                                + e.getMessage() + "); the rest of this batch waits for the next cycle", e));
                    }
                } catch (TeamsConnectException e) {
                    slot.get().onIgnore();
                    failures.put(id, e);
                } catch (RuntimeException e) {
                    slot.get().onIgnore();
                    fatal.compareAndSet(null, e);
                }
            }
        };
        int workers = Math.min(parallelism, items.size());
        if (workers == 1) {
            worker.run();
        } else {
            List<Future<?>> futures = new ArrayList<>(workers);
            for (int i = 0; i < workers; i++) {
                futures.add(executor.submit(worker));
            }
            try {
                for (Future<?> f : futures) {
                    f.get();
                }
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new RetryableException("interrupted while talking to STARFACE at " + client.baseUrl(), e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a STARFACE worker failed unexpectedly", e.getCause());
            }
        }
        if (fatal.get() != null) {
            throw fatal.get();
        }
        return new BatchResult<>(values, failures);
    }

    // =======================================================================================================

    /**
     * Builds a {@link StarfacePbxSink}. Required: {@link #baseUrl}, {@link #loginId}, {@link #password}. Every
     * check names the config key it corresponds to ({@code starface.baseUrl}, ...). No network I/O happens here.
     */
    public static final class Builder {
        private String keyPrefix = "starface";
        private URI baseUrl;
        private String loginId;
        private String password;
        private StarfaceLogin login = StarfaceLogin.AUTO;
        private String oauthClientId = StarfaceOAuth.DEFAULT_CLIENT_ID;
        private String oauthClientSecret;
        private final List<X509Certificate> trustedCertificates = new ArrayList<>();
        private byte[] pin;
        private HttpClient httpClient;
        private int parallelism = 16;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxRetries = 3;
        private ExecutorService executor;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.REAL;
        private Duration backoffBase = Duration.ofMillis(200);
        private Duration backoffMax = Duration.ofSeconds(5);
        private Duration tokenLifetime = Duration.ofHours(4);
        private Duration loginFailureHold = Duration.ofMinutes(5);
        private Duration recheckInterval = DEFAULT_RECHECK_INTERVAL;
        private java.util.Random random = new java.util.Random();
        private String bridgeInstance;
        private String bridgeSecret;
        private Duration bridgeEventInterval = BridgeFeatures.DEFAULT_EVENT_INTERVAL;

        private Builder() {
        }

        /** Used by the provider so messages name the real config path. */
        Builder keyPrefix(String prefix) {
            this.keyPrefix = prefix;
            return this;
        }

        private String key(String name) {
            return keyPrefix.isEmpty() ? name : keyPrefix + "." + name;
        }

        /** The PBX address, e.g. {@code https://pbx.example.com} (a trailing {@code /rest} is accepted). */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = baseUrl;
            return this;
        }

        /** The API account's login id (e.g. {@code 0001}). */
        public Builder loginId(String loginId) {
            this.loginId = loginId;
            return this;
        }

        /** The API account's password; kept in memory only, never logged. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /**
         * How to sign in (default {@link StarfaceLogin#AUTO}: OAuth when {@link #oauthClientSecret} is set and the
         * realm's discovery document answers, otherwise the nonce login).
         */
        public Builder login(StarfaceLogin login) {
            this.login = login;
            return this;
        }

        /** The OAuth client id (default {@code rest-client-headless}). */
        public Builder oauthClientId(String clientId) {
            this.oauthClientId = clientId;
            return this;
        }

        /** The OAuth client secret from the admin UI (Server, Status, REST-API); kept in memory only, never logged. */
        public Builder oauthClientSecret(String clientSecret) {
            this.oauthClientSecret = clientSecret;
            return this;
        }

        /** Trusts the certificates in this PEM file in addition to the JVM's defaults. */
        public Builder trustCertificates(Path pemFile) {
            trustedCertificates.addAll(StarfaceTls.readCertificates(key("tls.certificate"), pemFile));
            return this;
        }

        /** Trusts this certificate in addition to the JVM's defaults. */
        public Builder trustCertificate(X509Certificate certificate) {
            trustedCertificates.add(certificate);
            return this;
        }

        /** Requires the server certificate's SHA-256 fingerprint (64 hex digits, colons allowed, or {@code sha256/<base64>}) on top of normal trust. */
        public Builder pin(String sha256Fingerprint) {
            this.pin = sha256Fingerprint == null ? null : StarfaceTls.parsePin(key("tls.pin"), sha256Fingerprint);
            return this;
        }

        /** Uses this client instead of building one (then TLS and connect timeout are the client's own). */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        /**
         * The most requests in flight in {@link #readStates}/{@link #applyAll} (default 16, 1..64): the cap of the
         * adaptive limit, which starts at 4.
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Timeout of each request (default 10 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Retries of an idempotent request after I/O errors, 429 or 5xx (default 3, 0..10). */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** Runs batch workers here (not shut down by the sink); default: the sink's own pool of {@code parallelism} threads. */
        public Builder executor(ExecutorService executor) {
            this.executor = executor;
            return this;
        }

        /** Time source for token renewal (default the system clock). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** How to wait between retries (default {@link Thread#sleep}). */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = sleeper;
            return this;
        }

        /** First backoff and its cap (defaults 200 ms and 5 s); each retry doubles, with jitter. */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /** Token lifetime (default 4 hours, per STARFACE's documentation); the sink renews shortly before. */
        public Builder tokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        /** How long a rejected login is remembered before the next attempt (default 5 minutes). */
        public Builder loginFailureHold(Duration hold) {
            this.loginFailureHold = hold;
            return this;
        }

        /**
         * How often the DND of a user whose wanted state did not change is read again to notice a change by hand
         * (default 60 s; {@link Duration#ZERO} = every cycle). See {@link PbxSink#recheckInterval()}.
         */
        public Builder recheckInterval(Duration interval) {
            this.recheckInterval = interval;
            return this;
        }

        /** The randomness of the backoff jitter (default an unseeded {@link java.util.Random}); seed it in tests. */
        public Builder random(java.util.Random random) {
            this.random = random;
            return this;
        }

        /**
         * {@code starface.bridge}: use the bridge module inside the PBX (docs/starface-bridge.md) for chat status,
         * BLF keys, call state and DND events. {@code instance} is the module instance's name (the first part of the
         * XML-RPC method names); {@code secret} the secret set in that instance, at least
         * {@value dev.teamsconnect.starface.bridge.BridgeProtocol#MIN_SECRET} characters.
         */
        public Builder bridge(String instance, String secret) {
            this.bridgeInstance = instance;
            this.bridgeSecret = secret;
            return this;
        }

        /** How often the bridge's events are read (default 1 s). */
        public Builder bridgeEventInterval(Duration interval) {
            this.bridgeEventInterval = interval;
            return this;
        }

        /** Checks every setting and builds the sink (no I/O). */
        public StarfacePbxSink build() {
            URI base = normalise(baseUrl);
            if (loginId == null || loginId.isBlank()) {
                throw new ConfigException(key("loginId"), "is required but missing");
            }
            if (password == null || password.isEmpty()) {
                throw new ConfigException(key("password"), "is required but missing");
            }
            if (login == null) {
                throw new ConfigException(key("login"), "must be auto, nonce or oauth, but was null");
            }
            if (oauthClientId == null || oauthClientId.isBlank() || !oauthClientId.strip().equals(oauthClientId)
                    || oauthClientId.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException(key("oauth.clientId"), "must be a client id without spaces, like rest-client-headless");
            }
            String secret = oauthClientSecret == null || oauthClientSecret.isEmpty() ? null : oauthClientSecret;
            if (login == StarfaceLogin.OAUTH && secret == null) {
                throw new ConfigException(key("oauth.clientSecret"), "is required when " + key("login")
                        + " is oauth (the admin UI shows it under Server, Status, REST-API)");
            }
            if (parallelism < 1 || parallelism > 64) {
                throw new ConfigException(key("parallelism"), "must be between 1 and 64, but was " + parallelism);
            }
            if (maxRetries < 0 || maxRetries > 10) {
                throw new ConfigException(key("maxRetries"), "must be between 0 and 10, but was " + maxRetries);
            }
            requirePositive("connectTimeout", connectTimeout);
            requirePositive("requestTimeout", requestTimeout);
            requirePositive("tokenLifetime", tokenLifetime);
            if (recheckInterval == null || recheckInterval.isNegative()) {
                throw new ConfigException(key("recheckInterval"), "must be >= 0 (0s = every cycle), but was " + recheckInterval);
            }
            if (backoffBase == null || backoffMax == null || backoffBase.isNegative() || backoffMax.compareTo(backoffBase) < 0) {
                throw new IllegalArgumentException("backoff needs 0 <= base <= max, but was " + backoffBase + ", " + backoffMax);
            }
            if (clock == null || sleeper == null || loginFailureHold == null) {
                throw new IllegalArgumentException("clock, sleeper and loginFailureHold must not be null");
            }
            if (bridgeInstance != null || bridgeSecret != null) {
                if (bridgeInstance == null || !BRIDGE_INSTANCE.matcher(bridgeInstance).matches()) {
                    throw new ConfigException(key("bridge.instance"), BRIDGE_INSTANCE_RULE);
                }
                if (bridgeSecret == null || bridgeSecret.length() < dev.teamsconnect.starface.bridge.BridgeProtocol.MIN_SECRET) {
                    throw new ConfigException(key("bridge.secret"), BRIDGE_SECRET_RULE);
                }
                requirePositive("bridgeEventInterval", bridgeEventInterval);
            }
            // before the client exists: its selector thread reads the JDK's log switch as soon as it is built
            StarfaceHttpLogGuard.apply();
            HttpClient http = httpClient;
            if (http == null) {
                HttpClient.Builder hb = HttpClient.newBuilder()
                        // HTTP/1.1 keep-alive: one pooled connection per parallel request. (STARFACE's HTTP/2 support
                        // is not documented in the reference.)
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER);
                if (base.getScheme().equals("https")) {
                    hb.sslContext(StarfaceTls.context(trustedCertificates, pin));
                }
                http = hb.build();
            } else if (!trustedCertificates.isEmpty() || pin != null) {
                throw new ConfigException(key("tls"), "cannot be combined with an injected HttpClient; configure TLS on that client");
            }
            if (base.getScheme().equals("http") && (!trustedCertificates.isEmpty() || pin != null)) {
                throw new ConfigException(key("tls"), "is set, but " + key("baseUrl") + " is plain http://" );
            }
            StarfaceRestClient.SignIn signIn = new StarfaceRestClient.SignIn(login, loginId.trim(), password, oauthClientId, secret);
            StarfaceRestClient client = new StarfaceRestClient(base, signIn, http, requestTimeout,
                    maxRetries, clock, sleeper, backoffBase, backoffMax, tokenLifetime, loginFailureHold, random);
            boolean owns = executor == null;
            ExecutorService pool = executor;
            if (owns) {
                AtomicInteger n = new AtomicInteger();
                pool = Executors.newFixedThreadPool(parallelism, r -> {
                    Thread t = new Thread(r, "starface-sink-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
            return new StarfacePbxSink(this, client, pool, owns);
        }

        private void requirePositive(String name, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new ConfigException(key(name), "must be > 0, but was " + d);
            }
        }

        private URI normalise(URI uri) {
            if (uri == null) {
                throw new ConfigException(key("baseUrl"), "is required but missing");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new ConfigException(key("baseUrl"), "must be an http or https URL like https://pbx.example.com, but was \"" + uri + "\"");
            }
            if (uri.getRawUserInfo() != null) {
                // Never keep credentials in a URL: it ends up in every message.
                throw new ConfigException(key("baseUrl"), "must not contain a user name or password; use loginId and password");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new ConfigException(key("baseUrl"), "must not have a query or fragment, but was \"" + uri + "\"");
            }
            String path = uri.getPath() == null ? "" : uri.getPath();
            path = path.replaceAll("/+$", "");
            if (path.endsWith("/rest")) {
                path = path.substring(0, path.length() - "/rest".length());
            }
            return URI.create(scheme + "://" + uri.getRawAuthority() + path + "/");
        }
    }
}
