package dev.teamsconnect.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A subscriber on the same client library as the output, recording every message (topic, payload, retained flag)
 * and the latest payload per topic. Waits poll with a deadline; a wait that runs out fails with what was seen.
 */
public final class TestSubscriber implements AutoCloseable {

    public record Message(String topic, String payload, boolean retained) {
    }

    private final Mqtt3AsyncClient client;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final Map<String, String> latest = new ConcurrentHashMap<>();
    private final Consumer<Message> onMessage;
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-subscriber");
        t.setDaemon(true);
        return t;
    });

    private TestSubscriber(Mqtt3AsyncClient client, Consumer<Message> onMessage) {
        this.client = client;
        this.onMessage = onMessage;
    }

    /** Connects to the broker's plain port and subscribes to {@code filters} (QoS 1). */
    public static TestSubscriber connect(TestBroker broker, List<String> filters) {
        return connect(broker, filters, m -> { });
    }

    /** As {@link #connect(TestBroker, List)}, running {@code onMessage} on the client's thread for every message. */
    static TestSubscriber connect(TestBroker broker, List<String> filters, Consumer<Message> onMessage) {
        return withSetupRetries(() -> {
            Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3()
                    .identifier("test-subscriber-" + UUID.randomUUID())
                    .serverHost("127.0.0.1").serverPort(broker.port())
                    .buildAsync();
            return new TestSubscriber(c, onMessage);
        }, filters);
    }

    /** Connects to the broker's TLS port trusting exactly its certificate. */
    static TestSubscriber connectTls(TestBroker broker, List<String> filters) {
        javax.net.ssl.TrustManagerFactory tmf;
        try {
            java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("broker", broker.certificate().certificate());
            tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return withSetupRetries(() -> {
            Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3()
                    .identifier("test-subscriber-" + UUID.randomUUID())
                    .serverHost("localhost").serverPort(broker.tlsPort())
                    .sslConfig(MqttClientSslConfig.builder().trustManagerFactory(tmf).build())
                    .buildAsync();
            return new TestSubscriber(c, m -> { });
        }, filters);
    }

    /**
     * Connects and subscribes a fresh client, up to three times when the broker closes the connection during that
     * setup. Embedded Moquette now and then closes a new connection while it sends the retained messages of a
     * wildcard subscription (seen in CI as {@code MqttSessionExpiredException: Session expired as connection was
     * closed} from the subscribe). That is the test subscriber's setup, not what a test checks: the output under
     * test is not involved, and a fresh client with a clean session sees the same retained state. Any other
     * failure, and a third close, fail the test.
     */
    private static TestSubscriber withSetupRetries(java.util.function.Supplier<TestSubscriber> fresh, List<String> filters) {
        for (int attempt = 1; ; attempt++) {
            TestSubscriber s = fresh.get();
            try {
                join(s.client.connectWith().cleanSession(true).send());
                for (String f : filters) {
                    s.subscribe(f);
                }
                return s;
            } catch (IllegalStateException e) {
                s.close();
                if (attempt == 3 || !closedByBroker(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean closedByBroker(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException
                    || t instanceof com.hivemq.client.mqtt.exceptions.ConnectionClosedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Subscribes with the callbacks on this subscriber's own thread, not on the client library's shared network
     * threads: a slow subscriber is slow for the broker, and does not stall other clients in this JVM.
     */
    private void subscribe(String filter) {
        join(client.subscribe(Mqtt3Subscribe.builder().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).build(), this::record,
                callbacks));
    }

    private void record(Mqtt3Publish p) {
        Message m = new Message(p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8), p.isRetain());
        messages.add(m);
        latest.put(m.topic(), m.payload());
        onMessage.accept(m);
    }

    /** Publishes a marker (not retained) and waits for it: everything the broker sent before it has arrived. */
    void sync(String topic) {
        String token = UUID.randomUUID().toString();
        join(client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(token.getBytes(StandardCharsets.UTF_8)).send());
        await(topic, token::equals, Duration.ofSeconds(10));
    }

    /** Waits until the latest payload on {@code topic} matches; returns it. */
    String await(String topic, Predicate<String> matches, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String p = latest.get(topic);
            if (p != null && matches.test(p)) {
                return p;
            }
            sleep(10);
        }
        throw new AssertionError("no matching message on " + topic + " within " + timeout + "; latest: " + latest.get(topic)
                + "; topics seen: " + latest.keySet());
    }

    String await(String topic, Duration timeout) {
        return await(topic, p -> true, timeout);
    }

    public String latest(String topic) {
        return latest.get(topic);
    }

    List<Message> messages() {
        return new ArrayList<>(messages);
    }

    List<Message> messagesOn(String topic) {
        return messages.stream().filter(m -> m.topic().equals(topic)).toList();
    }

    @Override
    public void close() {
        try {
            client.disconnect().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already gone
        }
        callbacks.shutdownNow();
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("test subscriber: " + e, e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
