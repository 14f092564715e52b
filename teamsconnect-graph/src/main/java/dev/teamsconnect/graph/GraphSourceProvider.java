package dev.teamsconnect.graph;

import com.google.auto.service.AutoService;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * Provider id {@code graph}: Microsoft Teams presence via Microsoft Graph. Config keys (section {@code teams}):
 * <pre>
 * tenantId, clientId                       required
 * auth.mode                                client-credentials | device-code | password
 * auth.clientSecret                        client-credentials with a secret
 * auth.certificate, auth.certificatePassword   client-credentials with a PKCS12 file (key + certificate),
 *                                          or a PEM file with an unencrypted PKCS#8 key and the certificate
 * auth.username, auth.password             password (legacy ROPC)
 * auth.tokenCache                          token cache file (owner-only); required for device-code
 * authorityHost                            default https://login.microsoftonline.com
 * graphBaseUrl                             default https://graph.microsoft.com/v1.0
 * presenceRequestsPer30s                   default 1500
 * chunkSize                                1..650, default 650
 * userRefreshInterval                      default 15m
 * tls.certificate                          PEM file trusted in addition to the JVM's trust anchors
 * </pre>
 * The constructor and {@link #create} do no network I/O (they read the certificate files named in the config).
 */
@AutoService(PresenceSourceProvider.class)
public final class GraphSourceProvider implements PresenceSourceProvider {

    /** The provider id. */
    public static final String ID = "graph";

    public GraphSourceProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public PresenceSource create(ProviderConfig config) {
        GraphPresenceSource.Builder b = GraphPresenceSource.builder().configPrefix(config.prefix())
                .tenantId(config.string("tenantId"))
                .clientId(config.string("clientId"));
        ProviderConfig auth = config.section("auth");
        String modeText = auth.string("mode", GraphAuthMode.CLIENT_CREDENTIALS.configValue());
        GraphAuthMode mode = GraphAuthMode.fromConfig(modeText);
        if (mode == null) {
            throw new ConfigException(auth.path("mode"), "must be client-credentials, device-code or password, but was \"" + modeText + "\"");
        }
        auth.optionalPath("tokenCache").ifPresent(b::tokenCache);
        switch (mode) {
            case CLIENT_CREDENTIALS -> {
                if (auth.has("certificate")) {
                    loadCertificate(b, auth);
                } else {
                    b.clientSecret(auth.optionalString("clientSecret").orElseThrow(() -> new ConfigException(
                            auth.path("clientSecret"), "or " + auth.path("certificate") + " is required for client-credentials sign-in")));
                }
            }
            case DEVICE_CODE -> {
                b.deviceCode(auth.optionalPath("tokenCache").orElseThrow(() -> new ConfigException(auth.path("tokenCache"),
                        "is required for device-code sign-in (without it every restart needs a new code)")));
                auth.optionalString("username").ifPresent(b::username);
            }
            case PASSWORD -> b.password(auth.string("username"), auth.string("password"));
        }
        config.optionalUri("authorityHost").ifPresent(b::authorityHost);
        config.optionalUri("graphBaseUrl").ifPresent(b::graphBaseUrl);
        b.presenceRateLimit(config.integer("presenceRequestsPer30s", 1500), Duration.ofSeconds(30));
        b.chunkSize(config.integer("chunkSize", GraphPresenceSource.MAX_CHUNK));
        b.userRefreshInterval(config.duration("userRefreshInterval", Duration.ofMinutes(15)));
        ProviderConfig tls = config.section("tls");
        tls.optionalPath("certificate").ifPresent(p -> readPem(tls.path("certificate"), p).forEach(b::trustCertificate));
        return b.build();
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

    private static void loadCertificate(GraphPresenceSource.Builder b, ProviderConfig auth) {
        Path file = auth.optionalPath("certificate").orElseThrow();
        if (isPem(file)) {
            loadPem(b, auth, file);
            return;
        }
        char[] pw = auth.string("certificatePassword", "").toCharArray();
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
