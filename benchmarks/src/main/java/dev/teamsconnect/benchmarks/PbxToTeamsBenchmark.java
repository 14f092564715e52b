package dev.teamsconnect.benchmarks;

import dev.teamsconnect.core.decorate.ForwardingPbxSink;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import dev.teamsconnect.core.spi.PresenceSourceProvider;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.core.spi.StateStoreProvider;
import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.config.ServiceConfig;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.service.status.StatusBoard;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.graph.PresenceWrite;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The PBX-to-Teams direction end to end ({@code pbxToTeams}): the Graph and STARFACE emulators over HTTPS with N
 * users, the engine built exactly as {@code run} builds it (config file, {@link EngineWiring}, shipped defaults but
 * {@code pbxToTeams.dnd: in-a-call} and {@code pbxToTeams.calls: in-a-call}), while users press DND at the phone and
 * start PBX calls. Measures, per event, the delay from the event to the {@code setPresence} the Graph emulator
 * received, and the PBX reads per second the DND scan costs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.teamsconnect.benchmarks.PbxToTeamsBenchmark \
 *     --users 1000,10000 --duration 180s [--events 1] [--bridge] [--out file.md]
 * </pre>
 *
 * <p>{@code --bridge}: the STARFACE emulator runs the bridge and the config sets {@code starface.bridge}; PBX calls
 * (the emulator's call hook) and DND changes reach the engine through the bridge's events, so nothing stands in and
 * the DND scan reads only the users the events name.
 *
 * <p>PBX calls: STARFACE's REST API reports no call state, so this benchmark stands in for a sink that does (the
 * STARFACE bridge): the STARFACE sink, as configured, wrapped so that it declares {@link Capability#PBX_CALLS} and
 * reports the calls the benchmark starts. What is measured is everything after the sink: the engine's poll, the
 * session decision, the state commit, the writer's thread and Graph's {@code setPresence}. The DND at the phone is
 * the real path: a key press on the emulated PBX, read back through REST by the scan.
 *
 * <p>The PBX is the harness's appliance model: 8 workers x 30 ms (267 requests per second). Aims: a PBX call p99 <=
 * poll + 250 ms; a DND pressed at the phone p99 <= readInterval + one poll.
 */
public final class PbxToTeamsBenchmark {

    private static final String API_LOGIN = "teamsconnect";
    private static final String APP_ID = "11111111-2222-4333-8444-555555555555";
    /** The shipped defaults these runs measure against. */
    static final Duration POLL = Duration.ofSeconds(5);
    static final Duration READ_INTERVAL = Duration.ofSeconds(60);

    private PbxToTeamsBenchmark() {
    }

    /** What one run measured. */
    record Result(int users, int callEvents, int dndEvents, List<Long> callNanos, List<Long> dndNanos, int missed,
                  double scanReadsPerSecond, double expectedReadsPerSecond, long teamsWrites, double bridgeCallsPerSecond) {
    }

    /** The bridge module instance of {@code --bridge} runs. */
    static final String BRIDGE_INSTANCE = "TeamsConnectBridge";

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
        List<Integer> users = List.of(1000, 10000);
        Duration duration = Duration.ofSeconds(180);
        double eventsPerSecond = 1;
        Path out = null;
        boolean bridge = false;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--bridge")) {
                bridge = true;
            } else {
                rest.add(a);
            }
        }
        args = rest.toArray(String[]::new);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--users" -> {
                    users = new ArrayList<>();
                    for (String n : args[i + 1].split(",")) {
                        users.add(Integer.parseInt(n.trim().replace("_", "")));
                    }
                }
                case "--duration" -> duration = ProviderConfig.parseDuration("--duration", args[i + 1]);
                case "--events" -> eventsPerSecond = Double.parseDouble(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> {
                    System.err.println("PbxToTeamsBenchmark: unknown option " + args[i]
                            + "; usage: --users 1000,10000 --duration 180s [--events 1] [--bridge] [--out file.md]");
                    System.exit(2);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (int n : users) {
            System.err.printf(Locale.ROOT, "PbxToTeamsBenchmark: %,d users, %s, %.1f events/s%s%n", n,
                    ScaleReport.ms(duration), eventsPerSecond, bridge ? ", with the STARFACE bridge" : "");
            results.add(run(n, duration, eventsPerSecond, bridge));
        }
        String table = markdown(results, bridge);
        System.out.println(table);
        if (out != null) {
            Files.writeString(out, table, StandardCharsets.UTF_8);
        }
        boolean met = results.stream().allMatch(r -> r.missed() == 0 && p(r.callNanos(), 99) <= aimCall()
                && p(r.dndNanos(), 99) <= aimDnd());
        System.exit(met ? 0 : 1);
    }

    static long aimCall() {
        return POLL.plusMillis(250).toNanos();
    }

    static long aimDnd() {
        return READ_INTERVAL.plus(POLL).toNanos();
    }

    /**
     * One run. With {@code bridge}, the STARFACE sink uses the emulated PBX's bridge exactly as configured
     * ({@code starface.bridge}): PBX calls and DND changes come from the bridge's events, nothing stands in.
     */
    static Result run(int n, Duration duration, double eventsPerSecond, boolean bridge) throws Exception {
        SecureRandom secrets = new SecureRandom();
        String appSecret = Long.toHexString(secrets.nextLong()) + Long.toHexString(secrets.nextLong());
        String apiPassword = Long.toHexString(secrets.nextLong()) + Long.toHexString(secrets.nextLong());
        String bridgeSecret = Long.toHexString(secrets.nextLong()) + Long.toHexString(secrets.nextLong());
        Path dir = Files.createTempDirectory("teamsconnect-p2t");
        Set<String> onCall = ConcurrentHashMap.newKeySet();
        try (GraphEmulator graph = GraphEmulator.builder()
                .presenceRateLimit(ScaleReport.GRAPH_LIMIT, ScaleReport.GRAPH_WINDOW).start()) {
            graph.registerSecretClient(APP_ID, appSecret);
            List<EmulatedUser> teams = graph.seedUsers(n);
            StarfaceEmulator.Builder pbxBuilder = StarfaceEmulator.builder()
                    .user(API_LOGIN, apiPassword, "teamsconnect@pbx.test", "Team", "Connect", false)
                    .capacity(8, Duration.ofMillis(30)).https();
            if (bridge) {
                pbxBuilder.bridge(BRIDGE_INSTANCE, bridgeSecret);
            }
            List<String> logins = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                EmulatedUser u = teams.get(i);
                String login = String.format(Locale.ROOT, "1%05d", i + 1);
                pbxBuilder.user(login, "unused-" + i, u.mail(), "User", String.valueOf(i + 1), false);
                logins.add(login);
                graph.setPresence(u.id(), Availability.AVAILABLE, Activity.AVAILABLE);
            }
            try (StarfaceEmulator pbx = pbxBuilder.start()) {
                Map<String, String> overrides = new LinkedHashMap<>();
                overrides.put("pbxToTeams.dnd", "in-a-call");
                overrides.put("pbxToTeams.calls", "in-a-call");
                if (bridge) {
                    overrides.put("starface.bridge.instance", BRIDGE_INSTANCE);
                    overrides.put("starface.bridge.secret", "${STARFACE_BRIDGE_SECRET}");
                }
                ScaleHarness.Options o = new ScaleHarness.Options(List.of(n), duration, 0, POLL, false, null, Duration.ZERO, Duration.ZERO,
                        8, Duration.ofMillis(30), overrides, ScaleHarness.Scenario.CHANGES, 0, 0, 1, null);
                Path config = ScaleHarness.writeConfig(dir, o, graph, pbx, null);
                ServiceConfig loaded = new ConfigLoader(Map.of("TEAMS_CLIENT_SECRET", appSecret,
                        "STARFACE_PASSWORD", apiPassword, "STARFACE_BRIDGE_SECRET", bridgeSecret)).load(config);
                EngineWiring wiring = new EngineWiring(loaded, bridge ? PluginLookup.discover() : reportingCalls(onCall));
                SyncEngine engine = wiring.engine(false, false, new StatusBoard(loaded.source(), loaded.sink()),
                        new ServiceMetrics(), Clock.systemUTC());
                Map<String, String> teamsIdByLogin = new HashMap<>();
                Map<String, String> pbxIdByLogin = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    teamsIdByLogin.put(logins.get(i), teams.get(i).id());
                    pbxIdByLogin.put(logins.get(i), String.valueOf(pbx.userId(logins.get(i))));
                }
                try {
                    engine.start();
                    // steady state: the scan runs from its second cycle on; one read interval fills its credit
                    Thread.sleep(READ_INTERVAL.plus(POLL.multipliedBy(2)).toMillis());
                    return events(n, duration, eventsPerSecond, graph, pbx, bridge ? null : onCall, logins,
                            teamsIdByLogin, pbxIdByLogin);
                } finally {
                    engine.close();
                }
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Result events(int n, Duration duration, double eventsPerSecond, GraphEmulator graph,
                                 StarfaceEmulator pbx, Set<String> onCall, List<String> logins,
                                 Map<String, String> teamsIdByLogin, Map<String, String> pbxIdByLogin)
            throws InterruptedException {
        Random random = new Random(7);
        String phoneconfig = "GET /rest/users/{id}/phoneconfig";
        int reads0 = pbx.requestCount(phoneconfig);
        int bridge0 = pbx.bridgeCalls().size();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long gap = (long) (1_000_000_000L / eventsPerSecond);
        // an event lasts this long, then ends (DND off, call over); users are not reused while busy
        long hold = Duration.ofSeconds(90).toNanos();
        record Event(String teamsId, boolean call, long at) {
        }
        List<Event> started = new ArrayList<>();
        Map<String, Long> busyUntil = new HashMap<>();
        List<Object[]> ends = new ArrayList<>();
        boolean call = false;
        for (long next = start; next < end; next += gap) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            long now = System.nanoTime();
            for (var it = ends.iterator(); it.hasNext(); ) {
                Object[] e = it.next();
                if ((long) e[0] <= now) {
                    String login = (String) e[1];
                    if ((boolean) e[2]) {
                        if (onCall == null) {
                            pbx.setOnCall(login, false);
                        } else {
                            onCall.remove(pbxIdByLogin.get(login));
                        }
                    } else {
                        pbx.pressDndKey(login, false);
                    }
                    it.remove();
                }
            }
            String login = logins.get(random.nextInt(n));
            if (busyUntil.getOrDefault(login, 0L) > now) {
                continue;
            }
            busyUntil.put(login, now + hold + Duration.ofSeconds(90).toNanos());
            long at = System.nanoTime();
            if (call && onCall == null) {
                pbx.setOnCall(login, true);
            } else if (call) {
                onCall.add(pbxIdByLogin.get(login));
            } else {
                pbx.pressDndKey(login, true);
            }
            started.add(new Event(teamsIdByLogin.get(login), call, at));
            ends.add(new Object[] {at + hold, login, call});
            call = !call;
        }
        long measuredNanos = System.nanoTime() - start;
        int reads = pbx.requestCount(phoneconfig) - reads0;
        int bridgeCalls = pbx.bridgeCalls().size() - bridge0;
        // the last events get their chance: one read interval and a poll
        Thread.sleep(READ_INTERVAL.plus(POLL.multipliedBy(2)).toMillis());
        List<PresenceWrite> writes = graph.presenceWrites();
        List<Long> callNanos = new ArrayList<>();
        List<Long> dndNanos = new ArrayList<>();
        int missed = 0;
        for (Event e : started) {
            long delay = -1;
            for (PresenceWrite w : writes) {
                if (w.kind() == PresenceWrite.Kind.SET && w.accepted() && w.userId().equals(e.teamsId())
                        && w.receivedNanos() >= e.at()) {
                    delay = w.receivedNanos() - e.at();
                    break;
                }
            }
            if (delay < 0) {
                missed++;
            } else {
                (e.call() ? callNanos : dndNanos).add(delay);
            }
        }
        callNanos.sort(null);
        dndNanos.sort(null);
        long calls = started.stream().filter(Event::call).count();
        return new Result(n, (int) calls, started.size() - (int) calls, callNanos, dndNanos, missed,
                reads / (measuredNanos / 1e9), n / (double) READ_INTERVAL.toSeconds(), writes.size(),
                bridgeCalls / (measuredNanos / 1e9));
    }

    /**
     * The plugins as discovery finds them, the STARFACE sink wrapped to report the benchmark's PBX calls (what a sink
     * with call state, such as the STARFACE bridge, reports).
     */
    static PluginLookup reportingCalls(Set<String> onCall) {
        Providers providers = Providers.load();
        return new PluginLookup() {
            @Override
            public PresenceSourceProvider source(String id) {
                return providers.source(id);
            }

            @Override
            public PbxSinkProvider sink(String id) {
                PbxSinkProvider real = providers.sink(id);
                return new PbxSinkProvider() {
                    @Override
                    public String id() {
                        return real.id();
                    }

                    @Override
                    public PbxSink create(ProviderConfig config) {
                        return new ForwardingPbxSink(real.create(config)) {
                            @Override
                            public Set<Capability> capabilities() {
                                EnumSet<Capability> c = EnumSet.noneOf(Capability.class);
                                c.addAll(delegate().capabilities());
                                c.add(Capability.PBX_CALLS);
                                return c;
                            }

                            @Override
                            public Set<String> usersOnCall() {
                                return Set.copyOf(onCall);
                            }
                        };
                    }
                };
            }

            @Override
            public StateStoreProvider store(String id) {
                return providers.store(id);
            }
        };
    }

    static long p(List<Long> sorted, int percentile) {
        return sorted.isEmpty() ? Long.MAX_VALUE : ScaleReport.percentile(sorted, percentile).toNanos();
    }

    static String markdown(List<Result> results, boolean bridge) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Machine: %d cores, %s. PBX model 8 workers x 30 ms; poll %s (the"
                        + " shipped default), pbxToTeams.readInterval %s (default), pbxToTeams.dnd and .calls in-a-call%s.%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"),
                ScaleReport.ms(POLL), ScaleReport.ms(READ_INTERVAL), bridge ? "; with the STARFACE bridge"
                        + " (calls and DND changes from its events)" : "; PBX calls from a stand-in, DND by the scan"));
        sb.append("| users | PBX calls | call -> setPresence p50 / p99 / max | aim p99 | DND at the phone"
                + " | DND -> setPresence p50 / p99 / max | aim p99 | missed | PBX reads/s (phoneconfig) | expected users/readInterval"
                + " | bridge calls/s |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %,d | %d | %s / %s / %s | %s | %d | %s / %s / %s | %s | %d | %.1f | %.1f | %.1f |%n",
                    r.users(), r.callEvents(), ms(r.callNanos(), 50), ms(r.callNanos(), 99), max(r.callNanos()),
                    ScaleReport.ms(Duration.ofNanos(aimCall())), r.dndEvents(), ms(r.dndNanos(), 50),
                    ms(r.dndNanos(), 99), max(r.dndNanos()), ScaleReport.ms(Duration.ofNanos(aimDnd())), r.missed(),
                    r.scanReadsPerSecond(), r.expectedReadsPerSecond(), r.bridgeCallsPerSecond()));
        }
        return sb.toString();
    }

    private static String ms(List<Long> sorted, int percentile) {
        return sorted.isEmpty() ? "-" : ScaleReport.ms(Duration.ofNanos(p(sorted, percentile)));
    }

    private static String max(List<Long> sorted) {
        return sorted.isEmpty() ? "-" : ScaleReport.ms(Duration.ofNanos(sorted.get(sorted.size() - 1)));
    }
}
