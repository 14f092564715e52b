package dev.teamsconnect.benchmarks;

import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.graph.GraphSourceProvider;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One user refresh of the Graph source at N users (default 50,000): a full listing ({@code teams.usersDelta: false},
 * the {@code baseline}: {@code GET /users}, pages of 999) against users delta (the shipped default:
 * {@code GET /users/delta} from the link of the previous refresh). Before each measured refresh the emulator's
 * directory gets {@code --changes} changes (default 50: 80 % updated, 10 % removed, 10 % added). Both sources are
 * created through the shipped {@link GraphSourceProvider} from a config section, against the Graph emulator over
 * HTTPS; every refresh's result is checked against the emulator's enabled users (a wrong list fails the run).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.teamsconnect.benchmarks.UserRefreshBenchmark
 * [--users 50000] [--changes 50] [--rounds 5] [--graph-latency 0ms] [--seed 1]}. Prints a Markdown table.
 */
public final class UserRefreshBenchmark {

    private UserRefreshBenchmark() {
    }

    private record Round(int requests, long micros, int users) {
    }

    public static void main(String[] args) throws Exception {
        int users = 50_000;
        int changes = 50;
        int rounds = 5;
        long seed = 1;
        Duration latency = Duration.ZERO;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--users" -> users = Integer.parseInt(v);
                case "--changes" -> changes = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--graph-latency" -> latency = ProviderConfig.parseDuration("--graph-latency", v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --users N --changes N --rounds N --graph-latency 0ms --seed N");
            }
        }
        Path dir = Files.createTempDirectory("user-refresh");
        Map<String, List<Round>> results = new LinkedHashMap<>();
        for (boolean delta : new boolean[] {false, true}) {
            results.put(delta ? "users delta (shipped default)" : "full listing (baseline)",
                    run(users, changes, rounds, latency, new Random(seed), delta, dir));
        }
        System.out.println(table(users, changes, rounds, latency, results));
    }

    private static List<Round> run(int n, int changes, int rounds, Duration latency, Random random, boolean delta, Path dir)
            throws Exception {
        String app = "bench-app";
        String secret = "bench-secret-value";
        try (GraphEmulator graph = GraphEmulator.builder().start().registerSecretClient(app, secret)) {
            List<EmulatedUser> seeded = new ArrayList<>(graph.seedUsers(n));
            graph.setLatency(latency);
            Path pem = graph.writeCertificatePem(dir.resolve("graph-" + delta + ".pem"));
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("tenantId", graph.tenantId());
            cfg.put("clientId", app);
            cfg.put("auth", Map.of("clientSecret", secret));
            cfg.put("authorityHost", graph.authorityHost().toString());
            cfg.put("graphBaseUrl", graph.graphBaseUrl().toString());
            cfg.put("usersDelta", Boolean.toString(delta));
            cfg.put("tls", Map.of("certificate", pem.toString()));
            List<Round> out = new ArrayList<>();
            try (PresenceSource source = new GraphSourceProvider().create(new ProviderConfig("teams", cfg))) {
                source.open();
                check(source.listUsers(), graph); // the first refresh lists everything in both modes
                int added = 0;
                for (int r = 0; r < rounds; r++) {
                    for (int c = 0; c < changes; c++) {
                        int kind = random.nextInt(10);
                        if (kind == 0 && seeded.size() > 1) {
                            graph.removeUser(seeded.remove(random.nextInt(seeded.size())).id(), random.nextBoolean());
                        } else if (kind == 1) {
                            added++;
                            seeded.add(graph.addUser(String.format(Locale.ROOT, "added%05d@contoso.test", added),
                                    "Added " + added, true));
                        } else {
                            EmulatedUser u = seeded.get(random.nextInt(seeded.size()));
                            graph.updateUser(u.id(), u.mail(), "Renamed " + r + "." + c);
                        }
                    }
                    int before = requests(graph);
                    long t0 = System.nanoTime();
                    List<TeamsUser> listed = source.listUsers();
                    long micros = (System.nanoTime() - t0) / 1000;
                    check(listed, graph);
                    out.add(new Round(requests(graph) - before, micros, listed.size()));
                }
            }
            return out;
        }
    }

    private static int requests(GraphEmulator graph) {
        return graph.requestCount(GraphEmulator.USERS) + graph.requestCount(GraphEmulator.USERS_DELTA);
    }

    /** The refresh must return exactly the emulator's enabled users with their current display names. */
    private static void check(List<TeamsUser> listed, GraphEmulator graph) {
        Set<String> want = new HashSet<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (EmulatedUser u : graph.users()) {
            if (u.enabled()) {
                want.add(u.id());
                names.put(u.id(), u.displayName());
            }
        }
        Set<String> got = new HashSet<>();
        for (TeamsUser u : listed) {
            got.add(u.id());
            if (!u.displayName().equals(names.get(u.id()))) {
                throw new IllegalStateException("user " + u.id() + " has display name " + u.displayName() + ", Graph has "
                        + names.get(u.id()));
            }
        }
        if (!got.equals(want) || got.size() != listed.size()) {
            throw new IllegalStateException("refresh returned " + listed.size() + " users, Graph has " + want.size());
        }
    }

    private static String table(int users, int changes, int rounds, Duration latency, Map<String, List<Round>> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "User refresh at %,d users, %d directory changes before each refresh, %d refreshes"
                + " per mode, Graph latency %d ms per request%n%n", users, changes, rounds, latency.toMillis()));
        b.append("| mode | requests per refresh | median ms | min ms | max ms | users returned |\n");
        b.append("|---|---:|---:|---:|---:|---:|\n");
        for (var e : results.entrySet()) {
            List<Long> times = new ArrayList<>(e.getValue().stream().map(Round::micros).toList());
            Collections.sort(times);
            List<Integer> reqs = e.getValue().stream().map(Round::requests).distinct().sorted().toList();
            b.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %,d |%n", e.getKey(),
                    reqs.size() == 1 ? reqs.get(0).toString() : reqs.get(0) + "-" + reqs.get(reqs.size() - 1),
                    times.get(times.size() / 2) / 1000.0, times.get(0) / 1000.0, times.get(times.size() - 1) / 1000.0,
                    e.getValue().get(e.getValue().size() - 1).users()));
        }
        return b.toString();
    }
}
