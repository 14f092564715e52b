package dev.teamsconnect.service.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Limits of the JDK's built-in HTTP server ({@code sun.net.httpserver.*}). They are JVM-wide system properties
 * that the JDK reads once, when the first {@code HttpServer} of the JVM is created; so they are set before that
 * (see {@link StatusHttpServer}'s class initialisation), and only where the administrator has not set them
 * (e.g. {@code -Dsun.net.httpserver.maxReqTime=20} on the command line wins).
 *
 * <p>On JDK 17 the server hands a connection to an executor thread as soon as its first bytes arrive, and that
 * thread reads the request line and headers in blocking mode. Without {@code maxReqTime} (the JDK default is no
 * limit) a client that sends its headers slowly holds the thread for as long as it likes. With it, a timer
 * (every {@code sun.net.httpserver.timerMillis}, default 1 s) closes every connection whose request is not
 * complete after that many seconds, whether it is on a thread or still waiting in the queue; a connection that
 * sends nothing at all is closed by the idle timer. No response-time limit is set: the JDK would count a
 * handler's own time as well, for every server in the JVM; {@link ExchangeExecutor}'s deadline covers slow
 * readers of the endpoints instead.
 */
final class JdkServerLimits {

    /** Seconds a client may take to send its request line and headers. */
    static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";
    /** Open connections per server; more are closed when accepted (protects the process's file descriptors). */
    static final String MAX_CONNECTIONS = "jdk.httpserver.maxConnections";

    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(MAX_REQ_TIME, "5");
        d.put(MAX_CONNECTIONS, "200");
        DEFAULTS = Map.copyOf(d);
    }

    private JdkServerLimits() {
    }

    /** Sets each limit that is not set yet in the system properties. */
    static void applyDefaults() {
        applyDefaults(System.getProperties());
    }

    /** Sets each limit that is not set yet in {@code properties}; returns the values now in effect there. */
    static Map<String, String> applyDefaults(Properties properties) {
        Map<String, String> effective = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : DEFAULTS.entrySet()) {
            properties.putIfAbsent(e.getKey(), e.getValue());
            effective.put(e.getKey(), properties.getProperty(e.getKey()));
        }
        return effective;
    }
}
