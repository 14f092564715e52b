package dev.teamsconnect.mqtt;

import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/** Moquette, embedded: the broker of the normal build. */
public final class MoquetteBroker implements TestBroker {

    private final int port = TestBroker.freePort();
    private final int tlsPort = TestBroker.freePort();
    private final SelfSignedCertificate certificate;
    private Server server;

    public MoquetteBroker(SelfSignedCertificate certificate) {
        this.certificate = certificate;
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(port));
        p.setProperty("ssl_port", Integer.toString(tlsPort));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("immediate_buffer_flush", "true");
        p.setProperty("telemetry_enabled", "false"); // Moquette would otherwise report to its collector on the internet
        Server s = new Server();
        try {
            s.startServer(new MemoryConfig(p), List.of(),
                    () -> new JdkSslContext(certificate.serverSslContext(), false, null, IdentityCipherSuiteFilter.INSTANCE,
                            ApplicationProtocolConfig.DISABLED, ClientAuth.NONE, null, false),
                    (clientId, username, password) -> username == null
                            || (USER.equals(username) && password != null && PASSWORD.equals(new String(password, java.nio.charset.StandardCharsets.UTF_8))),
                    null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = s;
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stopServer();
            server = null;
        }
    }

    /** Cuts one client's connection as a network failure would (Moquette-only hook). */
    synchronized boolean cut(String clientId) {
        return server != null && server.disconnectClient(clientId);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int tlsPort() {
        return tlsPort;
    }

    @Override
    public SelfSignedCertificate certificate() {
        return certificate;
    }

    @Override
    public String toString() {
        return "Moquette";
    }
}
