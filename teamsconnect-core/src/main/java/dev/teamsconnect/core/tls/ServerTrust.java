package dev.teamsconnect.core.tls;

import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which server certificates a plugin's client trusts, from a {@code tls} section with the same keys and rules as
 * the STARFACE sink's ({@code docs/starface.md}): {@code certificate} (a PEM file trusted in addition to the JVM's
 * CAs) and {@code pin} (an extra SHA-256 check of the server's leaf certificate). Both halves are the JDK's PKIX
 * trust manager, so chain, expiry and (with the client's endpoint identification) the host name are checked as
 * usual. There is deliberately no way to trust everything or to skip the host name check.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerTrust {

    /** The keys of a {@code tls} section. */
    public static final List<String> KEYS = List.of("certificate", "pin");

    /** What a pin must look like, for messages. */
    public static final String PIN_RULE =
            "must be a SHA-256 fingerprint: 64 hex digits (colons allowed) or sha256/<base64 of 32 bytes>";

    private final List<X509Certificate> extra;
    private final byte[] pin;
    private final String pinKeyPath;

    private ServerTrust(List<X509Certificate> extra, byte[] pin, String pinKeyPath) {
        this.extra = List.copyOf(extra);
        this.pin = pin == null ? null : pin.clone();
        this.pinKeyPath = pinKeyPath;
    }

    /** The JVM's default trust anchors only. */
    public static ServerTrust jvmDefaults() {
        return new ServerTrust(List.of(), null, null);
    }

    /** The JVM's defaults plus {@code extra}, with an optional pin (32 bytes) whose key path failures name. */
    public static ServerTrust of(List<X509Certificate> extra, byte[] pin, String pinKeyPath) {
        if (pin != null && pin.length != 32) {
            throw new IllegalArgumentException("a SHA-256 pin has 32 bytes, but had " + pin.length);
        }
        return new ServerTrust(extra, pin, pinKeyPath);
    }

    /**
     * Reads a {@code tls} section ({@code certificate}, {@code pin}), recording every problem in the section's
     * collecting validation (unknown keys included); the caller calls {@link ProviderConfig#requireValid()}.
     * Reads the certificate file (local I/O), never the network.
     */
    public static ServerTrust read(ProviderConfig tls) {
        tls.rejectUnknownKeys(KEYS);
        List<X509Certificate> trusted = tls.readableFile("certificate").map(f -> certificates(tls, f)).orElse(List.of());
        Optional<String> pinText = tls.text("pin");
        byte[] pin = null;
        if (pinText.isPresent()) {
            Optional<byte[]> decoded = decodePin(pinText.get());
            if (decoded.isEmpty()) {
                tls.problem("pin", PIN_RULE + ", but was " + tls.shown("pin", pinText.get()));
            } else {
                pin = decoded.get();
            }
        }
        return new ServerTrust(trusted, pin, tls.path("pin"));
    }

    /** The 32 bytes of a pin in either accepted form, or empty when it is neither. */
    public static Optional<byte[]> decodePin(String pin) {
        if (pin == null) {
            return Optional.empty();
        }
        String p = pin.strip();
        if (p.regionMatches(true, 0, "sha256/", 0, 7)) {
            try {
                byte[] bytes = Base64.getDecoder().decode(p.substring(7));
                return bytes.length == 32 ? Optional.of(bytes) : Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        String hex = p.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        return hex.matches("[0-9a-f]{64}") ? Optional.of(HexFormat.of().parseHex(hex)) : Optional.empty();
    }

    /** Whether anything beyond the JVM defaults is configured. */
    public boolean isCustomized() {
        return !extra.isEmpty() || pin != null;
    }

    /** The trust manager: JVM defaults plus the configured certificates, then the pin when one is set. */
    public X509ExtendedTrustManager trustManager() {
        try {
            X509ExtendedTrustManager trust = extra.isEmpty() ? pkix(null) : pkix(storeWithDefaultsAnd(extra));
            return pin == null ? trust : new PinningTrustManager(trust, pin, pinKeyPath);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trust: " + e.getMessage(), e);
        }
    }

    /**
     * {@link #trustManager()} as a factory, for client libraries that take a {@link TrustManagerFactory} (Netty
     * based ones). Its {@code init} methods do nothing: the trust is fixed here.
     */
    public TrustManagerFactory trustManagerFactory() {
        return FixedTrustManagerFactory.of(trustManager());
    }

    /** A client TLS context with {@link #trustManager()}. */
    public SSLContext sslContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustManager()}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** SHA-256 of a certificate's DER encoding, lower-case hex. */
    public static String sha256Hex(X509Certificate cert) throws CertificateEncodingException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<X509Certificate> certificates(ProviderConfig tls, Path file) {
        String shown = tls.shown("certificate", file.toString());
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                tls.problem("certificate", "file " + shown + " holds no certificate; it must be a PEM file with"
                        + " -----BEGIN CERTIFICATE----- blocks");
            }
            return out;
        } catch (CertificateException | IOException e) {
            tls.problem("certificate", "file " + shown + " is not a readable PEM certificate (" + e.getClass().getSimpleName()
                    + "); export the server's certificate (or its CA) as PEM");
            return List.of();
        }
    }

    private static KeyStore storeWithDefaultsAnd(List<X509Certificate> extra) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        // The default trust manager's accepted issuers are the JVM's trust anchors (cacerts or javax.net.ssl.trustStore).
        for (X509Certificate c : pkix(null).getAcceptedIssuers()) {
            store.setCertificateEntry("jvm-" + i++, c);
        }
        i = 0;
        for (X509Certificate c : extra) {
            store.setCertificateEntry("configured-" + i++, c);
        }
        return store;
    }

    private static X509ExtendedTrustManager pkix(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("the JVM offers no X509ExtendedTrustManager");
    }

    /** Runs the full standard check first, then additionally requires the leaf certificate's SHA-256 to match. */
    private static final class PinningTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final byte[] pin;
        private final String keyPath;

        PinningTrustManager(X509ExtendedTrustManager delegate, byte[] pin, String keyPath) {
            this.delegate = delegate;
            this.pin = pin.clone();
            this.keyPath = keyPath == null ? "tls.pin" : keyPath;
        }

        private void checkPin(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            String actual = sha256Hex(chain[0]);
            if (!MessageDigest.isEqual(HexFormat.of().parseHex(actual), pin)) {
                throw new CertificateException("the server certificate's SHA-256 fingerprint " + actual
                        + " does not match the configured pin (" + keyPath + ")");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkServerTrusted(chain, authType, socket);
            checkPin(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkServerTrusted(chain, authType, engine);
            checkPin(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
            checkPin(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
