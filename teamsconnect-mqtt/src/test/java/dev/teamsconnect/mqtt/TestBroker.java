package dev.teamsconnect.mqtt;

import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;

/**
 * A real MQTT broker for the tests, listening on 127.0.0.1 with a plain and a TLS port (the TLS one presents
 * {@link #certificate()}). Anonymous clients are allowed; a client that names a user must be {@link #USER} with
 * {@link #PASSWORD}. Retained messages live in memory only, so a {@link #restart()} loses them, as a broker without
 * persistence does. The ports stay the same across restarts.
 */
public interface TestBroker extends AutoCloseable {

    String USER = "teamsconnect";
    String PASSWORD = "broker-pass-0815";

    void start();

    /** Stops the broker (clients lose their connection). */
    void stop();

    default void restart() {
        stop();
        start();
    }

    int port();

    int tlsPort();

    SelfSignedCertificate certificate();

    default URI tcpUrl() {
        return URI.create("tcp://127.0.0.1:" + port());
    }

    default URI sslUrl(String host) {
        return URI.create("ssl://" + host + ":" + tlsPort());
    }

    @Override
    default void close() {
        stop();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
