package dev.teamsconnect.mqtt;

import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Mosquitto as a child process with a generated config, when {@code /usr/sbin/mosquitto} is installed
 * ({@code .ci/run} installs it). Persistence is off, like the embedded broker.
 */
final class MosquittoBroker implements TestBroker {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    static final Path PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    private final int port = TestBroker.freePort();
    private final int tlsPort = TestBroker.freePort();
    private final SelfSignedCertificate certificate;
    private final Path dir;
    private final Path config;
    private Process process;

    MosquittoBroker(SelfSignedCertificate certificate, Path dir) {
        this.certificate = certificate;
        this.dir = dir;
        this.config = dir.resolve("mosquitto.conf");
        try {
            Path cert = certificate.writePem(dir.resolve("broker.pem"));
            Path key = certificate.writePrivateKeyPem(dir.resolve("broker.key"));
            Path passwords = dir.resolve("passwords");
            run(List.of(PASSWD.toString(), "-c", "-b", passwords.toString(), USER, PASSWORD));
            Files.writeString(config, String.join("\n",
                    "per_listener_settings false",
                    "allow_anonymous true",
                    "password_file " + passwords,
                    "persistence false",
                    "user root",
                    "log_dest stderr",
                    "listener " + port + " 127.0.0.1",
                    "listener " + tlsPort + " 127.0.0.1",
                    "certfile " + cert,
                    "keyfile " + key,
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean installed() {
        return Files.isExecutable(BINARY) && Files.isExecutable(PASSWD);
    }

    private void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("passwd.log").toFile()).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " failed: " + Files.readString(dir.resolve("passwd.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public synchronized void start() {
        if (process != null) {
            return;
        }
        try {
            process = new ProcessBuilder(BINARY.toString(), "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile()))
                    .start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(accepts(port) && accepts(tlsPort))) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mosquitto exited: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("mosquitto did not listen within 20 s: " + Files.readString(dir.resolve("mosquitto.log")));
                }
                Thread.sleep(20);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
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
        return "Mosquitto";
    }
}
