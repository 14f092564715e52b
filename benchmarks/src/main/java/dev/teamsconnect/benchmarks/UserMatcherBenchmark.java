package dev.teamsconnect.benchmarks;

import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Matching all Teams users to all PBX users by address ({@link UserMatcher}), as the engine does on every user
 * refresh. The Teams side uses mixed-case addresses and a share of users found only by userPrincipalName, and
 * a few users on each side have no partner, so every path of the matcher is taken.
 *
 * <p>{@code baseline}: building a {@link HashMap} of the PBX users by lower-cased address and looking every
 * Teams address up once, the least any address match has to do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class UserMatcherBenchmark {

    @Param({"50000"})
    public int users;

    private List<TeamsUser> teams;
    private List<PbxUser> pbx;
    private final UserMatcher matcher = new UserMatcher();

    @Setup
    public void setUp() {
        Random random = new Random(7);
        teams = new ArrayList<>(users);
        pbx = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            String address = "user" + i + "@example.com";
            boolean upnOnly = i % 20 == 0;          // 5 %: Teams mail empty, found by userPrincipalName
            boolean teamsOnly = i % 100 == 1;       // 1 %: no PBX partner
            String shown = random.nextBoolean() ? address.toUpperCase(Locale.ROOT) : address;
            teams.add(new TeamsUser(String.format("%08d-0000-4000-8000-%012d", i, i), shown,
                    upnOnly ? null : shown, "User " + i, true));
            if (!teamsOnly) {
                pbx.add(new PbxUser(String.valueOf(i + 1), String.format("%05d", i), address, "User " + i));
            }
        }
        Collections.shuffle(pbx, random);
    }

    @Benchmark
    public MappingReport match() {
        return matcher.match(teams, pbx);
    }

    @Benchmark
    public int baseline() {
        Map<String, PbxUser> byAddress = new HashMap<>();
        for (PbxUser p : pbx) {
            byAddress.put(p.email().trim().toLowerCase(Locale.ROOT), p);
        }
        int found = 0;
        for (TeamsUser t : teams) {
            String address = t.mail() != null ? t.mail() : t.userPrincipalName();
            if (byAddress.get(address.trim().toLowerCase(Locale.ROOT)) != null) {
                found++;
            }
        }
        return found;
    }
}
