package dev.teamsconnect.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineConfig;
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
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.store.InMemoryStateStore;
import dev.teamsconnect.core.store.JsonFileStateStore;
import dev.teamsconnect.graph.GraphPresenceSource;
import dev.teamsconnect.starface.StarfacePbxSink;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * End-to-end scale and latency harness: starts the Graph and STARFACE emulators over HTTPS with N users, runs the
 * real {@link SyncEngine} ({@link SyncEngine#start()}) with the real {@link GraphPresenceSource} and
 * {@link StarfacePbxSink} for a fixed time while a share of the users start and end Teams calls every second, and
 * prints a Markdown table of what the emulators recorded ({@link ScaleReport}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.teamsconnect.benchmarks.ScaleHarness \
 *     --users 1000,10000 --duration 60s --change-rate 0.005 --poll 2s [--at-limit] [--out file.md]
 * </pre>
 *
 * <p>Options: {@code --users} (comma list, one run each), {@code --duration} (how long presences change),
 * {@code --change-rate} (presence changes per user and second: calls starting and ending), {@code --poll} (engine
 * poll interval), {@code --at-limit} (cycles back to back, so only the Graph pacer at 1,500 per 30 s limits them),
 * {@code --min-hold} (shortest call or pause, default 3 x poll + 2 s; calls last up to twice that),
 * {@code --graph-latency} / {@code --pbx-latency} (added to every emulator answer), {@code --store}
 * ({@code file}, the default, or {@code memory}), {@code --pbx-parallelism} (the STARFACE sink's requests in
 * flight, default 4 as in the sink), {@code --steady-recheck} (the engine's {@code steadyRecheck}, default 0 =
 * every cycle), {@code --seed}, {@code --out}.
 *
 * <p>Everything runs in this one JVM, so the process CPU and heap figures include the emulators. Exit status 0
 * when every aim was met, 1 when one was missed, 2 for bad arguments.
 */
public final class ScaleHarness {

    private static final String API_LOGIN = "teamsconnect";
    private static final String APP_ID = "11111111-2222-4333-8444-555555555555";

    /** The options of one harness invocation. */
    public record Options(List<Integer> users, Duration duration, double changeRate, Duration poll, boolean atLimit,
                          Duration minHold, Duration graphLatency, Duration pbxLatency, boolean fileStore, long seed,
                          Path out, int pbxParallelism, Duration steadyRecheck) {

        public static Options defaults() {
            return new Options(List.of(1000), Duration.ofSeconds(60), 0.005, Duration.ofSeconds(2), false, null,
                    Duration.ZERO, Duration.ZERO, true, 1, null, 4, Duration.ZERO);
        }

        /** The shortest call or pause; long enough for two cycles to see every state. */
        Duration effectiveMinHold() {
            return minHold != null ? minHold : (atLimit ? Duration.ofSeconds(6) : poll.multipliedBy(3).plusSeconds(2));
        }

        Duration enginePoll() {
            // back to back: the pacer is the only brake
            return atLimit ? Duration.ofMillis(1) : poll;
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
            boolean fileStore = true;
            long seed = o.seed;
            Path out = null;
            int pbxParallelism = o.pbxParallelism;
            Duration steadyRecheck = o.steadyRecheck;
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
                    case "--store" -> {
                        if (!v.equals("file") && !v.equals("memory")) {
                            throw new IllegalArgumentException("--store must be file or memory, but was " + v);
                        }
                        fileStore = v.equals("file");
                    }
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--out" -> out = Path.of(v);
                    case "--pbx-parallelism" -> pbxParallelism = Integer.parseInt(v);
                    case "--steady-recheck" -> steadyRecheck = ProviderConfig.parseDuration("--steady-recheck", v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (poll.isZero() || duration.isZero()) {
                throw new IllegalArgumentException("--poll and --duration must be > 0");
            }
            return new Options(List.copyOf(users), duration, rate, poll, atLimit, minHold, graphLatency, pbxLatency,
                    fileStore, seed, out, pbxParallelism, steadyRecheck);
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
                    + " [--at-limit] [--min-hold 8s] [--graph-latency 0ms] [--pbx-latency 0ms] [--store file|memory]"
                    + " [--pbx-parallelism 4] [--steady-recheck 0s] [--seed 1] [--out file.md]");
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

    private static String describe(Options o) {
        return (o.atLimit() ? "at the Graph limit (cycles back to back)" : "poll " + ScaleReport.ms(o.poll()))
                + ", " + o.duration().toSeconds() + " s of changes at " + o.changeRate() + " per user and second";
    }

    /** The machine and the run's settings, printed above the table. */
    static String machine(Options o) {
        Runtime rt = Runtime.getRuntime();
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "Machine: %d cores, %s %s (%s), %s %s, max heap %d MiB, load average %.2f at"
                        + " the end.%nRun: %s; calls last at least %s; Graph latency %s, PBX latency %s; %s state store; %d PBX requests in flight; steadyRecheck %s.",
                rt.availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.arch"),
                rt.maxMemory() / (1024 * 1024), load, describe(o), ScaleReport.ms(o.effectiveMinHold()),
                ScaleReport.ms(o.graphLatency()), ScaleReport.ms(o.pbxLatency()), o.fileStore() ? "file" : "in-memory", o.pbxParallelism(),
                o.steadyRecheck().isZero() ? "0 (every cycle)" : ScaleReport.ms(o.steadyRecheck()));
    }

    /** One run with {@code n} users; blocks for about the duration plus start-up and settling. */
    public static ScaleReport run(int n, Options o) throws IOException, InterruptedException {
        SecureRandom secrets = new SecureRandom();
        String appSecret = randomSecret(secrets);
        String apiPassword = randomSecret(secrets);
        Path dir = Files.createTempDirectory("teamsconnect-scale");
        try (GraphEmulator graph = GraphEmulator.builder()
                .presenceRateLimit(ScaleReport.GRAPH_LIMIT, ScaleReport.GRAPH_WINDOW).start()) {
            graph.registerSecretClient(APP_ID, appSecret);
            graph.graphLatency(o.graphLatency());
            List<EmulatedUser> teams = graph.seedUsers(n);
            StarfaceEmulator.Builder pbxBuilder = StarfaceEmulator.builder()
                    .user(API_LOGIN, apiPassword, "teamsconnect@pbx.test", "Team", "Connect", false)
                    .latency(o.pbxLatency()).https();
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
                return measure(n, o, graph, pbx, teams, userByLogin, userByTeamsId, appSecret, apiPassword, dir);
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    private static ScaleReport measure(int n, Options o, GraphEmulator graph, StarfaceEmulator pbx,
                                       List<EmulatedUser> teams, Map<String, String> userByLogin,
                                       Map<String, String> userByTeamsId, String appSecret, String apiPassword,
                                       Path dir) throws InterruptedException {
        GraphPresenceSource graphSource = GraphPresenceSource.builder()
                .tenantId(graph.tenantId()).clientId(APP_ID).clientSecret(appSecret)
                .authorityHost(graph.authorityHost()).graphBaseUrl(graph.graphBaseUrl())
                .trustCertificate(graph.certificate())
                .presenceRateLimit(ScaleReport.GRAPH_LIMIT, ScaleReport.GRAPH_WINDOW)
                .build();
        StarfacePbxSink sink = StarfacePbxSink.builder()
                .baseUrl(pbx.baseUrl()).loginId(API_LOGIN).password(apiPassword)
                .trustCertificate(pbx.certificate().orElseThrow().certificate())
                .parallelism(o.pbxParallelism())
                .build();
        CycleProbe probe = new CycleProbe(graphSource, graph);
        StateStore store = o.fileStore() ? new JsonFileStateStore(dir.resolve("state.json")) : new InMemoryStateStore();
        EngineConfig config = EngineConfig.builder().pollInterval(o.enginePoll())
                .userRefreshInterval(Duration.ofHours(1)).steadyRecheck(o.steadyRecheck()).build();
        SyncEngine engine = SyncEngine.builder().source(probe).sink(sink).store(store).config(config).build();
        probe.engine.set(engine);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ScheduledExecutorService changer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harness-changer");
            t.setDaemon(true);
            return t;
        });
        try {
            engine.start();
            // warm-up: the first cycle lists and matches the users; the second is the first ordinary one
            probe.awaitCycles(2, Duration.ofMinutes(5));
            Instant t0 = Instant.now();
            int presence0 = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID);
            int users0 = graph.requestCount(GraphEmulator.USERS);
            int tooMany0 = graph.tooManyRequests();
            int puts0 = pbx.requestCount("PUT /rest/users/{id}/phoneconfig");
            int gets0 = pbx.requestCount("GET /rest/users/{id}/phoneconfig");
            int dnd0 = pbx.dndChanges().size();
            int presenceChanges0 = graph.presenceChanges().size();
            Map<Long, Long> cpu0 = cpuByThread(threads);
            long process0 = os.getProcessCpuTime();
            ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
            probe.startMeasuring();

            Changer script = new Changer(graph, teams, o, new Random(o.seed()));
            changer.scheduleAtFixedRate(script::tick, 100, 100, TimeUnit.MILLISECONDS);
            Thread.sleep(o.duration().toMillis());
            changer.shutdown();
            changer.awaitTermination(10, TimeUnit.SECONDS);

            // settle: every state the script left must be mirrored (or a generous time must pass)
            Duration settle = o.enginePoll().plus(probe.longestCycle()).multipliedBy(3).plusSeconds(5);
            long deadline = System.nanoTime() + settle.toNanos();
            Map<String, Boolean> target = script.finalDnd(userByTeamsId);
            while (System.nanoTime() < deadline && !mirrored(pbx, userByLogin, target)) {
                Thread.sleep(100);
            }
            // one more full cycle, so a redundant write right after the last change would be seen too
            probe.awaitCycles(probe.cyclesSeen() + 2, settle);
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
            ScaleReport.Recording rec = new ScaleReport.Recording(n,
                    o.atLimit() ? "at the Graph limit" : "poll " + ScaleReport.ms(o.poll()), o.enginePoll(), measured,
                    transitions, dndChanges, pbx.requestCount("PUT /rest/users/{id}/phoneconfig") - puts0,
                    pbx.requestCount("GET /rest/users/{id}/phoneconfig") - gets0, probe.requestsPerCycle(),
                    graph.requestCount(GraphEmulator.USERS), graph.requestCount(GraphEmulator.USERS) - users0,
                    graph.tooManyRequests() - tooMany0, probe.durations(), probe.intervals(), clientCpu, processCpu,
                    peakHeap);
            // sanity: the probe's count must agree with the emulator's own
            int counted = rec.presenceRequestsPerCycle().stream().mapToInt(Integer::intValue).sum();
            int total = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID) - presence0;
            if (counted > total) {
                throw new IllegalStateException("probe counted " + counted + " presence requests, emulator " + total);
            }
            return ScaleReport.of(rec);
        } finally {
            changer.shutdownNow();
            engine.close();
        }
    }

    /** The desired-DND changes in the Graph emulator's record, by the real classifier and default policy. */
    static List<ScaleReport.Transition> transitions(List<PresenceChange> changes, int from,
                                                    Map<String, String> userByTeamsId, Instant cutoff) {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.defaults();
        Map<String, Boolean> last = new HashMap<>();
        List<ScaleReport.Transition> out = new ArrayList<>();
        PbxUser anyPbx = new PbxUser("1", null, null, null);
        for (PresenceChange c : changes.subList(from, changes.size())) {
            if (c.at().isAfter(cutoff)) {
                break;
            }
            TeamsPresence p = TeamsPresence.parse(c.userId(), c.availability(), c.activity(), null, false,
                    c.sequenceNumber(), c.at());
            DesiredState d = policy.desired(new MappedUser(new TeamsUser(c.userId(), null, null, null, true), anyPbx,
                    "mail"), p, TeamsStatusClassifier.INSTANCE.classify(p));
            boolean dnd = Boolean.TRUE.equals(d.dnd()); // "the user's own" is off: nobody touches the phones here
            String user = userByTeamsId.get(c.userId());
            if (last.getOrDefault(user, false) != dnd) {
                out.add(new ScaleReport.Transition(user, c.at(), dnd));
            }
            last.put(user, dnd);
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
     * Sits between the engine and the Graph source: the engine reads presence in batches from its first mapped user
     * on, so a call starting with that user marks a cycle start. Records the presence requests the Graph emulator
     * received during the cycle's calls, and collects the
     * engine's cycle reports. Adds no work of its own to the engine's path beyond two counter reads.
     */
    private static final class CycleProbe implements PresenceSource {
        private final PresenceSource delegate;
        private final GraphEmulator graph;
        final AtomicReference<SyncEngine> engine = new AtomicReference<>();
        private final List<Long> starts = new CopyOnWriteArrayList<>();
        private final List<Integer> requests = new CopyOnWriteArrayList<>();
        private final Map<Long, CycleReport> reports = new ConcurrentSkipListMap<>();
        private volatile boolean measuring;
        private volatile int cycles;
        private volatile long firstMeasuredCycle = Long.MAX_VALUE;
        private volatile long lastMeasuredCycle = Long.MAX_VALUE;
        private volatile String firstId;
        private boolean inMeasuredCycle;

        CycleProbe(PresenceSource delegate, GraphEmulator graph) {
            this.delegate = delegate;
            this.graph = graph;
        }

        @Override
        public String id() {
            return delegate.id();
        }

        @Override
        public void open() {
            delegate.open();
        }

        @Override
        public List<TeamsUser> listUsers() {
            return delegate.listUsers();
        }

        @Override
        public BatchResult<TeamsPresence> readPresence(Collection<String> userIds) {
            // The engine reads a cycle's presence in batches (presenceBatchSize), always from its first mapped user
            // on: a call that starts with that user starts a cycle; the others add their requests to it.
            String first = userIds.isEmpty() ? null : userIds.iterator().next();
            if (firstId == null) {
                firstId = first;
            }
            boolean cycleStart = Objects.equals(first, firstId);
            if (cycleStart) {
                collectLastReport();
            }
            long start = System.nanoTime();
            int before = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID);
            try {
                return delegate.readPresence(userIds);
            } finally {
                int during = graph.requestCount(GraphEmulator.PRESENCES_BY_USER_ID) - before;
                synchronized (this) {
                    if (cycleStart) {
                        cycles++;
                        inMeasuredCycle = measuring;
                        if (measuring) {
                            if (firstMeasuredCycle == Long.MAX_VALUE) {
                                firstMeasuredCycle = cycles;
                            }
                            starts.add(start);
                            requests.add(during);
                        }
                        notifyAll();
                    } else if (measuring && inMeasuredCycle && !requests.isEmpty()) {
                        requests.set(requests.size() - 1, requests.get(requests.size() - 1) + during);
                    }
                }
            }
        }

        @Override
        public int presenceBatchSize() {
            return delegate.presenceBatchSize();
        }

        private void collectLastReport() {
            SyncEngine e = engine.get();
            CycleReport r = e == null ? null : e.snapshot().stats().lastCycle();
            if (r != null) {
                reports.put(r.cycle(), r);
            }
        }

        void startMeasuring() {
            measuring = true;
        }

        synchronized void stopMeasuring() {
            measuring = false;
            lastMeasuredCycle = cycles;
            collectLastReport();
            // a cycle that started before the cutoff but had not finished is not counted
            if (!requests.isEmpty() && !reports.containsKey(lastMeasuredCycle)) {
                requests.remove(requests.size() - 1);
                starts.remove(starts.size() - 1);
                lastMeasuredCycle--;
            }
        }

        int cyclesSeen() {
            return cycles;
        }

        synchronized void awaitCycles(int n, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            // a cycle counts once its successor has started reading, i.e. it has finished
            while (cycles < n + 1 && System.nanoTime() < end) {
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, end - System.nanoTime()));
            }
            if (cycles < n + 1) {
                throw new IllegalStateException("the engine did not complete " + n + " cycles within " + timeout
                        + " (last report: " + engine.get().snapshot().stats().lastCycle() + ")");
            }
        }

        Duration longestCycle() {
            return reports.values().stream().map(CycleReport::duration).max(Duration::compareTo).orElse(Duration.ZERO);
        }

        List<Integer> requestsPerCycle() {
            return List.copyOf(requests);
        }

        List<Duration> durations() {
            List<Duration> out = new ArrayList<>();
            for (long c = firstMeasuredCycle; c <= lastMeasuredCycle; c++) {
                CycleReport r = reports.get(c);
                if (r != null) {
                    out.add(r.duration());
                }
            }
            return out;
        }

        List<Duration> intervals() {
            List<Duration> out = new ArrayList<>();
            for (int i = 1; i < starts.size(); i++) {
                out.add(Duration.ofNanos(starts.get(i) - starts.get(i - 1)));
            }
            return out;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
