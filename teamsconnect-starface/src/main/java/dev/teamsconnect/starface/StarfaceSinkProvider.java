package dev.teamsconnect.starface;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates the {@link StarfacePbxSink} (id {@code starface}) from its config section (docs/configuration.md and
 * docs/starface.md list every key):
 * <pre>
 * starface:
 *   baseUrl: https://pbx.example.com     # required, http or https
 *   loginId: "0001"                      # required
 *   password: ${STARFACE_PASSWORD}       # required
 *   login: auto                          # auto | nonce | oauth
 *   oauth:
 *     clientId: rest-client-headless
 *     clientSecret: ${STARFACE_CLIENT_SECRET}   # required for login: oauth; auto uses OAuth only with it
 *   tls:
 *     certificate: /etc/teamsconnect/starface.pem   # trusted in addition to the JVM defaults
 *     pin: "AB:CD:..."                   # optional SHA-256 of the appliance certificate (hex or sha256/base64)
 *   parallelism: 16                      # cap of requests in flight, 1..64
 *   connectTimeout: 5s
 *   requestTimeout: 10s                  # overall deadline of one request, body included
 *   maxRetries: 3                        # 0..10
 *   recheckInterval: 60s                 # 0s = every cycle
 *   bridge:                              # optional: the bridge module inside the PBX (docs/starface-bridge.md)
 *     instance: TeamsConnectBridge       # the module instance's name
 *     secret: ${STARFACE_BRIDGE_SECRET}  # the secret set in that instance, at least 16 characters
 * </pre>
 * The whole section is checked before anything is built, and every problem is reported in one
 * {@link ConfigException}. Reads the certificate file (local I/O) but never touches the network.
 */
@AutoService(PbxSinkProvider.class)
public final class StarfaceSinkProvider implements PbxSinkProvider {

    private static final List<String> KEYS = List.of("baseUrl", "loginId", "password", "login", "oauth", "tls",
            "parallelism", "connectTimeout", "requestTimeout", "maxRetries", "recheckInterval", "bridge");
    private static final List<String> BRIDGE_KEYS = List.of("instance", "secret");
    private static final List<String> TLS_KEYS = List.of("certificate", "pin");
    private static final List<String> OAUTH_KEYS = List.of("clientId", "clientSecret");
    private static final Pattern NO_SPACE = Pattern.compile("\\S+");

    public StarfaceSinkProvider() {
    }

    @Override
    public String id() {
        return StarfacePbxSink.ID;
    }

    @Override
    public PbxSink create(ProviderConfig config) {
        config.rejectUnknownKeys(KEYS);
        Optional<URI> baseUrl = config.url("baseUrl", false);
        if (baseUrl.isEmpty()) {
            config.requiredText("baseUrl", "(the address of the STARFACE appliance, e.g. https://pbx.example.com)");
        } else if (baseUrl.get().getScheme().equalsIgnoreCase("http") && !ProviderConfig.isLoopback(baseUrl.get().getHost())) {
            config.warn("baseUrl", "uses plain http: the login travels unencrypted; prefer https");
        }
        Optional<String> loginId = config.requiredText("loginId", "(the login ID of the STARFACE API user, e.g. \"0001\")");
        if (loginId.isPresent() && !NO_SPACE.matcher(loginId.get()).matches()) {
            config.problem("loginId", "must not contain spaces, but was " + config.shown("loginId", loginId.get()));
        }
        Optional<String> password = config.requiredText("password", "(the STARFACE API user's password; use ${STARFACE_PASSWORD})");
        StarfaceLogin login = config.choice("login", StarfaceLogin.AUTO, StarfaceLogin.byCode());
        Object oauthValue = config.asMap().get("oauth");
        if (oauthValue != null && !(oauthValue instanceof java.util.Map) && !(oauthValue instanceof String t && t.isBlank())) {
            // Reported before child() would, so the value is not shown: "oauth: <secret>" is an easy slip.
            config.problem("oauth", "must be a section with clientId and clientSecret on indented lines below it;"
                    + " its value is not shown (it may be the client secret)");
        }
        ProviderConfig oauth = config.child("oauth");
        oauth.rejectUnknownKeys(OAUTH_KEYS);
        String clientId = oauth.text("clientId").orElse(StarfaceOAuth.DEFAULT_CLIENT_ID);
        if (!NO_SPACE.matcher(clientId).matches()) {
            oauth.problem("clientId", "must not contain spaces, but was " + oauth.shown("clientId", clientId));
        }
        Optional<String> clientSecret = oauth.text("clientSecret");
        if (login == StarfaceLogin.OAUTH && clientSecret.isEmpty() && !oauth.hasProblem("clientSecret")) {
            oauth.problem("clientSecret", "is required when " + config.path("login") + " is oauth (the client secret"
                    + " the STARFACE admin UI shows under Server, Status, REST-API; use ${STARFACE_CLIENT_SECRET})");
        }
        if (login == StarfaceLogin.NONCE && (oauth.has("clientId") || oauth.has("clientSecret"))) {
            config.warn("oauth", "is set, but " + config.path("login") + " is nonce, so it is not used");
        }
        int parallelism = config.wholeNumber("parallelism", 16, 1, 64);
        Duration connectTimeout = config.interval("connectTimeout", Duration.ofSeconds(5), false);
        Duration requestTimeout = config.interval("requestTimeout", Duration.ofSeconds(10), false);
        int maxRetries = config.wholeNumber("maxRetries", 3, 0, 10);
        Duration recheck = config.interval("recheckInterval", StarfacePbxSink.DEFAULT_RECHECK_INTERVAL, true);

        ProviderConfig tls = config.child("tls");
        tls.rejectUnknownKeys(TLS_KEYS);
        List<X509Certificate> trusted = tls.readableFile("certificate").map(f -> certificates(tls, f)).orElse(List.of());
        Optional<String> pinText = tls.text("pin");
        if (pinText.isPresent() && StarfaceTls.decodePin(pinText.get()).isEmpty()) {
            tls.problem("pin", StarfaceTls.PIN_RULE + ", but was " + tls.shown("pin", pinText.get()));
        }
        if ((tls.has("certificate") || tls.has("pin")) && baseUrl.isPresent() && baseUrl.get().getScheme().equalsIgnoreCase("http")) {
            config.problem("tls", "is set, but " + config.path("baseUrl") + " is plain http://; use https:// or remove tls");
        }
        Object bridgeValue = config.asMap().get("bridge");
        if (bridgeValue != null && !(bridgeValue instanceof java.util.Map) && !(bridgeValue instanceof String t && t.isBlank())) {
            config.problem("bridge", "must be a section with instance and secret on indented lines below it;"
                    + " its value is not shown (it may be the secret)");
        }
        ProviderConfig bridge = config.child("bridge");
        bridge.rejectUnknownKeys(BRIDGE_KEYS);
        boolean withBridge = bridgeValue instanceof java.util.Map<?, ?> m && !m.isEmpty();
        Optional<String> bridgeInstance = Optional.empty();
        Optional<String> bridgeSecret = Optional.empty();
        if (withBridge) {
            bridgeInstance = bridge.requiredText("instance", "(the bridge module instance's name, e.g. TeamsConnectBridge)");
            if (bridgeInstance.isPresent() && !StarfacePbxSink.BRIDGE_INSTANCE.matcher(bridgeInstance.get()).matches()) {
                bridge.problem("instance", StarfacePbxSink.BRIDGE_INSTANCE_RULE + ", but was "
                        + bridge.shown("instance", bridgeInstance.get()));
            }
            bridgeSecret = bridge.requiredText("secret", "(the secret set in the bridge module's instance; use"
                    + " ${STARFACE_BRIDGE_SECRET})");
            if (bridgeSecret.isPresent() && bridgeSecret.get().length() < dev.teamsconnect.starface.bridge.BridgeProtocol.MIN_SECRET) {
                // the value is not shown: it is a secret
                bridge.problem("secret", StarfacePbxSink.BRIDGE_SECRET_RULE + ", but has " + bridgeSecret.get().length());
            }
        }
        config.requireValid();

        StarfacePbxSink.Builder b = StarfacePbxSink.builder()
                .keyPrefix(config.prefix())
                .baseUrl(baseUrl.orElseThrow())
                .loginId(loginId.orElseThrow())
                .password(password.orElseThrow())
                .login(login)
                .oauthClientId(clientId)
                .oauthClientSecret(clientSecret.orElse(null))
                .parallelism(parallelism)
                .connectTimeout(connectTimeout)
                .requestTimeout(requestTimeout)
                .maxRetries(maxRetries)
                .recheckInterval(recheck);
        if (withBridge) {
            b.bridge(bridgeInstance.orElseThrow(), bridgeSecret.orElseThrow());
        }
        trusted.forEach(b::trustCertificate);
        if (pinText.isPresent()) {
            b.pin(pinText.get());
        }
        return b.build();
    }

    /** The certificates of a PEM file; a file that holds none, or is damaged, is reported at {@code tls.certificate}. */
    private static List<X509Certificate> certificates(ProviderConfig tls, Path file) {
        String shown = tls.shown("certificate", file.toString());
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            List<X509Certificate> out = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                tls.problem("certificate", "file " + shown + " holds no certificate; it must be a PEM file with"
                        + " -----BEGIN CERTIFICATE----- blocks");
            }
            return out;
        } catch (java.security.cert.CertificateException | java.io.IOException e) {
            tls.problem("certificate", "file " + shown + " is not a readable PEM certificate (" + e.getClass().getSimpleName()
                    + "); export the appliance's certificate as PEM");
            return List.of();
        }
    }
}
