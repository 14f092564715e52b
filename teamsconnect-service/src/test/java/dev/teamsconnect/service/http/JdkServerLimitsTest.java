package dev.teamsconnect.service.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JdkServerLimitsTest {

    @Test
    void setsTheRequestReadLimitOnlyWhereTheAdministratorHasNot() {
        Properties none = new Properties();
        Properties admin = new Properties();
        admin.setProperty("sun.net.httpserver.maxReqTime", "20");

        assertThat(JdkServerLimits.applyDefaults(none)).containsEntry("sun.net.httpserver.maxReqTime", "5")
                .containsEntry("jdk.httpserver.maxConnections", "200");
        assertThat(JdkServerLimits.applyDefaults(admin)).containsEntry("sun.net.httpserver.maxReqTime", "20");
        assertThat(admin.getProperty("sun.net.httpserver.maxReqTime")).isEqualTo("20");
    }

    /**
     * In a fresh JVM (the JDK reads its limits once, at the first server of the JVM), with the endpoints' own
     * deadline out of the way: the JDK closes a connection that sends its headers one byte a second after the
     * 5 seconds the service set.
     */
    @Test
    void theJdkClosesASlowConnectionAfterTheLimitTheServiceSets() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                SlowHeaders.class.getName()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the probe JVM finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String line = out.lines().filter(l -> l.startsWith("closed after ")).findFirst().orElseThrow(() -> new AssertionError(out));
        long millis = Long.parseLong(line.substring("closed after ".length(), line.indexOf(" ms")));

        assertThat(millis).as(out).isBetween(4_500L, 8_000L);
    }

    /** Runs in its own JVM: one slow client against a server whose own deadline is a minute. */
    static final class SlowHeaders {
        public static void main(String[] args) throws Exception {
            try (StatusHttpServer server = StatusHttpServer.builder(new StatusBoard("graph", "starface"), new ServiceMetrics())
                    .threads(1).requestTimeout(Duration.ofMinutes(1)).build();
                 Socket socket = new Socket()) {
                InetSocketAddress at = server.start("127.0.0.1", 0);
                socket.connect(at);
                socket.setSoTimeout(100);
                byte[] request = "GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                long started = System.nanoTime();
                for (int i = 0; i < 15; i++) {
                    try {
                        out.write(request[i % request.length]);
                        out.flush();
                        long deadline = System.nanoTime() + 1_000_000_000L;
                        while (System.nanoTime() < deadline) {
                            try {
                                if (in.read() == -1) {
                                    throw new SocketException("end of stream");
                                }
                            } catch (java.net.SocketTimeoutException quiet) {
                                // still open
                            }
                        }
                    } catch (IOException closed) {
                        System.out.println("closed after " + (System.nanoTime() - started) / 1_000_000 + " ms ("
                                + List.of(closed.getMessage()) + ")");
                        return;
                    }
                }
                System.out.println("still open after 15 s");
            }
        }
    }
}
