package dev.teamsconnect.core.tls;

import java.security.KeyStore;
import java.security.Provider;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedTrustManager;

/** A {@link TrustManagerFactory} that hands out one given trust manager; {@code init} does nothing. */
final class FixedTrustManagerFactory extends TrustManagerFactory {

    private static final Provider PROVIDER = new Provider("TeamsConnectServerTrust", "1.0",
            "the trust manager of a configured tls section") {
        private static final long serialVersionUID = 1L;
    };

    private FixedTrustManagerFactory(X509ExtendedTrustManager trustManager) {
        super(new Spi(trustManager), PROVIDER, "PKIX");
    }

    static TrustManagerFactory of(X509ExtendedTrustManager trustManager) {
        return new FixedTrustManagerFactory(trustManager);
    }

    private static final class Spi extends TrustManagerFactorySpi {
        private final X509ExtendedTrustManager trustManager;

        Spi(X509ExtendedTrustManager trustManager) {
            this.trustManager = trustManager;
        }

        @Override
        protected void engineInit(KeyStore ks) {
            // fixed trust: configured through ServerTrust, not through a key store
        }

        @Override
        protected void engineInit(ManagerFactoryParameters spec) {
            // fixed trust: configured through ServerTrust
        }

        @Override
        protected TrustManager[] engineGetTrustManagers() {
            return new TrustManager[] {trustManager};
        }
    }
}
