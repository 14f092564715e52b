package dev.teamsconnect.starface;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP server for tests that records every request (method, path and all headers, names in lower case) and
 * answers with scripted responses ({@link #answer}), 404 otherwise.
 */
final class CaptureServer implements AutoCloseable {

    private record Answer(int status, String body, String location) {
    }

    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    private CaptureServer(HttpServer server) {
        this.server = server;
    }

    static CaptureServer start() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        CaptureServer c = new CaptureServer(s);
        s.createContext("/", c::handle);
        s.start();
        return c;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Answers every {@code "METHOD /path"} request with this status, body and optional {@code Location}. */
    void answer(String endpoint, int status, String body, String location) {
        answers.put(endpoint, new Answer(status, body, location));
    }

    /** Every request so far: {@code "GET /path\nname: value\n..."}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            StringBuilder sb = new StringBuilder(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            ex.getRequestHeaders().forEach((k, v) -> v.forEach(value -> sb.append('\n').append(k.toLowerCase(Locale.ROOT))
                    .append(": ").append(value)));
            ex.getRequestBody().readAllBytes();
            requests.add(sb.toString());
            Answer a = answers.get(ex.getRequestMethod() + " " + ex.getRequestURI().getPath());
            if (a == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (a.location() != null) {
                ex.getResponseHeaders().set("Location", a.location());
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
