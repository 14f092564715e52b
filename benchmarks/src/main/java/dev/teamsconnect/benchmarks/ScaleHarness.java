package dev.teamsconnect.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.mapping.DesiredState;
import dev.teamsconnect.core.mapping.TeamsStatusClassifier;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.output.OutputStats;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.service.status.StatusBoard;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.graph.PresenceChange;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end scale and latency harness: starts the Graph and STARFACE emulators over HTTPS with N users, writes a
 * service config file for them, and builds and runs the engine exactly as {@code teamsconnect.jar run} does
 * ({@link ConfigLoader}, {@link EngineWiring}, {@link SyncEngine#start()}: the shipped defaults of every key the
 * file does not set), while the Teams side changes; then prints a Markdown table of what the emulators recorded
 * ({@link ScaleReport}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.teamsconnect.benchmarks.ScaleHarness \
 *     --users 1000,10000 --duration 60s --change-rate 0.005 --poll 2s [--burst 0.2 | --in-calls 2000]
 *     [--set starface.parallelism=8 ...] [--out file.md]
 * </pre>
 *
 * <p>Scenarios: steady changes (default: {@code --change-rate} presence changes per user and second, calls
 * starting and ending); {@code --burst F}: a share F of the users joins meetings within the same second (meetings
 * start on the hour); {@code --in-calls K}: K users are in calls from the start and nothing changes (the steady PBX
 * load of rechecks).
 *
 * <p>The PBX is modelled as an appliance of limited capacity: {@code --pbx-workers} (default 8) workers with a
 * fixed {@code --pbx-service-time} (default 30 ms) per request, requests beyond the workers queue, plus
 * {@code --pbx-latency} (default 0) of network. 8 x 30 ms (267 requests per second) is an assumption of a modest
 * appliance: STARFACE documents no capacity or rate limit for its REST API.
 *
 * <p>Other options: {@code --poll} ({@code teams.pollInterval}), {@code --at-limit} (cycles back to back, so only the
 * Graph pacer at 1,500 per 30 s limits them), {@code --min-hold} (shortest call or pause, default 3 x poll + 2 s;
 * calls last up to twice that), {@code --graph-latency}, {@code --set key=value} (any config key, repeatable; a
 * figure reached with one is labelled with it), {@code --outputs K} (K webhook status outputs, through the shipped
 * wiring, to a local receiver that answers 204: for the side-by-side run that shows the PBX sync's figures do not
 * change with outputs), {@code --seed}, {@code --out}.
 *
 * <p>Everything runs in this one JVM, so the process CPU and heap figures include the emulators. Exit status 0
 * when every aim was met, 1 when one was missed, 2 for bad arguments.
 */
public final class ScaleHarness {

    private static final String API_LOGIN = "teamsconnect";
    private static final String APP_ID = "11111111-2222-4333-8444-555555555555";

    /** The scenario of a run. */
    public enum Scenario { CHANGES, BURST, IN_CALLS }

    /** The options of one harness invocation. */
    public record Options(List<Integer> users, Duration duration, double changeRate, Duration poll, boolean atLimit,
                          Duration minHold, Duration graphLatency, Duration pbxLatency, int pbxWorkers,
                          Duration pbxServiceTime, Map<String, String> overrides, Scenario scenario, double burst,
                          int inCalls, long seed, Path out, int outputs) {

        public Options {
            users = List.copyOf(users);
            overrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
            if (outputs < 0) {
                throw new IllegalArgumentException("--outputs must be >= 0, but was " + outputs);
            }
        }

        /** Without status outputs. */
        public Options(List<Integer> users, Duration duration, double changeRate, Duration poll, boolean atLimit,
                       Duration minHold, Duration graphLatency, Duration pbxLatency, int pbxWorkers,
                       Duration pbxServiceTime, Map<String, String> overrides, Scenario scenario, double burst,
                       int inCalls, long seed, Path out) {
            this(users, duration, changeRate, poll, atLimit, minHold, graphLatency, pbxLatency, pbxWorkers,
                    pbxServiceTime, overrides, scenario, burst, inCalls, seed, out, 0);
        }

        /** These options with {@code k} webhook outputs to the harness's local receiver. */
        public Options withOutputs(int k) {
            return new Options(users, duration, changeRate, poll, atLimit, minHold, graphLatency, pbxLatency,
                    pbxWorkers, pbxServiceTime, overrides, scenario, burst, inCalls, seed, out, k);
        }

        public static Options defaults() {
            return new Options(List.of(1000), Duration.ofSeconds(60), 0.005, Duration.ofSeconds(2), false, null,
                    Duration.ZERO, Duration.ZERO, 8, Duration.ofMillis(30), Map.of(), Scenario.CHANGES, 0, 0, 1, null);
        }

        /** The shortest call or pause; long enough for two cycles to see every state. */
        Duration effectiveMinHold() {
            return minHold != null ? minHold : (atLimit ? Duration.ofSeconds(6) : poll.multipliedBy(3).plusSeconds(2));
        }

        /** {@code teams.pollInterval} as written into the config. */
        Duration enginePoll() {
            // back to back: the pacer is the only brake
            return atLimit ? Duration.ofMillis(1) : poll;
        }

        /** Requests per second the modelled PBX can serve. */
        double pbxCapacity() {
            return pbxWorkers * 1000.0 / Math.max(1, pbxServiceTime.toMillis());
        }

        static Options parse(String[] args) {
            Options o = defaults();
            List<Integer> users = o.users;
            Duration duration = o.duration;
            double rate = o.changeRate;
            Duration poll = o.poll;
            boolean atLimit = false;
            Duration minHold = null;
            Duration graphLatency = o.graphLatency;
            Duration pbxLatency = o.pbxLatency;
            int workers = o.pbxWorkers;
            Duration serviceTime = o.pbxServiceTime;
            Map<String, String> overrides = new LinkedHashMap<>();
            Scenario scenario = Scenario.CHANGES;
            double burst = 0;
            int inCalls = 0;
            long seed = o.seed;
            Path out = null;
            int outputs = 0;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--at-limit")) {
                    atLimit = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--users" -> {
                        users = new ArrayList<>();
                        for (String n : v.split(",")) {
                            int parsed = Integer.parseInt(n.trim().replace("_", ""));
                            if (parsed < 1) {
                                throw new IllegalArgumentException("--users must be >= 1, but was " + n);
                            }
                            users.add(parsed);
                        }
                    }
                    case "--duration" -> duration = ProviderConfig.parseDuration("--duration", v);
                    case "--change-rate" -> {
                        rate = Double.parseDouble(v);
                        if (!(rate >= 0 && rate <= 1)) {
                            throw new IllegalArgumentException("--change-rate must be in 0..1, but was " + v);
                        }
                    }
                    case "--poll" -> poll = ProviderConfig.parseDuration("--poll", v);
                    case "--min-hold" -> minHold = ProviderConfig.parseDuration("--min-hold", v);
                    case "--graph-latency" -> graphLatency = ProviderConfig.parseDuration("--graph-latency", v);
                    case "--pbx-latency" -> pbxLatency = ProviderConfig.parseDuration("--pbx-latency", v);
                    case "--pbx-workers" -> workers = Integer.parseInt(v);
                    case "--pbx-service-time" -> serviceTime = ProviderConfig.parseDuration("--pbx-service-time", v);
                    case "--set" -> {
                        int eq = v.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--set needs key=value, but was " + v);
                        }
                        overrides.put(v.substring(0, eq).trim(), v.substring(eq + 1).trim());
                    }
                    case "--burst" -> {
                        scenario = Scenario.BURST;
                        burst = Double.parseDouble(v);
                        if (!(burst > 0 && burst <= 1)) {
                            throw new IllegalArgumentException("--burst must be in (0, 1], but was " + v);
                        }
                    }
                    case "--in-calls" -> {
                        scenario = Scenario.IN_CALLS;
                        inCalls = Integer.parseInt(v);
                    }
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--outputs" -> outputs = Integer.parseInt(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (poll.isZero() || duration.isZero()) {
                throw new IllegalArgumentException("--poll and --duration must be > 0");
            }
            if (workers < 1 || serviceTime.isNegative()) {
                throw new IllegalArgumentException("--pbx-workers must be >= 1 and --pbx-service-time >= 0");
            }
            return new Options(users, duration, rate, poll, atLimit, minHold, graphLatency, pbxLatency, workers,
                    serviceTime, overrides, scenario, burst, inCalls, seed, out, outputs);
        }
    }

    private ScaleHarness() {
    }

    public static void main(String[] args) throws Exception {
        // before anything creates a logger: the engine logs one INFO line per change, far too many here
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        // the emulators run on the JDK's HTTP server, which leaves Nagle's algorithm on: with delayed ACKs that
        // adds tens of milliseconds to small answers, a cost of the emulator that real servers do not have
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ScaleHarness: " + e.getMessage());
            System.err.println("usage: ScaleHarness --users 1000[,10000] --duration 60s --change-rate 0.005 --poll 2s"
                    + " [--burst 0.2 | --in-calls 2000] [--at-limit] [--min-hold 8s] [--graph-latency 0ms]"
                    + " [--pbx-workers 8] [--pbx-service-time 30ms] [--pbx-latency 0ms] [--set key=value ...]"
                    + " [--outputs 2] [--seed 1] [--out file.md]");
            System.exit(2);
            return;
        }
        List<ScaleReport> reports = new ArrayList<>();
        for (int n : options.users()) {
            System.err.printf(Locale.ROOT, "ScaleHarness: %,d users, %s%n", n, describe(options));
            reports.add(run(n, options));
        }
        String table = ScaleReport.markdown(machine(options), reports);
        System.out.println(table);
        if (options.out() != null) {
            Files.writeString(options.out(), table, StandardCharsets.UTF_8);
            System.err.println("ScaleHarness: table written to " + options.out());
        }
        System.exit(reports.stream().allMatch(r -> r.failedAims().isEmpty()) ? 0 : 1);
    }

    static String describe(Options o) {
        String scenario = switch (o.scenario()) {
            case CHANGES -> o.duration().toSeconds() + " s of changes at " + o.changeRate() + " per user and second";
            case BURST -> "a burst: " + Math.round(o.burst() * 100) + " % of the users join meetings within one second";
            case IN_CALLS -> o.inCalls() + " users in calls, nothing changing, for " + o.duration().toSeconds() + " s";
        };
        return (o.atLimit() ? "at the Graph limit (cycles back to back)" : "poll " + ScaleReport.ms(o.poll()))
                + ", " + scenario + (o.outputs() == 0 ? "" : ", " + o.outputs() + " webhook outputs");
    }

    /** The machine and the run's settings, printed above the table. */
    static String machine(Options o) {
        Runtime rt = Runtime.getRuntime();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "Machine: %d cores, %s %s (%s), %s %s, max heap %d MiB, load average %.2f at"
                        + " the end.%nRun: %s; calls last at least %s; Graph latency %s; PBX model %d workers x %s"
                        + " (%.0f requests/s) + %s latency; config: %s.",
                rt.availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.arch"),
                rt.maxMemory() / (1024 * 1024), load, describe(o), ScaleReport.ms(o.effectiveMinHold()),
                ScaleReport.ms(o.graphLatency()), o.pbxWorkers(), ScaleReport.ms(o.pbxServiceTime()), o.pbxCapacity(),
                ScaleReport.ms(o.pbxLatency()), o.overrides().isEmpty() ? "shipped defaults"
                        : "shipped defaults except " + o.overrides());
    }

    /** One run with {@code n} users; blocks for about the duration plus start-up and settling. */
    public static ScaleReport run(int n, Options o) throws IOException, InterruptedException {
        SecureRandom secrets = new SecureRandom();
        String appSecret = randomSecret(secrets);
        String apiPassword = randomSecret(secrets);
        String webhookSecret = randomSecret(secrets);
        String bridgeSecret = randomSecret(secrets);
        // --set starface.bridge.instance=NAME: the emulated PBX runs the bridge, the config names it (secret added)
        String bridgeInstance = o.overrides().get("starface.bridge.instance");
        Path dir = Files.createTempDirectory("teamsconnect-scale");
        try (OutputReceiver receiver = o.outputs() == 0 ? null : OutputReceiver.start();
             GraphEmulator graph = GraphEmulator.builder()
                .presenceRateLimit(ScaleReport.GRAPH_LIMIT, ScaleReport.GRAPH_WINDOW).start()) {
            graph.registerSecretClient(APP_ID, appSecret);
            graph.setLatency(o.graphLatency());
            List<EmulatedUser> teams = graph.seedUsers(n);
            StarfaceEmulator.Builder pbxBuilder = StarfaceEmulator.builder()
                    .user(API_LOGIN, apiPassword, "teamsconnect@pbx.test", "Team", "Connect", false)
                    .capacity(o.pbxWorkers(), o.pbxServiceTime())
                    .latency(o.pbxLatency()).https();
            if (bridgeInstance != null) {
                pbxBuilder.bridge(bridgeInstance, bridgeSecret);
            }
            Map<String, String> userByLogin = new HashMap<>();
            Map<String, String> userByTeamsId = new HashMap<>();
            for (int i = 0; i < n; i++) {
                EmulatedUser u = teams.get(i);
                String login = String.format(Locale.ROOT, "1%05d", i + 1);
                // the PBX users' passwords are never used; the API account acts for them
                pbxBuilder.user(login, "unused-" + i, u.mail(), "User", String.valueOf(i + 1), false);
                userByLogin.put(login, "u" + i);
                userByTeamsId.put(u.id(), "u" + i);
                graph.setPresence(u.id(), Availability.AVAILABLE, Activity.AVAILABLE);
            }
            try (StarfaceEmulator pbx = pbxBuilder.start()) {
                Path config = writeConfig(dir, o, graph, pbx, receiver);
                ServiceConfig loaded = new ConfigLoader(Map.of("TEAMS_CLIENT_SECRET", appSecret,
                        "STARFACE_PASSWORD", apiPassword, "WEBHOOK_SECRET", webhookSecret,
                        "STARFACE_BRIDGE_SECRET", bridgeSecret)).load(config);
                ScaleReport report = measure(n, o, loaded, graph, pbx, teams, userByLogin, userByTeamsId, receiver);
                if (bridgeInstance != null) {
                    Map<String, Long> byEntry = new java.util.TreeMap<>();
                    pbx.bridgeCalls().forEach(c -> byEntry.merge(c, 1L, Long::sum));
                    System.err.printf(Locale.ROOT, "ScaleHarness: %,d users, bridge calls by entry point: %s%n", n, byEntry);
                }
                return report;
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    /** The service config for the emulators: only what a real installation must set, plus the run's overrides. */
    static Path writeConfig(Path dir, Options o, GraphEmulator graph, StarfaceEmulator pbx, OutputReceiver receiver)
            throws IOException {
        Path graphPem = writePem(dir.resolve("graph.pem"), graph.certificate());
        Path pbxPem = pbx.certificate().orElseThrow().writePem(dir.resolve("pbx.pem"));
        Map<String, Object> root = new LinkedHashMap<>();
        put(root, "teams.tenantId", graph.tenantId());
        put(root, "teams.clientId", APP_ID);
        put(root, "teams.auth.mode", "client-credentials");
        put(root, "teams.auth.clientSecret", "${TEAMS_CLIENT_SECRET}");
        put(root, "teams.authorityHost", graph.authorityHost().toString());
        put(root, "teams.graphBaseUrl", graph.graphBaseUrl().toString());
        put(root, "teams.pollInterval", o.enginePoll().toMillis() + "ms");
        put(root, "teams.tls.certificate", graphPem.toString());
        put(root, "starface.baseUrl", pbx.baseUrl().toString());
        put(root, "starface.loginId", API_LOGIN);
        put(root, "starface.password", "${STARFACE_PASSWORD}");
        if (o.overrides().containsKey("starface.bridge.instance") && !o.overrides().containsKey("starface.bridge.secret")) {
            put(root, "starface.bridge.secret", "${STARFACE_BRIDGE_SECRET}");
        }
        put(root, "starface.tls.certificate", pbxPem.toString());
        put(root, "state.file", dir.resolve("state.json").toString());
        put(root, "server.port", "0");
        o.overrides().forEach((k, v) -> put(root, k, v));
        StringBuilder yaml = new StringBuilder();
        yaml(yaml, root, 0);
        if (o.outputs() > 0) {
            // webhook outputs (teamsconnect-examples, found by ServiceLoader) to the harness's local receiver
            yaml.append("outputs:\n");
            for (int i = 1; i <= o.outputs(); i++) {
                yaml.append("  - type: webhook\n    url: \"").append(receiver.url(i)).append("\"\n")
                        .append("    secret: \"${WEBHOOK_SECRET}\"\n");
            }
        }
        Path file = dir.resolve("teamsconnect.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String dotted, String value) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> m = root;
        for (int i = 0; i < parts.length - 1; i++) {
            m = (Map<String, Object>) m.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
        }
        m.put(parts[parts.length - 1], value);
    }

    @SuppressWarnings("unchecked")
    private static void yaml(StringBuilder sb, Map<String, Object> m, int indent) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            sb.append(" ".repeat(indent)).append(e.getKey()).append(':');
            if (e.getValue() instanceof Map<?, ?> child) {
                sb.append('\n');
                yaml(sb, (Map<String, Object>) child, indent + 2);
            } else {
                String v = String.valueOf(e.getValue());
                sb.append(' ').append(v.startsWith("[") ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                        .append('\n');
            }
        }
    }

    private static Path writePem(Path file, X509Certificate cert) throws IOException {
        try {
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getEncoded());
            Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + b64 + "\n-----END CERTIFICATE-----\n");
            return file;
        } catch (CertificateEncodingException e) {
            throw new IOException("cannot encode the emulator certificate", e);
        }
    }

    private static ScaleReport measure(int n, Options o, ServiceConfig config, GraphEmulator graph,
                                       StarfaceEmulator pbx, List<EmulatedUser> teams, Map<String, String> userByLogin,
                                       Map<String, String> userByTeamsId, OutputReceiver receiver)
            throws InterruptedException {
        CycleProbe probe = new CycleProbe(graph);
        EngineWiring wiring = new EngineWiring(config, PluginLookup.discover());
        StatusBoard board = new StatusBoard(config.source(), config.sink());
        // the outputs as run wires them: one delivery thread each, fed the snapshot after every cycle
        OutputDispatcher outputs = wiring.outputDispatcher(Clock.systemUTC());
        SyncEngine engine = wiring.engine(false, false, board, new ServiceMetrics(), Clock.systemUTC(), probe::cycleEnded,
                outputs);
        outputs.start();
        Random random = new Random(o.seed());
        if (o.scenario() == Scenario.IN_CALLS) {
            for (int i = 0; i < Math.min(n, o.inCalls()); i++) {
                graph.setPresence(teams.get(i).id(), Availability.BUSY, Activity.IN_A_CALL);
            }
        }

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ScheduledExecutorService changer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harness-changer");
            t.setDaemon(true);
            return t;
        });
        try {
            engine.open();
            engine.start();
            // warm-up: the first cycle lists and matches the users; the second is the first ordinary one
            probe.awaitCycles(2, Duration.ofMinutes(5));
            if (o.scenario() == Scenario.IN_CALLS) {
                // the users in calls are held; wait until every hold is written, then a little more
                awaitMirrored(pbx, userByLogin, inCalls(teams, userByTeamsId, o.inCalls()), Duration.ofMinutes(5));
                probe.awaitCycles(probe.cyclesSeen() + 2, Duration.ofMinutes(5));
            }
            Instant t0 = Instant.now();
            int presence0 = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID);
            int users0 = graph.requestCount(GraphEmulator.USERS);
            int tooMany0 = graph.tooManyRequests();
            int puts0 = pbx.requestCount("PUT /rest/users/{id}/phoneconfig");
            int gets0 = pbx.requestCount("GET /rest/users/{id}/phoneconfig");
            int dnd0 = pbx.dndChanges().size();
            int presenceChanges0 = graph.presenceChanges().size();
            pbx.resetMaxima();
            Map<Long, Long> cpu0 = cpuByThread(threads);
            long process0 = os.getProcessCpuTime();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            probe.startMeasuring();

            Map<String, Boolean> target;
            switch (o.scenario()) {
                case CHANGES -> {
                    Changer script = new Changer(graph, teams, o, random);
                    changer.scheduleAtFixedRate(script::tick, 100, 100, TimeUnit.MILLISECONDS);
                    Thread.sleep(o.duration().toMillis());
                    changer.shutdown();
                    changer.awaitTermination(10, TimeUnit.SECONDS);
                    target = script.finalDnd(userByTeamsId);
                }
                case BURST -> {
                    target = burst(graph, teams, userByTeamsId, o.burst(), random);
                }
                default -> {
                    Thread.sleep(o.duration().toMillis());
                    target = inCalls(teams, userByTeamsId, o.inCalls());
                }
            }
            // settle: every state the script left must be mirrored (or a generous time must pass)
            Duration settle = o.enginePoll().plus(probe.longestCycle()).multipliedBy(3).plusSeconds(5);
            if (o.scenario() == Scenario.BURST) {
                // the floor of the burst: two requests per change at the PBX's capacity, and some
                settle = settle.plusMillis((long) (2 * target.values().stream().filter(b -> b).count() * 1000 * 3
                        / o.pbxCapacity()));
            }
            awaitMirrored(pbx, userByLogin, target, settle);
            Instant mirroredAt = Instant.now();
            // one more full cycle, so a redundant write right after the last change would be seen too
            probe.awaitCycles(probe.cyclesSeen() + 2, settle.plusMinutes(1));
            Instant cutoff = Instant.now();
            Duration measured = Duration.between(t0, cutoff);
            Duration processCpu = Duration.ofNanos(os.getProcessCpuTime() - process0);
            Duration clientCpu = Duration.ofNanos(clientCpu(threads, cpu0));
            long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            probe.stopMeasuring();

            List<ScaleReport.Transition> transitions = transitions(graph.presenceChanges(), presenceChanges0,
                    userByTeamsId, cutoff);
            List<ScaleReport.DndChange> dndChanges = new ArrayList<>();
            List<StarfaceEmulator.DndChange> all = pbx.dndChanges();
            for (StarfaceEmulator.DndChange c : all.subList(dnd0, all.size())) {
                if (c.source() == StarfaceEmulator.DndSource.API && !c.at().isAfter(cutoff)) {
                    dndChanges.add(new ScaleReport.DndChange(userByLogin.getOrDefault(c.login(), c.login()), c.at(),
                            c.dnd()));
                }
            }
            String mode = switch (o.scenario()) {
                case CHANGES -> o.atLimit() ? "at the Graph limit" : "poll " + ScaleReport.ms(o.poll());
                case BURST -> "burst of " + target.values().stream().filter(b -> b).count();
                case IN_CALLS -> o.inCalls() + " in calls, steady";
            };
            if (o.outputs() > 0) {
                mode += ", " + outputsSummary(outputs.stats(), receiver);
            }
            Duration recheck = config.sinkConfig().optionalString("recheckInterval")
                    .map(v -> ProviderConfig.parseDuration("starface.recheckInterval", v))
                    .orElse(dev.teamsconnect.starface.StarfacePbxSink.DEFAULT_RECHECK_INTERVAL);
            ScaleReport.Recording rec = new ScaleReport.Recording(n, mode, o.enginePoll(), measured,
                    transitions, dndChanges, pbx.requestCount("PUT /rest/users/{id}/phoneconfig") - puts0,
                    pbx.requestCount("GET /rest/users/{id}/phoneconfig") - gets0, probe.requestsPerCycle(),
                    graph.requestCount(GraphEmulator.USERS), graph.requestCount(GraphEmulator.USERS) - users0,
                    graph.tooManyRequests() - tooMany0, probe.durations(), probe.intervals(), clientCpu, processCpu,
                    peakHeap, o.scenario(), pbx.maxRequestsInFlight(), o.pbxWorkers(), o.pbxCapacity(),
                    o.scenario() == Scenario.IN_CALLS ? o.inCalls() : 0, recheck,
                    Duration.between(t0, mirroredAt));
            int counted = rec.presenceRequestsPerCycle().stream().mapToInt(Integer::intValue).sum();
            int total = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID) - presence0;
            if (counted > total) {
                throw new IllegalStateException("probe counted " + counted + " presence requests, emulator " + total);
            }
            return ScaleReport.of(rec);
        } finally {
            changer.shutdownNow();
            try {
                engine.close();
            } finally {
                outputs.close();
            }
        }
    }

    /** "2 webhook outputs: 2,400 delivered, 0 failed, 0 queued; receiver got 2,400 POSTs" at the end of the window. */
    static String outputsSummary(List<OutputStats> stats, OutputReceiver receiver) {
        long delivered = stats.stream().mapToLong(OutputStats::delivered).sum();
        long failed = stats.stream().mapToLong(OutputStats::failed).sum();
        int queued = stats.stream().mapToInt(OutputStats::queued).sum();
        return String.format(Locale.ROOT, "%d webhook outputs: %,d statuses delivered, %d failed, %d queued;"
                + " receiver got %,d POSTs", stats.size(), delivered, failed, queued, receiver.requests());
    }

    /** Sets a share of the users to Busy/InAMeeting, spread over one second, in random order. */
    private static Map<String, Boolean> burst(GraphEmulator graph, List<EmulatedUser> teams,
                                              Map<String, String> userByTeamsId, double share, Random random)
            throws InterruptedException {
        List<EmulatedUser> order = new ArrayList<>(teams);
        java.util.Collections.shuffle(order, random);
        int k = (int) Math.round(teams.size() * share);
        long start = System.nanoTime();
        Map<String, Boolean> target = new HashMap<>();
        teams.forEach(u -> target.put(userByTeamsId.get(u.id()), false));
        for (int i = 0; i < k; i++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(1000L * i / k);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            graph.setPresence(order.get(i).id(), Availability.BUSY, Activity.IN_A_MEETING);
            target.put(userByTeamsId.get(order.get(i).id()), true);
        }
        return target;
    }

    private static Map<String, Boolean> inCalls(List<EmulatedUser> teams, Map<String, String> userByTeamsId, int k) {
        Map<String, Boolean> target = new HashMap<>();
        for (int i = 0; i < teams.size(); i++) {
            target.put(userByTeamsId.get(teams.get(i).id()), i < k);
        }
        return target;
    }

    private static void awaitMirrored(StarfaceEmulator pbx, Map<String, String> userByLogin, Map<String, Boolean> target,
                                      Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !mirrored(pbx, userByLogin, target)) {
            Thread.sleep(50);
        }
    }

    /** The desired-DND changes in the Graph emulator's record, by the real classifier and default policy. */
    static List<ScaleReport.Transition> transitions(List<PresenceChange> changes, int from,
                                                    Map<String, String> userByTeamsId, Instant cutoff) {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.defaults();
        Map<String, Boolean> last = new HashMap<>();
        List<ScaleReport.Transition> out = new ArrayList<>();
        PbxUser anyPbx = new PbxUser("1", null, null, null);
        for (int i = 0; i < changes.size(); i++) {
            PresenceChange c = changes.get(i);
            if (c.at().isAfter(cutoff)) {
                break;
            }
            TeamsPresence p = TeamsPresence.parse(c.userId(), c.availability(), c.activity(), null, false,
                    c.sequenceNumber(), c.at());
            DesiredState d = policy.desired(new MappedUser(new TeamsUser(c.userId(), null, null, null, true), anyPbx,
                    "mail"), p, TeamsStatusClassifier.INSTANCE.classify(p));
            boolean dnd = Boolean.TRUE.equals(d.dnd()); // "the user's own" is off: nobody touches the phones here
            String user = userByTeamsId.get(c.userId());
            boolean changed = last.getOrDefault(user, false) != dnd;
            last.put(user, dnd);
            // the changes before the window (the seeding, users put in calls before it) set the starting point only
            if (changed && i >= from) {
                out.add(new ScaleReport.Transition(user, c.at(), dnd));
            }
        }
        return out;
    }

    private static boolean mirrored(StarfaceEmulator pbx, Map<String, String> userByLogin, Map<String, Boolean> target) {
        for (Map.Entry<String, Boolean> e : pbx.dndByLogin().entrySet()) {
            String user = userByLogin.get(e.getKey());
            if (user != null && target.getOrDefault(user, false) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ CPU by thread

    private static Map<Long, Long> cpuByThread(ThreadMXBean threads) {
        Map<Long, Long> out = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t >= 0) {
                out.put(id, t);
            }
        }
        return out;
    }

    /** CPU of every thread that is not an emulator's or the harness's own, since {@code before}. */
    private static long clientCpu(ThreadMXBean threads, Map<Long, Long> before) {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || isEmulatorOrHarness(info.getThreadName())) {
                continue;
            }
            long t = threads.getThreadCpuTime(info.getThreadId());
            if (t >= 0) {
                sum += t - before.getOrDefault(info.getThreadId(), 0L);
            }
        }
        return sum;
    }

    static boolean isEmulatorOrHarness(String name) {
        return name.startsWith("graph-emulator") || name.startsWith("starface-emulator")
                || name.startsWith("HTTP-Dispatcher") || name.startsWith("harness-") || name.equals("main")
                || name.equals("Signal Dispatcher") || name.equals("Reference Handler") || name.equals("Finalizer")
                || name.equals("Common-Cleaner") || name.equals("Notification Thread");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static String randomSecret(SecureRandom random) {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("ScaleHarness: could not delete " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Starts and ends Teams calls on the Graph emulator, {@code changeRate * N} presence changes per second in
     * steady state: every 100 ms, idle users start calls (Available -> Busy/InACall) and calls whose time is up end
     * (-> Available). A call lasts between {@code minHold} and twice that; a user stays idle at least
     * {@code minHold} before the next call, so every state lasts long enough for a cycle to see it.
     */
    private static final class Changer {
        private final GraphEmulator graph;
        private final List<EmulatedUser> users;
        private final double startsPerTick;
        private final long minHoldNanos;
        private final Random random;
        private final boolean[] inCall;
        private final long[] lastChange;
        private final java.util.PriorityQueue<long[]> ends = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingLong(e -> e[0]));
        private double owed;

        Changer(GraphEmulator graph, List<EmulatedUser> users, Options o, Random random) {
            this.graph = graph;
            this.users = users;
            // half of the changes start a call, the other half end one
            this.startsPerTick = o.changeRate() * users.size() / 2 / 10.0;
            this.minHoldNanos = o.effectiveMinHold().toNanos();
            this.random = random;
            this.inCall = new boolean[users.size()];
            this.lastChange = new long[users.size()];
            java.util.Arrays.fill(lastChange, Long.MIN_VALUE / 2);
        }

        synchronized void tick() {
            long now = System.nanoTime();
            while (!ends.isEmpty() && ends.peek()[0] <= now) {
                int i = (int) ends.poll()[1];
                inCall[i] = false;
                lastChange[i] = now;
                graph.setPresence(users.get(i).id(), Availability.AVAILABLE, Activity.AVAILABLE);
            }
            owed += startsPerTick;
            while (owed >= 1) {
                owed -= 1;
                for (int attempt = 0; attempt < 20; attempt++) {
                    int i = random.nextInt(users.size());
                    if (inCall[i] || now - lastChange[i] < minHoldNanos) {
                        continue;
                    }
                    inCall[i] = true;
                    lastChange[i] = now;
                    ends.add(new long[] {now + minHoldNanos + (long) (random.nextDouble() * minHoldNanos), i});
                    graph.setPresence(users.get(i).id(), Availability.BUSY, Activity.IN_A_CALL);
                    break;
                }
            }
        }

        synchronized Map<String, Boolean> finalDnd(Map<String, String> userByTeamsId) {
            Map<String, Boolean> out = new HashMap<>();
            for (int i = 0; i < users.size(); i++) {
                out.put(userByTeamsId.get(users.get(i).id()), inCall[i]);
            }
            return out;
        }
    }

    /**
     * Hears the end of every engine cycle (the service's own cycle listener): records its report and how many
     * presence requests the Graph emulator received since the previous cycle ended (cycles never overlap, so those
     * are this cycle's). Adds nothing to the engine's path but a counter read.
     */
    private static final class CycleProbe {
        private final GraphEmulator graph;
        private final List<CycleReport> measured = new CopyOnWriteArrayList<>();
        private final List<Integer> requests = new CopyOnWriteArrayList<>();
        private volatile boolean measuring;
        private int cycles;
        private int lastCount;
        private Duration longest = Duration.ZERO;

        CycleProbe(GraphEmulator graph) {
            this.graph = graph;
        }

        synchronized void cycleEnded(CycleReport report) {
            int count = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID);
            int during = count - lastCount;
            lastCount = count;
            cycles++;
            if (report.duration().compareTo(longest) > 0) {
                longest = report.duration();
            }
            if (measuring) {
                measured.add(report);
                requests.add(during);
            }
            notifyAll();
        }

        void startMeasuring() {
            measuring = true;
        }

        void stopMeasuring() {
            measuring = false;
        }

        synchronized int cyclesSeen() {
            return cycles;
        }

        synchronized void awaitCycles(int n, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (cycles < n && System.nanoTime() < end) {
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, end - System.nanoTime()));
            }
            if (cycles < n) {
                throw new IllegalStateException("the engine did not complete " + n + " cycles within " + timeout);
            }
        }

        synchronized Duration longestCycle() {
            return longest;
        }

        List<Integer> requestsPerCycle() {
            return List.copyOf(requests);
        }

        List<Duration> durations() {
            return measured.stream().map(CycleReport::duration).toList();
        }

        List<Duration> intervals() {
            List<Duration> out = new ArrayList<>();
            for (int i = 1; i < measured.size(); i++) {
                out.add(Duration.between(measured.get(i - 1).startedAt(), measured.get(i).startedAt()));
            }
            return out;
        }
    }
}
