package dev.teamsconnect.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiver of the harness's webhook outputs: a JDK HTTP server on 127.0.0.1 that reads each body, counts it and
 * answers 204 (it does not verify signatures: the webhook's own tests do that; here it only has to be there).
 */
final class OutputReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "harness-receiver");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();

    private OutputReceiver(HttpServer server) {
        this.server = server;
    }

    static OutputReceiver start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        OutputReceiver r = new OutputReceiver(server);
        server.createContext("/hook/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
                r.requests.incrementAndGet();
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.setExecutor(r.executor);
        server.start();
        return r;
    }

    /** Where output number {@code i} POSTs. */
    URI url(int i) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/" + i);
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
