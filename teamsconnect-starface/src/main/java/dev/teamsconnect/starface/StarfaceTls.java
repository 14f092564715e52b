package dev.teamsconnect.starface;

import dev.teamsconnect.core.tls.ServerTrust;
import dev.teamsconnect.core.error.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;

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
    static final String PIN_RULE = ServerTrust.PIN_RULE;

    /** The 32 bytes of a pin in either form, or empty when it is neither ({@link ServerTrust#decodePin}). */
    static java.util.Optional<byte[]> decodePin(String pin) {
        return ServerTrust.decodePin(pin);
    }

    /**
     * A client TLS context trusting the JVM defaults plus {@code extra}, with an optional leaf pin: core's
     * {@link ServerTrust}, the one implementation of the trust options that every plugin's {@code tls} section has.
     */
    static SSLContext context(List<X509Certificate> extra, byte[] pin) {
        return ServerTrust.of(extra, pin, "starface.tls.pin").sslContext();
    }

    static String sha256Hex(X509Certificate cert) throws CertificateEncodingException {
        return ServerTrust.sha256Hex(cert);
    }
}
