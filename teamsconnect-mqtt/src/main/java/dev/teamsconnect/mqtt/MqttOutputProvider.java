package dev.teamsconnect.mqtt;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StatusOutput;
import dev.teamsconnect.core.spi.StatusOutputProvider;
import dev.teamsconnect.core.tls.ServerTrust;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Creates the {@link MqttStatusOutput} (type {@code mqtt}) from its entry under {@code outputs} (docs/outputs.md, "MQTT",
 * "Keys" lists every key):
 * <pre>
 * outputs:
 *   - type: mqtt
 *     url: ssl://broker.example.com:8883     # required; tcp:// (default port 1883) or ssl:// (8883)
 *     username: teamsconnect
 *     password: ${MQTT_PASSWORD}
 *     topicPrefix: teamsconnect              # default teamsconnect
 *     homeAssistant: true                    # MQTT discovery; default false
 *     discoveryPrefix: homeassistant         # Home Assistant's discovery prefix; default homeassistant
 *     republishInterval: 5m                  # default 5m
 *     tls:
 *       certificate: /etc/teamsconnect/broker.pem   # trusted in addition to the JVM's CAs
 *       pin: "AB:CD:..."                     # optional SHA-256 of the broker certificate
 * </pre>
 * The whole entry is checked and every problem is reported in one {@link ConfigException}. Reads the certificate
 * file (local I/O) but never touches the network. The key {@code type} belongs to the host, which does not pass it.
 */
@AutoService(StatusOutputProvider.class)
public final class MqttOutputProvider implements StatusOutputProvider {

    /** The keys of an mqtt entry besides {@code type}, which the host reads. */
    private static final List<String> KEYS = List.of("url", "username", "password", "topicPrefix",
            "homeAssistant", "discoveryPrefix", "republishInterval", "tls");
    private static final String URL_HELP = "like ssl://broker.example.com:8883 or tcp://broker.local:1883";

    public MqttOutputProvider() {
    }

    @Override
    public String id() {
        return MqttStatusOutput.ID;
    }

    @Override
    public StatusOutput create(ProviderConfig config) {
        return create(config, b -> { });
    }

    /**
     * As {@link #create(ProviderConfig)}, with {@code tuning} applied to the builder last: tests shorten the waits
     * (reconnect backoff, timeouts) that config does not set, and otherwise get the shipped wiring.
     */
    MqttStatusOutput create(ProviderConfig config, java.util.function.Consumer<MqttStatusOutput.Builder> tuning) {
        config.rejectUnknownKeys(KEYS);
        Optional<URI> url = config.requiredText("url", "(the broker, " + URL_HELP + ")").flatMap(u -> brokerUrl(config, u));
        boolean plain = url.isPresent() && url.get().getScheme().equalsIgnoreCase("tcp");
        Optional<String> username = config.text("username");
        Optional<String> password = config.text("password");
        if (password.isPresent() && username.isEmpty() && !config.hasProblem("username")) {
            config.problem("username", "is required when " + config.path("password") + " is set (MQTT 3.1.1 sends no password"
                    + " without a user name)");
        }
        if (plain && password.isPresent() && !ProviderConfig.isLoopback(url.get().getHost())) {
            config.warn("url", "uses plain tcp://: the password travels unencrypted; prefer ssl://");
        }
        String topicPrefix = prefix(config, "topicPrefix", "teamsconnect");
        boolean homeAssistant = config.flag("homeAssistant", false);
        String discoveryPrefix = prefix(config, "discoveryPrefix", "homeassistant");
        if (config.has("discoveryPrefix") && !homeAssistant && !config.hasProblem("homeAssistant")) {
            config.warn("discoveryPrefix", "is set, but " + config.path("homeAssistant") + " is false, so it is not used");
        }
        // the output host's rule for every output's republishInterval (one owner)
        Duration republish = dev.teamsconnect.core.output.OutputSettings.republishInterval(config);
        ProviderConfig tlsSection = config.child("tls");
        ServerTrust trust = ServerTrust.read(tlsSection);
        if (plain && (tlsSection.has("certificate") || tlsSection.has("pin"))) {
            config.problem("tls", "is set, but " + config.path("url") + " is plain tcp://; use ssl:// or remove tls");
        }
        config.requireValid();

        MqttStatusOutput.Builder b = MqttStatusOutput.builder()
                .url(url.orElseThrow())
                .topicPrefix(topicPrefix)
                .homeAssistant(homeAssistant)
                .discoveryPrefix(discoveryPrefix)
                .republishInterval(republish)
                .trust(trust);
        username.ifPresent(b::username);
        password.ifPresent(b::password);
        tuning.accept(b);
        return b.build();
    }

    /** A broker URL: tcp:// or ssl://, a host, an optional port, nothing else. */
    private static Optional<URI> brokerUrl(ProviderConfig config, String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            config.problem("url", "must be a broker URL " + URL_HELP + ", but was " + config.shown("url", text));
            return Optional.empty();
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("tcp") && !scheme.equals("ssl")) {
            String hint = scheme.equals("mqtt") ? "; write tcp://" : scheme.equals("mqtts") ? "; write ssl://" : "";
            config.problem("url", "must start with tcp:// or ssl:// (" + URL_HELP + ")" + hint + ", but was "
                    + config.shown("url", text));
            return Optional.empty();
        }
        if (u.getRawUserInfo() != null) {
            // the value is not shown: it holds a password
            config.problem("url", "must not carry a user or password; put them into " + config.path("username") + " and "
                    + config.path("password"));
            return Optional.empty();
        }
        if (u.getHost() == null || u.getHost().isBlank()) {
            config.problem("url", "must name a host " + URL_HELP + ", but was " + config.shown("url", text));
            return Optional.empty();
        }
        if ((u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            config.problem("url", "must be only scheme, host and port " + URL_HELP + " (topics go into "
                    + config.path("topicPrefix") + "), but was " + config.shown("url", text));
            return Optional.empty();
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            config.problem("url", "has no valid port (1..65535): " + config.shown("url", text));
            return Optional.empty();
        }
        return Optional.of(u);
    }

    private static String prefix(ProviderConfig config, String key, String fallback) {
        Optional<String> text = config.text(key);
        if (text.isEmpty()) {
            return fallback;
        }
        Optional<String> problem = MqttTopics.prefixProblem(text.get());
        if (problem.isPresent()) {
            config.problem(key, problem.get() + ", but was " + config.shown(key, text.get()));
            return fallback;
        }
        return text.get();
    }
}
