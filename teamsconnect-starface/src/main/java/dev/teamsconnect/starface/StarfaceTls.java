package dev.teamsconnect.starface;

import dev.teamsconnect.core.error.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS set-up for appliances with their own (often self-signed) certificate: the JVM's default trust anchors
 * PLUS the certificates of one PEM file, checked by the standard PKIX trust manager (so expiry, chain and host
 * name are verified as usual), optionally followed by a SHA-256 pin on the server's leaf certificate.
 * There is deliberately no way to trust everything or to skip the host name check.
 */
final class StarfaceTls {

    private StarfaceTls() {
    }

    /** Reads every certificate of a PEM (or DER) file. */
    static List<X509Certificate> readCertificates(String keyPath, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(keyPath, "certificate file " + file + " does not exist or is not a file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (var c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new ConfigException(keyPath, "file " + file + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
            }
            return out;
        } catch (IOException | CertificateException e) {
            throw new ConfigException(keyPath, "cannot read a certificate from " + file + ": " + e.getMessage());
        }
    }

    /**
     * Reads a SHA-256 certificate fingerprint in either accepted form: 64 hex digits (colons, spaces and case do not
     * matter, as {@code openssl x509 -fingerprint -sha256} prints it) or {@code sha256/} followed by the base64 of
     * the 32 bytes (as HPKP-style pins are written).
     *
     * @throws ConfigException naming {@code keyPath} when it is neither
     */
    static byte[] parsePin(String keyPath, String pin) {
        return decodePin(pin).orElseThrow(() -> new ConfigException(keyPath, PIN_RULE + ", but was \"" + pin + "\""));
    }

    /** What {@link #parsePin} accepts, for messages. */
    static final String PIN_RULE = "must be a SHA-256 fingerprint: 64 hex digits (colons allowed) or sha256/<base64 of 32 bytes>";

    /** The 32 bytes of a pin in either form, or empty when it is neither. */
    static java.util.Optional<byte[]> decodePin(String pin) {
        if (pin == null) {
            return java.util.Optional.empty();
        }
        String p = pin.strip();
        if (p.regionMatches(true, 0, "sha256/", 0, 7)) {
            try {
                byte[] bytes = java.util.Base64.getDecoder().decode(p.substring(7));
                return bytes.length == 32 ? java.util.Optional.of(bytes) : java.util.Optional.empty();
            } catch (IllegalArgumentException e) {
                return java.util.Optional.empty();
            }
        }
        String hex = p.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(HexFormat.of().parseHex(hex));
    }

    /** A client TLS context trusting the JVM defaults plus {@code extra}, with an optional leaf pin. */
    static SSLContext context(List<X509Certificate> extra, byte[] pin) {
        try {
            X509ExtendedTrustManager trust = extra.isEmpty() ? defaultTrustManager() : combinedTrustManager(extra);
            if (pin != null) {
                trust = new PinningTrustManager(trust, pin);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trust}, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static X509ExtendedTrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        return firstExtended(tmf);
    }

    private static X509ExtendedTrustManager combinedTrustManager(List<X509Certificate> extra)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        // The default trust manager's accepted issuers are the JVM's trust anchors (cacerts or javax.net.ssl.trustStore).
        for (X509Certificate c : defaultTrustManager().getAcceptedIssuers()) {
            store.setCertificateEntry("jvm-" + i++, c);
        }
        i = 0;
        for (X509Certificate c : extra) {
            store.setCertificateEntry("configured-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return firstExtended(tmf);
    }

    private static X509ExtendedTrustManager firstExtended(TrustManagerFactory tmf) {
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("the JVM offers no X509ExtendedTrustManager");
    }

    static String sha256Hex(X509Certificate cert) throws CertificateEncodingException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the full standard check first, then additionally requires the leaf certificate's SHA-256 to match. */
    private static final class PinningTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final byte[] pin;

        PinningTrustManager(X509ExtendedTrustManager delegate, byte[] pin) {
            this.delegate = delegate;
            this.pin = pin.clone();
        }

        private void checkPin(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            byte[] actual = HexFormat.of().parseHex(sha256Hex(chain[0]));
            if (!MessageDigest.isEqual(actual, pin)) {
                throw new CertificateException("the server certificate's SHA-256 fingerprint " + sha256Hex(chain[0])
                        + " does not match the configured pin (starface.tls.pin)");
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
