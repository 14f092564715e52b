package dev.teamsconnect.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfig;
import com.hivemq.client.mqtt.MqttClientTransportConfigBuilder;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientConnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3ClientBuilder;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.tls.ServerTrust;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code mqtt} status output: each user's status as retained JSON on {@code <prefix>/<user key>/state}
 * (QoS 1), an availability topic {@code <prefix>/availability} ({@code online}, and {@code offline} as the last will
 * and on a clean stop), and optionally Home Assistant MQTT discovery configs (a presence {@code sensor} and a busy
 * {@code binary_sensor} per user). Topics and payloads: {@link MqttTopics}, {@link MqttPayloads},
 * docs/outputs.md, "MQTT".
 *
 * <p>Connection: MQTT 3.1.1 over TCP or TLS with a clean session. After a lost connection (or a failed first
 * connect) the client reconnects in the background, waiting {@link Backoff#delay} between attempts (bounded by the
 * backoff's maximum); after every (re)connect it publishes {@code online} and again every status and discovery config
 * it knows, so a broker that restarted without its retained messages has them back at once, not only at the next
 * re-publish. A broker that rejects the login is not retried in the background: {@link #publish} then throws a
 * {@link TerminalException} until {@link #open()} is called again.
 *
 * <p>Blocking: {@link #open()} waits at most the connect timeout; {@link #publish} and {@link #remove} return at
 * once with a {@link RetryableException} while the client is not connected, and otherwise wait at most the publish
 * timeout for the broker's acknowledgements; {@link #close()} waits at most one publish timeout plus one connect
 * timeout. Called one method at a time (see {@link StatusOutput}); the client's own threads only run the
 * reconnect and republish steps, which never block.
 */
public final class MqttStatusOutput implements StatusOutput {

    public static final String ID = "mqtt";
    static final Duration DEFAULT_REPUBLISH_INTERVAL = dev.teamsconnect.core.output.OutputSettings.DEFAULT_REPUBLISH_INTERVAL;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(10);
    static final Backoff DEFAULT_RECONNECT_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
    static final int KEEP_ALIVE_SECONDS = 30;
    /**
     * At most this many messages wait for the broker's acknowledgement: a broker that takes messages slower than the
     * host re-delivers them would otherwise grow the client's queue without end.
     */
    static final int MAX_IN_FLIGHT = 10_000;

    private static final Logger log = LoggerFactory.getLogger(MqttStatusOutput.class);

    private final URI url;
    private final boolean tls;
    private final String username;
    private final byte[] password;
    private final MqttTopics topics;
    private final MqttPayloads payloads;
    private final boolean homeAssistant;
    private final Duration republishInterval;
    private final ServerTrust trust;
    private final Duration connectTimeout;
    private final Duration publishTimeout;
    private final Backoff reconnectBackoff;
    private final Random random;
    private final String clientId;

    /** The latest status of every user in scope, for the republish after a reconnect. Guarded by {@link #sendLock}. */
    private final Map<String, OutputStatus> latest = new ConcurrentHashMap<>();
    /** Users whose discovery configs the broker acknowledged on the current connection. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();
    /** Sending order: a republish after a reconnect never overtakes a newer status (QoS 1 keeps the order of sends). */
    private final Object sendLock = new Object();
    private final Object stateLock = new Object();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean connectedBefore;

    private Mqtt3AsyncClient client;            // guarded by stateLock
    private volatile boolean closed;
    private volatile boolean stopReconnecting;
    private volatile String lastProblem = "not connected yet";
    private volatile TerminalException rejected;

    private MqttStatusOutput(Builder b) {
        this.url = Objects.requireNonNull(b.url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
            throw new IllegalArgumentException("url must be tcp:// or ssl://, but was " + scheme + "://");
        }
        if (url.getHost() == null || url.getUserInfo() != null) {
            throw new IllegalArgumentException("url must have a host and no user info");
        }
        this.tls = scheme.equals("ssl");
        this.username = b.username;
        this.password = b.password == null ? null : b.password.getBytes(StandardCharsets.UTF_8);
        if (password != null && username == null) {
            throw new IllegalArgumentException("a password needs a username (MQTT 3.1.1)");
        }
        this.topics = new MqttTopics(b.topicPrefix, b.discoveryPrefix);
        this.payloads = new MqttPayloads(topics);
        this.homeAssistant = b.homeAssistant;
        this.republishInterval = positive(b.republishInterval, "republishInterval");
        this.trust = Objects.requireNonNull(b.trust, "trust");
        if (trust.isCustomized() && !tls) {
            throw new IllegalArgumentException("tls trust is set, but the url is tcp://");
        }
        this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
        this.publishTimeout = positive(b.publishTimeout, "publishTimeout");
        this.reconnectBackoff = Objects.requireNonNull(b.reconnectBackoff, "reconnectBackoff");
        this.random = Objects.requireNonNull(b.random, "random");
        this.clientId = b.clientId != null ? b.clientId : "teamsconnect-" + topics.nodeId();
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + d);
        }
        return d;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return ID;
    }

    /** How often the output host sends every user's status again: the entry's {@code republishInterval}. */
    public Optional<Duration> republishInterval() {
        return Optional.of(republishInterval);
    }

    /** The broker address without credentials, e.g. {@code ssl://broker.example.com:8883}. */
    public String broker() {
        return (tls ? "ssl" : "tcp") + "://" + url.getHost() + ":" + port();
    }

    /** The MQTT client id: {@code teamsconnect-<node id>}, one per topic prefix. */
    public String clientId() {
        return clientId;
    }

    /** Whether the client is connected now. */
    public boolean isConnected() {
        Mqtt3AsyncClient c;
        synchronized (stateLock) {
            c = client;
        }
        return c != null && c.getState().isConnected();
    }

    /** How many times the client connected again after a lost or failed connection. */
    public int reconnects() {
        return reconnects.get();
    }

    private int port() {
        return url.getPort() > 0 ? url.getPort() : tls ? 8883 : 1883;
    }

    @Override
    public void open() {
        if (closed) {
            throw new IllegalStateException("mqtt output to " + broker() + " is closed");
        }
        Mqtt3AsyncClient c;
        synchronized (stateLock) {
            if (client == null || stopReconnecting) {
                stopReconnecting = false;
                rejected = null;
                if (client == null) {
                    client = buildClient();
                }
                c = client;
                connect(c);
            } else {
                c = client;
            }
        }
        awaitConnected(c);
    }

    private void connect(Mqtt3AsyncClient c) {
        c.connectWith().cleanSession(true).keepAlive(KEEP_ALIVE_SECONDS).send().whenComplete((ack, error) -> {
            if (error != null) {
                log.debug("mqtt {}: connect failed: {}", broker(), describe(error));
            }
        });
    }

    /** Waits (at most the connect timeout) for the connection; the reconnects go on in the background. */
    private void awaitConnected(Mqtt3AsyncClient c) {
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        synchronized (stateLock) {
            while (!c.getState().isConnected() && rejected == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(stateLock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RetryableException("mqtt " + broker() + ": interrupted while connecting", e);
                }
            }
        }
        requireConnected(c);
    }

    private void requireConnected(Mqtt3AsyncClient c) {
        TerminalException r = rejected;
        if (r != null) {
            throw r;
        }
        if (c == null || !c.getState().isConnected()) {
            throw new RetryableException("mqtt " + broker() + ": not connected (" + lastProblem
                    + "); reconnecting in the background");
        }
    }

    private Mqtt3AsyncClient buildClient() {
        MqttClientTransportConfigBuilder transport = MqttClientTransportConfig.builder()
                .serverHost(url.getHost())
                .serverPort(port())
                .socketConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .mqttConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (tls) {
            // No hostname verifier is set: the client then switches on the JDK's endpoint identification (HTTPS rules),
            // so the broker's certificate must name the host of the url.
            transport = transport.sslConfig(MqttClientSslConfig.builder()
                    .trustManagerFactory(trust.trustManagerFactory())
                    .handshakeTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .build());
        }
        Mqtt3ClientBuilder b = MqttClient.builder().useMqttVersion3()
                .identifier(clientId)
                .transportConfig(transport.build());
        if (username != null) {
            var auth = b.simpleAuth().username(username);
            b = password == null ? auth.applySimpleAuth() : auth.password(password).applySimpleAuth();
        }
        return b.willPublish()
                .topic(topics.availability())
                .payload(MqttPayloads.text(MqttPayloads.OFFLINE))
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .applyWillPublish()
                .addConnectedListener(this::onConnected)
                .addDisconnectedListener(this::onDisconnected)
                .buildAsync();
    }

    /** On the client's thread: must not block. */
    private void onConnected(MqttClientConnectedContext context) {
        Mqtt3AsyncClient c;
        synchronized (stateLock) {
            lastProblem = "connected";
            c = client;
            stateLock.notifyAll();
        }
        if (c == null || closed) {
            // a reconnect that was already scheduled when close() ran
            if (c != null) {
                c.disconnect();
            }
            return;
        }
        if (connectedBefore) {
            reconnects.incrementAndGet();
        }
        connectedBefore = true;
        log.info("mqtt {}: connected as {}", broker(), clientId);
        announced.clear();
        synchronized (sendLock) {
            send(c, topics.availability(), MqttPayloads.text(MqttPayloads.ONLINE)).whenComplete((r, e) -> logFailure("online", e));
            for (OutputStatus s : latest.values()) {
                for (CompletableFuture<?> f : sendAll(c, s)) {
                    f.whenComplete((r, e) -> logFailure("republish of " + s.pbxUserId(), e));
                }
            }
        }
    }

    /** On the client's thread: decides whether and when to reconnect; must not block. */
    private void onDisconnected(MqttClientDisconnectedContext context) {
        Throwable cause = context.getCause();
        String problem = describe(cause);
        int attempt = context.getReconnector().getAttempts() + 1;
        synchronized (stateLock) {
            lastProblem = problem;
            if (cause instanceof Mqtt3ConnAckException e && isRejectedLogin(e.getMqttMessage().getReturnCode())) {
                rejected = new TerminalException("mqtt " + broker() + " rejected the connection of client " + clientId
                        + (username == null ? "" : " as user '" + username + "'") + ": "
                        + e.getMqttMessage().getReturnCode() + "; check username and password (or the broker's ACL)");
                stopReconnecting = true;
            }
            stateLock.notifyAll();
        }
        if (closed || stopReconnecting || context.getSource() == MqttDisconnectSource.USER) {
            if (rejected != null) {
                log.warn("{}", rejected.getMessage());
            }
            return;
        }
        Duration delay = reconnectBackoff.delay(attempt, random);
        if (attempt == 1 || attempt % 10 == 0) {
            log.warn("mqtt {}: {} ({}); reconnect attempt {} in {} ms", broker(),
                    context.getSource() == MqttDisconnectSource.CLIENT ? "connection failed or lost" : "disconnected by the broker",
                    problem, attempt, delay.toMillis());
        }
        context.getReconnector().reconnect(true).delay(delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static boolean isRejectedLogin(Mqtt3ConnAckReturnCode code) {
        return code == Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD || code == Mqtt3ConnAckReturnCode.NOT_AUTHORIZED
                || code == Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED;
    }

    private void logFailure(String what, Throwable e) {
        if (e != null && !closed) {
            log.debug("mqtt {}: {} not delivered: {}", broker(), what, describe(e));
        }
    }

    @Override
    public void publish(List<OutputStatus> statuses) {
        Mqtt3AsyncClient c = current();
        // remembered first: when the broker is away, the reconnect publishes the newest status at once
        synchronized (sendLock) {
            statuses.forEach(s -> latest.put(s.pbxUserId(), s));
        }
        requireConnected(c);
        requireRoom(statuses.size() * 3);
        List<CompletableFuture<?>> acks = new ArrayList<>();
        List<String> newlyAnnounced = new ArrayList<>();
        synchronized (sendLock) {
            for (OutputStatus s : statuses) {
                if (homeAssistant && !announced.contains(s.pbxUserId())) {
                    acks.add(send(c, topics.discoveryConfig(MqttPayloads.SENSOR, s.pbxUserId(), MqttPayloads.PRESENCE),
                            payloads.presenceSensor(s)));
                    acks.add(send(c, topics.discoveryConfig(MqttPayloads.BINARY_SENSOR, s.pbxUserId(), MqttPayloads.BUSY),
                            payloads.busySensor(s)));
                    newlyAnnounced.add(s.pbxUserId());
                }
                acks.add(send(c, topics.state(s.pbxUserId()), payloads.state(s)));
            }
        }
        await(acks, "publish of " + statuses.size() + " status(es)");
        announced.addAll(newlyAnnounced);
    }

    @Override
    public void remove(Collection<String> pbxUserIds) {
        Mqtt3AsyncClient c = current();
        synchronized (sendLock) {
            pbxUserIds.forEach(latest::remove);
        }
        requireConnected(c);
        requireRoom(pbxUserIds.size() * 3);
        List<CompletableFuture<?>> acks = new ArrayList<>();
        synchronized (sendLock) {
            for (String id : pbxUserIds) {
                announced.remove(id);
                byte[] empty = new byte[0];
                if (homeAssistant) {
                    // Home Assistant removes an entity when its retained discovery config becomes empty.
                    acks.add(send(c, topics.discoveryConfig(MqttPayloads.SENSOR, id, MqttPayloads.PRESENCE), empty));
                    acks.add(send(c, topics.discoveryConfig(MqttPayloads.BINARY_SENSOR, id, MqttPayloads.BUSY), empty));
                }
                acks.add(send(c, topics.state(id), empty));
            }
        }
        await(acks, "removal of " + pbxUserIds.size() + " user(s)");
    }

    private Mqtt3AsyncClient current() {
        synchronized (stateLock) {
            if (closed) {
                throw new IllegalStateException("mqtt output to " + broker() + " is closed");
            }
            if (client == null) {
                throw new IllegalStateException("mqtt output to " + broker() + ": open() was not called");
            }
            return client;
        }
    }

    /** A retained QoS 1 publish; an empty payload deletes the retained message. */
    private CompletableFuture<?> send(Mqtt3AsyncClient c, String topic, byte[] payload) {
        inFlight.incrementAndGet();
        return c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(payload).send()
                .whenComplete((r, e) -> inFlight.decrementAndGet());
    }

    /** Refuses to queue more while the broker has not acknowledged {@link #MAX_IN_FLIGHT} messages. */
    private void requireRoom(int messages) {
        int waiting = inFlight.get();
        if (waiting + messages > MAX_IN_FLIGHT) {
            throw new RetryableException("mqtt " + broker() + ": the broker has not acknowledged " + waiting
                    + " messages yet; not queueing " + messages + " more");
        }
    }

    private List<CompletableFuture<?>> sendAll(Mqtt3AsyncClient c, OutputStatus s) {
        List<CompletableFuture<?>> out = new ArrayList<>(3);
        if (homeAssistant) {
            out.add(send(c, topics.discoveryConfig(MqttPayloads.SENSOR, s.pbxUserId(), MqttPayloads.PRESENCE), payloads.presenceSensor(s)));
            out.add(send(c, topics.discoveryConfig(MqttPayloads.BINARY_SENSOR, s.pbxUserId(), MqttPayloads.BUSY), payloads.busySensor(s)));
            out.get(out.size() - 1).thenRun(() -> announced.add(s.pbxUserId()));
        }
        out.add(send(c, topics.state(s.pbxUserId()), payloads.state(s)));
        return out;
    }

    /** Waits for every acknowledgement until one shared deadline (the publish timeout). */
    private void await(List<CompletableFuture<?>> acks, String what) {
        long deadline = System.nanoTime() + publishTimeout.toNanos();
        int done = 0;
        try {
            for (CompletableFuture<?> f : acks) {
                long left = Math.max(0, deadline - System.nanoTime());
                f.get(left, TimeUnit.NANOSECONDS);
                done++;
            }
        } catch (TimeoutException e) {
            throw new RetryableException("mqtt " + broker() + ": the broker acknowledged " + done + " of " + acks.size()
                    + " messages of the " + what + " within " + publishTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new RetryableException("mqtt " + broker() + ": " + what + " failed: " + describe(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableException("mqtt " + broker() + ": interrupted during the " + what, e);
        }
    }

    /**
     * Publishes {@code offline} (a clean stop sends no last will) and disconnects, each within its deadline; never
     * throws.
     */
    @Override
    public void close() {
        Mqtt3AsyncClient c;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            c = client;
            stateLock.notifyAll();
        }
        if (c == null) {
            return;
        }
        try {
            if (c.getState().isConnected()) {
                send(c, topics.availability(), MqttPayloads.text(MqttPayloads.OFFLINE))
                        .get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("mqtt {}: offline not delivered on close: {}", broker(), describe(e));
        }
        try {
            c.disconnect().get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // not connected, or the broker did not answer: the connection is dropped either way
            log.debug("mqtt {}: disconnect: {}", broker(), describe(e));
        }
    }

    /** A short text of a failure: its class and message, never credentials (the client's messages hold none). */
    static String describe(Throwable e) {
        if (e == null) {
            return "no cause";
        }
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    @Override
    public String toString() {
        return "MqttStatusOutput[" + broker() + ", prefix=" + topics.prefix() + ", homeAssistant=" + homeAssistant + "]";
    }

    /** Builds a {@link MqttStatusOutput}; {@link MqttOutputProvider} is the one that validates config. */
    public static final class Builder {
        private URI url;
        private String username;
        private String password;
        private String topicPrefix = "teamsconnect";
        private String discoveryPrefix = "homeassistant";
        private boolean homeAssistant;
        private Duration republishInterval = DEFAULT_REPUBLISH_INTERVAL;
        private ServerTrust trust = ServerTrust.jvmDefaults();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration publishTimeout = DEFAULT_PUBLISH_TIMEOUT;
        private Backoff reconnectBackoff = DEFAULT_RECONNECT_BACKOFF;
        private Random random = new Random();
        private String clientId;

        private Builder() {
        }

        /** {@code tcp://host[:1883]} or {@code ssl://host[:8883]}. */
        public Builder url(URI url) {
            this.url = url;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder password(String password) {
            this.password = password;
            return this;
        }

        public Builder topicPrefix(String topicPrefix) {
            this.topicPrefix = topicPrefix;
            return this;
        }

        public Builder discoveryPrefix(String discoveryPrefix) {
            this.discoveryPrefix = discoveryPrefix;
            return this;
        }

        public Builder homeAssistant(boolean homeAssistant) {
            this.homeAssistant = homeAssistant;
            return this;
        }

        public Builder republishInterval(Duration republishInterval) {
            this.republishInterval = republishInterval;
            return this;
        }

        /** Which broker certificates are trusted (ssl:// only); the JVM's defaults unless set. */
        public Builder trust(ServerTrust trust) {
            this.trust = trust;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder publishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
            return this;
        }

        public Builder reconnectBackoff(Backoff reconnectBackoff) {
            this.reconnectBackoff = reconnectBackoff;
            return this;
        }

        public Builder random(Random random) {
            this.random = random;
            return this;
        }

        /** The MQTT client id; {@code teamsconnect-<node id>} unless set (tests run several clients at once). */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public MqttStatusOutput build() {
            return new MqttStatusOutput(this);
        }
    }
}
