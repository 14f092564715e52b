package dev.teamsconnect.graph;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Provider id {@code graph}: Microsoft Teams presence via Microsoft Graph. Config keys (section {@code teams};
 * docs/configuration.md and docs/azure-setup.md describe each):
 * <pre>
 * tenantId, clientId                       required
 * auth.mode                                client-credentials (default) | device-code | password
 * auth.clientSecret                        client-credentials with a secret
 * auth.certificate, auth.certificatePassword   client-credentials with a PKCS12 file (key + certificate),
 *                                          or a PEM file with an unencrypted PKCS#8 key and the certificate
 * auth.username, auth.password             password (legacy ROPC)
 * auth.tokenCache                          token cache file (owner-only), default teamsconnect-tokens.json
 * cloud                                    global (default) | usgov | usgov-dod | china: sign-in host, Graph host, scopes
 * authorityHost                            default the cloud's (global: https://login.microsoftonline.com)
 * graphBaseUrl                             default the cloud's (global: https://graph.microsoft.com/v1.0)
 * usersDelta                               true (default): user refreshes after the first listing use /users/delta
 * pollInterval                             default 5s, longer than 0
 * presenceRequestsPer30s                   default 1500
 * chunkSize                                1..650, default 650
 * tls.certificate                          PEM file trusted in addition to the JVM's trust anchors
 * </pre>
 * {@link #create} checks the whole section first and reports every problem in one {@link ConfigException}. The
 * constructor and {@link #create} do no network I/O (they read the certificate files named in the config).
 */
@AutoService(PresenceSourceProvider.class)
public final class GraphSourceProvider implements PresenceSourceProvider {

    /** The provider id. */
    public static final String ID = "graph";
    /** Where delegated tokens are cached unless {@code auth.tokenCache} says otherwise. */
    public static final Path DEFAULT_TOKEN_CACHE = Path.of("teamsconnect-tokens.json");
    /** The default of {@code presenceRequestsPer30s}. */
    public static final int DEFAULT_PRESENCE_REQUESTS_PER_30S = 1500;

    private static final List<String> KEYS = List.of("tenantId", "clientId", "auth", "cloud", "authorityHost", "graphBaseUrl",
            "usersDelta", "pollInterval", "chunkSize", "presenceRequestsPer30s", "tls");
    private static final List<String> AUTH_KEYS = List.of("mode", "clientSecret", "certificate", "certificatePassword",
            "username", "password", "tokenCache");
    private static final List<String> TLS_KEYS = List.of("certificate");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");
    private static final Pattern NO_SPACE = Pattern.compile("\\S+");

    public GraphSourceProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public PresenceSource create(ProviderConfig config) {
        config.rejectUnknownKeys(KEYS);
        Optional<String> tenantId = config.requiredText("tenantId", "(the Directory (tenant) ID of your Entra ID tenant)");
        if (tenantId.isPresent() && !TENANT.matcher(tenantId.get()).matches()) {
            config.problem("tenantId", "must be a tenant GUID or domain like contoso.onmicrosoft.com, but was "
                    + config.shown("tenantId", tenantId.get()));
        }
        Optional<String> clientId = config.requiredText("clientId", "(the Application (client) ID of the app registration)");
        if (clientId.isPresent() && !NO_SPACE.matcher(clientId.get()).matches()) {
            config.problem("clientId", "must not contain spaces, but was " + config.shown("clientId", clientId.get()));
        }
        Map<String, GraphCloud> clouds = new LinkedHashMap<>();
        for (GraphCloud c : GraphCloud.values()) {
            clouds.put(c.configValue(), c);
        }
        GraphCloud cloud = config.choice("cloud", GraphCloud.GLOBAL, clouds);
        if (!cloud.hasPresence()) {
            config.warn("cloud", "china: Microsoft Graph operated by 21Vianet has no presence API, so TeamsConnect can list "
                    + "users there but cannot read Teams presence (no DND will follow Teams)");
        }
        boolean usersDelta = config.flag("usersDelta", true);
        URI authority = config.url("authorityHost", true).orElse(null);
        URI graphBase = config.url("graphBaseUrl", true).orElse(null);
        Duration poll = config.interval("pollInterval", GraphPresenceSource.DEFAULT_POLL_INTERVAL, false);
        int chunk = config.wholeNumber("chunkSize", GraphPresenceSource.MAX_CHUNK, 1, GraphPresenceSource.MAX_CHUNK);
        int rate = config.wholeNumber("presenceRequestsPer30s", DEFAULT_PRESENCE_REQUESTS_PER_30S, 1, 1_000_000);
        ProviderConfig tls = config.child("tls");
        tls.rejectUnknownKeys(TLS_KEYS);
        List<X509Certificate> trusted = tls.readableFile("certificate")
                .map(p -> collect(tls, () -> readPem(tls.path("certificate"), p))).orElse(List.of());

        GraphPresenceSource.Builder b = GraphPresenceSource.builder().configPrefix(config.prefix());
        b.tokenCacheReadOnly(config.writesNothing());
        auth(config.child("auth"), b);
        config.requireValid();

        b.tenantId(tenantId.orElseThrow()).clientId(clientId.orElseThrow())
                .cloud(cloud)
                .usersDelta(usersDelta)
                .pollInterval(poll)
                .presenceRateLimit(rate, Duration.ofSeconds(30))
                .chunkSize(chunk);
        if (authority != null) {
            b.authorityHost(authority);
        }
        if (graphBase != null) {
            b.graphBaseUrl(graphBase);
        }
        trusted.forEach(b::trustCertificate);
        return b.build();
    }

    /** Checks {@code teams.auth} and sets the sign-in on the builder when it is valid. */
    private static void auth(ProviderConfig auth, GraphPresenceSource.Builder b) {
        auth.rejectUnknownKeys(AUTH_KEYS);
        Map<String, GraphAuthMode> modes = new LinkedHashMap<>();
        for (GraphAuthMode m : GraphAuthMode.values()) {
            modes.put(m.configValue(), m);
        }
        boolean modeOk = auth.text("mode").map(m -> modes.containsKey(m.toLowerCase(Locale.ROOT))).orElse(true);
        GraphAuthMode mode = auth.choice("mode", GraphAuthMode.CLIENT_CREDENTIALS, modes);
        Optional<String> secret = auth.text("clientSecret");
        Optional<Path> certificate = auth.readableFile("certificate");
        boolean certificateSet = auth.has("certificate");
        Optional<String> certificatePassword = auth.text("certificatePassword");
        Optional<String> username = auth.text("username");
        Optional<String> password = auth.text("password");
        Path tokenCache = auth.writableFile("tokenCache", DEFAULT_TOKEN_CACHE).orElse(DEFAULT_TOKEN_CACHE);
        if (!modeOk) {
            // the mode is already reported; checking the other keys against a guessed mode would only confuse
            return;
        }
        if (certificatePassword.isPresent() && !certificateSet) {
            auth.warn("certificatePassword", "ignored, because auth.certificate is not set");
        }
        switch (mode) {
            case CLIENT_CREDENTIALS -> {
                ignoredIn(auth, mode, "username", "password");
                if (secret.isEmpty() && !certificateSet) {
                    auth.problem("clientSecret", "is required for auth.mode client-credentials (or set auth.certificate"
                            + " instead), but both are missing or empty");
                } else if (secret.isPresent() && certificateSet) {
                    auth.problem("certificate", "set either auth.clientSecret or auth.certificate, not both");
                } else if (secret.isPresent()) {
                    b.clientSecret(secret.get());
                } else if (certificate.isPresent()) {
                    collect(auth, () -> {
                        loadCertificate(b, auth, certificate.get());
                        return null;
                    });
                }
            }
            case PASSWORD -> {
                ignoredIn(auth, mode, "clientSecret", "certificate");
                if (username.isEmpty()) {
                    auth.requiredText("username", "for auth.mode password");
                } else if (!username.get().contains("@")) {
                    auth.problem("username", "must be a user principal name like svc@example.com, but was "
                            + auth.shown("username", username.get()));
                }
                if (password.isEmpty()) {
                    auth.requiredText("password", "for auth.mode password");
                }
                if (username.isPresent() && password.isPresent()) {
                    b.password(username.get(), password.get());
                }
                b.tokenCache(tokenCache);
            }
            case DEVICE_CODE -> {
                ignoredIn(auth, mode, "clientSecret", "certificate", "password");
                b.deviceCode(tokenCache);
                username.ifPresent(b::username);
            }
            default -> throw new IllegalStateException(mode.toString());
        }
    }

    private static void ignoredIn(ProviderConfig auth, GraphAuthMode mode, String... keys) {
        for (String key : keys) {
            if (auth.has(key)) {
                auth.warn(key, "ignored, because auth.mode is " + mode.configValue());
            }
        }
    }

    /** Runs a reader that throws {@link ConfigException}; its problems are recorded instead. */
    private static <T> T collect(ProviderConfig section, java.util.function.Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                section.problemAt(p.keyPath(), p.message());
            }
            return null;
        }
    }

    private static java.util.List<X509Certificate> readPem(String keyPath, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            java.util.List<X509Certificate> out = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(c -> (X509Certificate) c).toList();
            if (out.isEmpty()) {
                throw new ConfigException(keyPath, "file " + file + " contains no certificate");
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(keyPath, "cannot read a PEM certificate from " + file + ": " + e.getMessage());
        }
    }

    private static void loadCertificate(GraphPresenceSource.Builder b, ProviderConfig auth, Path file) {
        if (isPem(file)) {
            loadPem(b, auth, file);
            return;
        }
        char[] pw = auth.text("certificatePassword").orElse("").toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, pw);
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Key key = ks.getKey(alias, pw);
                    Certificate cert = ks.getCertificate(alias);
                    if (key instanceof PrivateKey pk && cert instanceof X509Certificate x) {
                        b.clientCertificate(pk, x);
                        return;
                    }
                }
            }
            throw new ConfigException(auth.path("certificate"), "file " + file + " holds no private key with a certificate");
        } catch (IOException e) {
            // A wrong password shows as an IOException from PKCS12 loading; never echo the password.
            throw new ConfigException(auth.path("certificate"), "cannot read PKCS12 file " + file
                    + " (missing file or wrong " + auth.path("certificatePassword") + "): " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException(auth.path("certificate"), "cannot read PKCS12 file " + file + ": " + e.getMessage());
        }
    }

    private static boolean isPem(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(64);
            return new String(head, java.nio.charset.StandardCharsets.US_ASCII).stripLeading().startsWith("-----BEGIN");
        } catch (IOException e) {
            return false; // reported by the PKCS12 reader with the file name
        }
    }

    private static final java.util.regex.Pattern PEM_BLOCK =
            java.util.regex.Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

    /** A PEM file with an unencrypted PKCS#8 private key ("BEGIN PRIVATE KEY") and its certificate. */
    private static void loadPem(GraphPresenceSource.Builder b, ProviderConfig auth, Path file) {
        String key = auth.path("certificate");
        try {
            String text = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII);
            PrivateKey privateKey = null;
            X509Certificate cert = null;
            java.util.regex.Matcher m = PEM_BLOCK.matcher(text);
            while (m.find()) {
                byte[] der = java.util.Base64.getMimeDecoder().decode(m.group(2));
                switch (m.group(1)) {
                    case "PRIVATE KEY" -> privateKey = pkcs8(der);
                    case "CERTIFICATE" -> {
                        if (cert == null) {
                            cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                                    .generateCertificate(new java.io.ByteArrayInputStream(der));
                        }
                    }
                    case "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new ConfigException(key,
                            "file " + file + " holds a " + m.group(1) + "; use a PKCS12 file (openssl pkcs12 -export) "
                            + "or an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)");
                    default -> {
                        // other blocks (e.g. chain certificates after the first) are not needed
                    }
                }
            }
            if (privateKey == null || cert == null) {
                throw new ConfigException(key, "PEM file " + file + " must hold a PRIVATE KEY and a CERTIFICATE");
            }
            b.clientCertificate(privateKey, cert);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            if (e instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException(key, "cannot read PEM file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        java.security.spec.PKCS8EncodedKeySpec spec = new java.security.spec.PKCS8EncodedKeySpec(der);
        try {
            return java.security.KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (java.security.spec.InvalidKeySpecException e) {
            return java.security.KeyFactory.getInstance("EC").generatePrivate(spec);
        }
    }
}
