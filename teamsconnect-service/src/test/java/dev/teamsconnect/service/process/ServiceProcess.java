package dev.teamsconnect.service.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar teamsconnect.jar ...} as a separate process, with standard output and error captured to files.
 * The jar is the one the shade plugin built in {@code package} (system property {@code teamsconnect.jar}, set by
 * failsafe).
 */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ServiceProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Path jar() {
        String jar = System.getProperty("teamsconnect.jar", "target/teamsconnect.jar");
        Path p = Path.of(jar);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p.toAbsolutePath() + " is missing: run these tests with mvn verify (failsafe), after package");
        }
        return p;
    }

    /** Starts the jar in {@code workDir} with the given environment additions. */
    static ServiceProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // small and quick: these runs last seconds
        command.add("-Xshare:auto");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-jar");
        command.add(jar().toAbsolutePath().toString());
        command.addAll(List.of(args));
        String name = args.length == 0 ? "none" : args[0] + "-" + System.nanoTime();
        Path out = workDir.resolve(name + ".out");
        Path err = workDir.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        return new ServiceProcess(pb.start(), out, err);
    }

    /** Runs to the end (at most {@code timeout}) and returns the exit code. */
    static Result run(Path workDir, Map<String, String> env, Duration timeout, String... args) throws Exception {
        try (ServiceProcess p = start(workDir, env, args)) {
            int code = p.waitFor(timeout);
            return new Result(code, p.stdout(), p.stderr());
        }
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("teamsconnect did not finish within " + timeout + "\nstdout:\n" + stdout() + "\nstderr:\n"
                    + stderr());
        }
        return process.exitValue();
    }

    /** Sends SIGTERM (what {@link Process#destroy()} does on Unix). */
    void terminate() {
        process.destroy();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    /** The outcome of a finished run. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}
