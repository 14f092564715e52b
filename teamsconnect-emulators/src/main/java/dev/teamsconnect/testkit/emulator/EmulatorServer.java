package dev.teamsconnect.testkit.emulator;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP(S) server an emulator runs on: the JDK server on a free port of 127.0.0.1, a pool of daemon threads, and
 * one handler (the emulator's dispatcher) for every path. With a certificate it speaks HTTPS with it; 127.0.0.1 is
 * in the SAN of {@link SelfSignedCertificate#forLocalhost()}, so clients keep hostname verification on.
 *
 * <p>Thread-safe. {@link #close()} stops the server and its threads at once.
 */
public final class EmulatorServer implements AutoCloseable {

    static {
        // Without TCP_NODELAY the JDK server's small responses meet the client's delayed ACK: ~40 ms per request.
        // Read once when the JDK server classes load; harmless if the property was already set.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUri;

    private EmulatorServer(HttpServer server, ExecutorService executor, URI baseUri) {
        this.server = server;
        this.executor = executor;
        this.baseUri = baseUri;
    }

    /**
     * Starts a server.
     *
     * @param name        prefix of the thread names, e.g. {@code "graph-emulator"}
     * @param threads     size of the thread pool (each request holds one thread until it is answered)
     * @param certificate the server certificate for HTTPS, or {@code null} for plain HTTP
     * @param dispatcher  receives every request
     */
    public static EmulatorServer start(String name, int threads, SelfSignedCertificate certificate, HttpHandler dispatcher) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dispatcher, "dispatcher");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
        }
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
            HttpServer server;
            if (certificate != null) {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(certificate.serverSslContext()));
                server = https;
            } else {
                server = HttpServer.create(address, 64);
            }
            AtomicInteger threadNo = new AtomicInteger();
            ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, name + "-" + threadNo.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.createContext("/", dispatcher);
            server.start();
            String scheme = certificate != null ? "https" : "http";
            return new EmulatorServer(server, executor, URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** {@code https://127.0.0.1:<port>} (or {@code http://...}), without a trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    /** The port the server listens on. */
    public int port() {
        return baseUri.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
