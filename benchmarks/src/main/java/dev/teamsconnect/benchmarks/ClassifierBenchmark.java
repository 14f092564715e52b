package dev.teamsconnect.benchmarks;

import dev.teamsconnect.core.mapping.TeamsStatusClassifier;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Classifying one Teams presence into a {@link PresenceCategory} with the documented status table
 * ({@link TeamsStatusClassifier}), per presence, over a fixed array of every availability/activity pair Graph
 * sends (plus out-of-office and unknown values), shuffled so branch prediction cannot learn the order.
 *
 * <p>{@code baseline}: the same loop with a plain array lookup by availability, i.e. the cost of walking the
 * array and touching each presence; the classifier's own cost is the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class ClassifierBenchmark {

    static final int SIZE = 4096;

    private TeamsPresence[] presences;
    private PresenceCategory[] byAvailability;
    private final TeamsStatusClassifier classifier = TeamsStatusClassifier.INSTANCE;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        Availability[] availabilities = Availability.values();
        Activity[] activities = Activity.values();
        Instant at = Instant.parse("2026-11-27T08:00:00Z");
        presences = new TeamsPresence[SIZE];
        for (int i = 0; i < SIZE; i++) {
            Availability a = availabilities[random.nextInt(availabilities.length)];
            Activity b = activities[random.nextInt(activities.length)];
            String rawA = a == Availability.UNKNOWN ? "SomethingNew" : a.wireValue();
            String rawB = b == Activity.UNKNOWN ? "SomethingElse" : b.wireValue();
            presences[i] = TeamsPresence.parse("user-" + i, rawA, rawB, null, random.nextInt(20) == 0, null, at);
        }
        byAvailability = new PresenceCategory[availabilities.length];
        PresenceCategory[] categories = PresenceCategory.values();
        for (int i = 0; i < byAvailability.length; i++) {
            byAvailability[i] = categories[i % categories.length];
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public void classify(Blackhole bh) {
        for (TeamsPresence p : presences) {
            bh.consume(classifier.classify(p));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public void baseline(Blackhole bh) {
        for (TeamsPresence p : presences) {
            bh.consume(byAvailability[p.availability().ordinal()]);
        }
    }
}
