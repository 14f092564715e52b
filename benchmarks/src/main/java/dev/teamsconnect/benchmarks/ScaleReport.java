package dev.teamsconnect.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one {@link ScaleHarness} run, computed only from what the emulators recorded (presence changes
 * with their time on the Graph side, DND changes with their time and request counts on the STARFACE side) and
 * from JVM counters, never from the engine's own account of what it did.
 *
 * <p>Pure: {@link #of(Recording)} does no I/O, so the computation is unit-tested with made-up recordings.
 */
public record ScaleReport(
        Recording recording,
        int expectedWrites,
        int matched,
        int missed,
        int writesWithoutChange,
        int unexplainedChanges,
        Duration p50,
        Duration p99,
        Duration max) {

    /** A change of the DND value Teams asks for (a call started or ended), by the Graph emulator's clock. */
    public record Transition(String user, Instant at, boolean dnd) {
    }

    /** A DND change the STARFACE emulator recorded from an API write, by its clock. */
    public record DndChange(String user, Instant at, boolean dnd) {
    }

    /**
     * What one run recorded within its measured window.
     *
     * @param users                     N
     * @param mode                      a short label of the run, e.g. "poll 2s" or "at the Graph limit"
     * @param poll                      the engine's poll interval
     * @param measured                  length of the measured window (changes plus settling)
     * @param transitions               every change of the desired DND scripted on the Graph emulator
     * @param dndChanges                every DND change the STARFACE emulator saw from API writes
     * @param pbxWrites                 PUT phoneconfig requests the STARFACE emulator received
     * @param pbxReads                  GET phoneconfig requests it received
     * @param presenceRequestsPerCycle  getPresencesByUserId requests the Graph emulator received, per cycle
     * @param usersRequests             /users requests received over the whole run (start-up included)
     * @param usersRequestsMeasured     /users requests within the measured window
     * @param tooManyRequests           presence requests the Graph emulator answered with 429
     * @param cycleDurations            engine cycle durations (from each cycle's start to its end)
     * @param cycleIntervals            time from one cycle's start to the next one's
     * @param clientCpu                 CPU time of TeamsConnect's threads (engine, HTTP clients) in the window
     * @param processCpu                CPU time of the whole process (emulators, GC and JIT included) in the window
     * @param peakHeapBytes             sum of the peak usage of the heap pools during the window (whole JVM)
     * @param scenario                  steady changes, a burst, or users in calls with nothing changing
     * @param maxPbxInFlight            the most requests the STARFACE emulator had in flight (arrived, not answered)
     * @param pbxWorkers                the modelled appliance's workers
     * @param pbxCapacity               requests per second the modelled appliance serves
     * @param usersInCalls              users in calls throughout ({@link ScaleHarness.Scenario#IN_CALLS}), else 0
     * @param recheckInterval           the sink's recheck interval in force
     * @param timeToMirror              from the window's start until the PBX showed every wanted state
     */
    public record Recording(int users, String mode, Duration poll, Duration measured, List<Transition> transitions,
                            List<DndChange> dndChanges, int pbxWrites, int pbxReads,
                            List<Integer> presenceRequestsPerCycle, int usersRequests, int usersRequestsMeasured,
                            int tooManyRequests, List<Duration> cycleDurations, List<Duration> cycleIntervals,
                            Duration clientCpu, Duration processCpu, long peakHeapBytes,
                            ScaleHarness.Scenario scenario, int maxPbxInFlight, int pbxWorkers, double pbxCapacity,
                            int usersInCalls, Duration recheckInterval, Duration timeToMirror) {

        public Recording {
            transitions = List.copyOf(transitions);
            dndChanges = List.copyOf(dndChanges);
            presenceRequestsPerCycle = List.copyOf(presenceRequestsPerCycle);
            cycleDurations = List.copyOf(cycleDurations);
            cycleIntervals = List.copyOf(cycleIntervals);
        }
    }

    /** The delay aim at any N: the poll interval plus this. */
    public static final Duration DELAY_SLACK = Duration.ofMillis(250);

    /** Graph's limit for getPresencesByUserId, per app. */
    public static final int GRAPH_LIMIT = 1500;
    public static final Duration GRAPH_WINDOW = Duration.ofSeconds(30);
    public static final int IDS_PER_REQUEST = 650;

    /**
     * Pairs every transition with the first later DND change of the same user to the same value (in order, per
     * user). Transitions without one are missed; DND changes that pair with no transition are unexplained (a write
     * that should not have happened); PUTs beyond the DND changes wrote a value the PBX already had.
     */
    public static ScaleReport of(Recording r) {
        Map<String, List<Transition>> wanted = new HashMap<>();
        for (Transition t : r.transitions()) {
            wanted.computeIfAbsent(t.user(), k -> new ArrayList<>()).add(t);
        }
        Map<String, List<DndChange>> seen = new HashMap<>();
        for (DndChange c : r.dndChanges()) {
            seen.computeIfAbsent(c.user(), k -> new ArrayList<>()).add(c);
        }
        List<Long> delays = new ArrayList<>();
        int missed = 0;
        int unexplained = 0;
        for (Map.Entry<String, List<Transition>> e : wanted.entrySet()) {
            List<Transition> ts = new ArrayList<>(e.getValue());
            ts.sort(Comparator.comparing(Transition::at));
            List<DndChange> cs = new ArrayList<>(seen.getOrDefault(e.getKey(), List.of()));
            cs.sort(Comparator.comparing(DndChange::at));
            int j = 0;
            for (Transition t : ts) {
                while (j < cs.size() && cs.get(j).at().isBefore(t.at())) {
                    unexplained++; // a change before anything asked for it
                    j++;
                }
                if (j < cs.size() && cs.get(j).dnd() == t.dnd()) {
                    delays.add(Duration.between(t.at(), cs.get(j).at()).toNanos());
                    j++;
                } else {
                    missed++;
                }
            }
            unexplained += cs.size() - j;
        }
        for (Map.Entry<String, List<DndChange>> e : seen.entrySet()) {
            if (!wanted.containsKey(e.getKey())) {
                unexplained += e.getValue().size();
            }
        }
        delays.sort(null);
        return new ScaleReport(r, r.transitions().size(), delays.size(), missed,
                Math.max(0, r.pbxWrites() - r.dndChanges().size()), unexplained,
                percentile(delays, 50), percentile(delays, 99),
                delays.isEmpty() ? null : Duration.ofNanos(delays.get(delays.size() - 1)));
    }

    /** Nearest-rank percentile; {@code null} for no values. */
    static Duration percentile(List<Long> sortedNanos, int p) {
        if (sortedNanos.isEmpty()) {
            return null;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.size());
        return Duration.ofNanos(sortedNanos.get(Math.max(0, rank - 1)));
    }

    /** ceil(N / 650): the fewest presence requests that can cover N users. */
    public int requestFloor() {
        return (recording.users() + IDS_PER_REQUEST - 1) / IDS_PER_REQUEST;
    }

    /** Writes that were not needed: PUTs that changed nothing plus changes nobody asked for. */
    public int redundantWrites() {
        return writesWithoutChange + unexplainedChanges;
    }

    public int maxRequestsPerCycle() {
        return recording.presenceRequestsPerCycle().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    public double meanRequestsPerCycle() {
        return recording.presenceRequestsPerCycle().stream().mapToInt(Integer::intValue).average().orElse(0);
    }

    public int cycles() {
        return recording.presenceRequestsPerCycle().size();
    }

    /** The shortest cycle Graph's limit allows: ceil(N/650) requests at 1,500 per 30 s. */
    public Duration shortestCycleAllowed() {
        return GRAPH_WINDOW.multipliedBy(requestFloor()).dividedBy(GRAPH_LIMIT);
    }

    /** The delay aim: poll interval + 250 ms. */
    public Duration delayAim() {
        return recording.poll().plus(DELAY_SLACK);
    }

    /** STARFACE requests (GET and PUT phoneconfig) per DND change, or NaN without changes. */
    public double pbxRequestsPerChange() {
        int changes = recording.dndChanges().size();
        return changes == 0 ? Double.NaN : (recording.pbxReads() + recording.pbxWrites()) / (double) changes;
    }

    /** GET phoneconfig per second over the window. */
    public double pbxReadsPerSecond() {
        return recording.pbxReads() / Math.max(0.001, recording.measured().toMillis() / 1000.0);
    }

    /** The steady read budget: users in calls / recheckInterval (reads per second). */
    public double readBudgetPerSecond() {
        Duration r = recording.recheckInterval();
        return r == null || r.isZero() ? Double.POSITIVE_INFINITY : recording.usersInCalls() / (r.toMillis() / 1000.0);
    }

    /** A burst's floor: two requests per change at the appliance's capacity. */
    public Duration burstFloor() {
        return Duration.ofMillis(Math.round(2.0 * expectedWrites * 1000 / recording.pbxCapacity()));
    }

    /** A burst's aim for its last DND: 1.25 x the floor + one poll. */
    public Duration burstAim() {
        return Duration.ofMillis(burstFloor().toMillis() * 5 / 4).plus(recording.poll());
    }

    /** The checks the issue sets; an empty list means every aim was met. */
    public List<String> failedAims() {
        List<String> failed = new ArrayList<>();
        double perChange = pbxRequestsPerChange();
        if (!Double.isNaN(perChange) && perChange > 2.0) {
            failed.add(String.format(Locale.ROOT, "%.2f PBX requests per DND change > 2.0", perChange));
        }
        if (recording.scenario() == ScaleHarness.Scenario.IN_CALLS && pbxReadsPerSecond() > readBudgetPerSecond()) {
            failed.add(String.format(Locale.ROOT, "%.1f PBX reads per second > %d in calls / recheckInterval = %.1f",
                    pbxReadsPerSecond(), recording.usersInCalls(), readBudgetPerSecond()));
        }
        if (recording.scenario() == ScaleHarness.Scenario.BURST && max != null && max.compareTo(burstAim()) > 0) {
            failed.add("the burst's last DND after " + ms(max) + " > 1.25 x floor + poll = " + ms(burstAim()));
        }
        if (cycles() == 0) {
            failed.add("no cycle completed in the measured window");
        }
        if (maxRequestsPerCycle() > requestFloor()) {
            failed.add("presence requests per cycle " + maxRequestsPerCycle() + " > ceil(N/650) = " + requestFloor());
        }
        if (recording.tooManyRequests() > 0) {
            failed.add(recording.tooManyRequests() + " answers 429");
        }
        if (redundantWrites() > 0) {
            failed.add(redundantWrites() + " redundant PBX writes");
        }
        if (missed > 0) {
            failed.add(missed + " presence changes never reached the PBX");
        }
        if (recording.scenario() == ScaleHarness.Scenario.CHANGES && p99 != null && p99.compareTo(delayAim()) > 0) {
            failed.add("p99 delay " + ms(p99) + " > poll + 250 ms = " + ms(delayAim()));
        }
        return failed;
    }

    // ------------------------------------------------------------------------------------------ rendering

    /** A Markdown table with one column per run, the machine above it. */
    public static String markdown(String machine, List<ScaleReport> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append(machine).append("\n\n");
        sb.append("| figure |");
        runs.forEach(r -> sb.append(" N = ").append(String.format(Locale.ROOT, "%,d", r.recording.users()))
                .append(", ").append(r.recording.mode()).append(" |"));
        sb.append(" aim |\n|---|");
        runs.forEach(r -> sb.append("---|"));
        sb.append("---|\n");
        row(sb, runs, "measured window", r -> secs(r.recording.measured()), "");
        row(sb, runs, "cycles in the window", r -> String.valueOf(r.cycles()), "");
        row(sb, runs, "Graph presence requests per cycle (mean / max)", r -> String.format(Locale.ROOT, "%.2f / %d",
                r.meanRequestsPerCycle(), r.maxRequestsPerCycle()), "");
        row(sb, runs, "ceil(N / 650)", r -> String.valueOf(r.requestFloor()), "max = ceil(N/650)");
        row(sb, runs, "Graph /users requests (whole run / in the window)",
                r -> r.recording.usersRequests() + " / " + r.recording.usersRequestsMeasured(), "");
        row(sb, runs, "429 answers received", r -> String.valueOf(r.recording.tooManyRequests()), "0");
        row(sb, runs, "real state changes (calls started or ended)", r -> String.valueOf(r.expectedWrites), "");
        row(sb, runs, "PBX writes (PUT phoneconfig)", r -> String.valueOf(r.recording.pbxWrites()), "= real changes");
        row(sb, runs, "redundant PBX writes", r -> String.valueOf(r.redundantWrites()), "0");
        row(sb, runs, "changes not mirrored by the end", r -> String.valueOf(r.missed), "0");
        row(sb, runs, "PBX reads (GET phoneconfig)", r -> String.valueOf(r.recording.pbxReads()), "");
        row(sb, runs, "PBX requests per DND change", r -> Double.isNaN(r.pbxRequestsPerChange()) ? "n/a"
                : String.format(Locale.ROOT, "%.2f", r.pbxRequestsPerChange()), "<= 2.0");
        row(sb, runs, "PBX reads per second", r -> String.format(Locale.ROOT, "%.1f", r.pbxReadsPerSecond()),
                "steady: <= in calls / recheckInterval");
        row(sb, runs, "most PBX requests in flight (appliance workers)",
                r -> r.recording.maxPbxInFlight() + " (" + r.recording.pbxWorkers() + ")", "not far above the workers");
        row(sb, runs, "time until the PBX showed every wanted state", r -> ms(r.recording.timeToMirror()),
                "burst: <= 1.25 x floor + poll");
        row(sb, runs, "burst floor (2 requests per change at the PBX's capacity)",
                r -> r.recording.scenario() == ScaleHarness.Scenario.BURST ? ms(r.burstFloor()) : "n/a", "");
        row(sb, runs, "Teams-to-PBX delay p50", r -> ms(r.p50), "");
        row(sb, runs, "Teams-to-PBX delay p99", r -> ms(r.p99), "<= poll + 250 ms");
        row(sb, runs, "Teams-to-PBX delay max", r -> ms(r.max), "");
        row(sb, runs, "poll interval", r -> ms(r.recording.poll()), "");
        row(sb, runs, "cycle time p50 / max", r -> ms(pct(r.recording.cycleDurations(), 50)) + " / "
                + ms(pct(r.recording.cycleDurations(), 100)), "");
        row(sb, runs, "cycle start to next start p50 / min", r -> ms(pct(r.recording.cycleIntervals(), 50)) + " / "
                + ms(pct(r.recording.cycleIntervals(), 0)), "");
        row(sb, runs, "shortest cycle Graph's limit allows", r -> ms(r.shortestCycleAllowed()), "");
        row(sb, runs, "CPU per cycle, TeamsConnect threads", r -> ms(perCycle(r.recording.clientCpu(), r.cycles())), "");
        row(sb, runs, "CPU per cycle, whole process (incl. emulators, GC)",
                r -> ms(perCycle(r.recording.processCpu(), r.cycles())), "");
        row(sb, runs, "peak heap, whole JVM (incl. emulators)",
                r -> String.format(Locale.ROOT, "%d MiB", r.recording.peakHeapBytes() / (1024 * 1024)), "");
        row(sb, runs, "aims met", r -> r.failedAims().isEmpty() ? "yes" : "**no**: " + String.join("; ", r.failedAims()), "");
        return sb.toString();
    }

    private interface Cell {
        String of(ScaleReport r);
    }

    private static void row(StringBuilder sb, List<ScaleReport> runs, String name, Cell cell, String aim) {
        sb.append("| ").append(name).append(" |");
        runs.forEach(r -> sb.append(' ').append(cell.of(r)).append(" |"));
        sb.append(' ').append(aim).append(" |\n");
    }

    private static Duration pct(List<Duration> values, int p) {
        if (values.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(values.stream().map(Duration::toNanos).toList());
        sorted.sort(null);
        return p == 0 ? Duration.ofNanos(sorted.get(0)) : percentile(sorted, p);
    }

    private static Duration perCycle(Duration total, int cycles) {
        return cycles == 0 || total == null ? null : total.dividedBy(cycles);
    }

    static String ms(Duration d) {
        if (d == null) {
            return "n/a";
        }
        double ms = d.toNanos() / 1_000_000.0;
        return ms >= 100 ? String.format(Locale.ROOT, "%,.0f ms", ms) : String.format(Locale.ROOT, "%.1f ms", ms);
    }

    private static String secs(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
