package dev.teamsconnect.testkit.graph;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A generated RSA key and self-signed certificate for a test app's client-credential certificate (msal4j signs
 * the client assertion with RS256, so it must be RSA), written as PKCS12 like an admin's {@code .p12}. The
 * emulator's HTTPS certificate comes from the shared {@link dev.teamsconnect.testkit.tls.AppCertificate},
 * which does not expose its private key.
 */
final class AppCertificate {

    private final KeyPair keyPair;
    private final X509Certificate certificate;

    private AppCertificate(KeyPair keyPair, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.certificate = certificate;
    }

    static AppCertificate generate(String commonName) {
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
            kpg.initialize(2048, new SecureRandom());
            KeyPair kp = kpg.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName);
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), name, kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
            return new AppCertificate(kp, cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a test certificate: " + e, e);
        }
    }

    KeyPair keyPair() {
        return keyPair;
    }

    X509Certificate certificate() {
        return certificate;
    }

    KeyStore keyStore(char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", keyPair.getPrivate(), password, new X509Certificate[] {certificate});
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void writePkcs12(Path file, char[] password) {
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore(password).store(out, password);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + file + ": " + e, e);
        }
    }
}
