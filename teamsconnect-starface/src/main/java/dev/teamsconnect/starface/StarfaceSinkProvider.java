package dev.teamsconnect.starface;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Creates the {@link StarfacePbxSink} (id {@code starface}) from its config section:
 * <pre>
 * starface:
 *   baseUrl: https://pbx.example.com     # required, http or https
 *   loginId: "0001"                      # required
 *   password: ...                        # required
 *   tls:
 *     certificate: /etc/teamsconnect/starface.pem   # trusted in addition to the JVM defaults
 *     pin: "AB:CD:..."                   # optional SHA-256 of the server certificate
 *   parallelism: 4
 *   connectTimeout: 5s
 *   requestTimeout: 10s
 *   maxRetries: 3
 * </pre>
 * Reads the certificate file (local I/O) but never touches the network.
 */
@AutoService(PbxSinkProvider.class)
public final class StarfaceSinkProvider implements PbxSinkProvider {

    private static final Set<String> KEYS = Set.of("baseUrl", "loginId", "password", "tls", "tls.certificate", "tls.pin",
            "parallelism", "connectTimeout", "requestTimeout", "maxRetries");
    private static final Set<String> TLS_KEYS = Set.of("certificate", "pin");

    public StarfaceSinkProvider() {
    }

    @Override
    public String id() {
        return StarfacePbxSink.ID;
    }

    @Override
    public PbxSink create(ProviderConfig config) {
        for (String k : config.keys()) {
            if (!KEYS.contains(k)) {
                throw new ConfigException(config.path(k), "unknown key; known keys: " + List.copyOf(new java.util.TreeSet<>(KEYS)));
            }
        }
        ProviderConfig tls = config.has("tls") ? config.section("tls") : ProviderConfig.empty(config.path("tls"));
        for (String k : tls.keys()) {
            if (!TLS_KEYS.contains(k)) {
                throw new ConfigException(tls.path(k), "unknown key; known keys: " + List.copyOf(new java.util.TreeSet<>(TLS_KEYS)));
            }
        }
        StarfacePbxSink.Builder b = StarfacePbxSink.builder()
                .keyPrefix(config.prefix())
                .baseUrl(config.uri("baseUrl"))
                .loginId(config.string("loginId"))
                .password(config.string("password"))
                .parallelism(config.integer("parallelism", 4))
                .connectTimeout(config.duration("connectTimeout", Duration.ofSeconds(5)))
                .requestTimeout(config.duration("requestTimeout", Duration.ofSeconds(10)))
                .maxRetries(config.integer("maxRetries", 3));
        // Both the nested form (tls: {certificate: ...}) and a flat dotted key are accepted.
        tls.optionalPath("certificate").or(() -> config.optionalPath("tls.certificate")).ifPresent(b::trustCertificates);
        tls.optionalString("pin").or(() -> config.optionalString("tls.pin")).ifPresent(b::pin);
        return b.build();
    }
}
