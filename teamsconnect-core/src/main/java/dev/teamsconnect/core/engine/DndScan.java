package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DND scan of {@code pbxToTeams.dnd}: the REST API of a PBX cannot list many users' DND at once, so noticing a
 * DND pressed at the phone means reading every user's state, spread evenly over {@link PbxToTeams#readInterval()}
 * and after every change and recheck of the cycle. Users that the sink names (its DND events) or that must be read
 * at once (loaded with a session) come first. Touched on the cycle thread; {@link #hint} from any thread.
 */
final class DndScan {

    /**
     * The most PBX reads per round of the scan: small, so that a round started just before the next cycle is due
     * ends soon after (32 reads at the harness's appliance model of 267 requests per second: 120 ms), and the next
     * cycle's changes do not wait behind it.
     */
    static final int CHUNK = 32;

    private final PbxToTeams settings;
    private final Clock clock;
    private final PbxSink sink;
    private final UserDirectory directory;
    private final Set<String> hinted = ConcurrentHashMap.newKeySet();
    private final Map<String, Observed> scanned = new HashMap<>();
    private boolean dndEvents;
    private int scanCursor;
    private double scanCredit;
    private Instant lastScanAt;

    /** A DND read by the scan. */
    record Observed(boolean dnd, Instant at) {
    }

    DndScan(PbxToTeams settings, Clock clock, PbxSink sink, UserDirectory directory) {
        this.settings = settings;
        this.clock = clock;
        this.sink = sink;
        this.directory = directory;
    }

    /** These users are read first in the next scan (thread-safe: the sink's events call it). */
    void hint(Collection<String> pbxUserIds) {
        hinted.addAll(pbxUserIds);
    }

    /** Whether the sink reports DND changes itself: then only the users it names are read. */
    void sinkReportsChanges(boolean value) {
        this.dndEvents = value;
    }

    /** The user's PBX DND as last read or written, by the cycle or the scan, whichever is newer; null: unknown. */
    Boolean knownDnd(String pbxUserId) {
        UserTrack t = directory.track(pbxUserId);
        PbxState state = t == null ? null : t.pbx().state();
        Instant at = t == null ? null : t.pbx().exchangedAt();
        Observed o = scanned.get(pbxUserId);
        if (o != null && (state == null || at == null || !o.at().isBefore(at))) {
            return o.dnd();
        }
        return state == null ? null : state.dnd();
    }

    /**
     * Reads users' DND for {@code pbxToTeams.dnd}, spread evenly over {@code readInterval}: this cycle's share (users
     * x elapsed / readInterval, what was not read before carried over up to one interval's worth), oldest first by a
     * cursor through the users, until {@code stopAt}. With a sink that reports DND changes itself only the users it
     * named are read. Runs after the changes and rechecks, so it never delays them.
     *
     * @return the PBX reads made
     */
    int scan(Instant now, Instant stopAt, List<String> errors) {
        if (settings.dnd() == PbxToTeams.Show.OFF) {
            return 0;
        }
        List<MappedUser> mapped = directory.mapped();
        if (mapped == null || mapped.isEmpty()) {
            return 0;
        }
        // users named by the sink's events (or loaded with a session) first, then this cycle's share of everybody
        List<PbxUser> due = new ArrayList<>();
        Set<String> named = new HashSet<>(hinted);
        hinted.removeAll(named);
        for (String id : named) {
            PbxUser u = directory.pbxUser(id);
            if (u != null) {
                due.add(u);
            }
        }
        int share = 0;
        if (!dndEvents) {
            Duration elapsed = lastScanAt == null ? Duration.ZERO : Duration.between(lastScanAt, now);
            lastScanAt = now;
            scanCredit = Math.min(mapped.size(),
                    scanCredit + mapped.size() * (double) elapsed.toMillis() / settings.readInterval().toMillis());
            share = (int) Math.min(mapped.size(), Math.floor(scanCredit));
        }
        int reads = 0;
        int namedLeft = due.size();
        int shareLeft = share;
        Duration lastRound = Duration.ZERO;
        while (namedLeft > 0 || shareLeft > 0) {
            // a round only if it likely ends before stopAt (judged by the last round's time)
            if (!clock.instant().plus(lastRound).isBefore(stopAt)) {
                break;
            }
            Instant roundStart = clock.instant();
            List<PbxUser> chunk = new ArrayList<>(CHUNK);
            int fromNamed = Math.min(namedLeft, CHUNK);
            chunk.addAll(due.subList(due.size() - namedLeft, due.size() - namedLeft + fromNamed));
            int fromShare = Math.min(shareLeft, CHUNK - fromNamed);
            for (int i = 0; i < fromShare; i++) {
                scanCursor = scanCursor % mapped.size();
                chunk.add(mapped.get(scanCursor++).pbx());
            }
            BatchResult<PbxState> r;
            try {
                r = sink.readStates(chunk);
            } catch (TeamsConnectException e) {
                errors.add("sink.readStates (DND scan): " + e.getMessage());
                break;
            }
            namedLeft -= fromNamed;
            shareLeft -= fromShare;
            scanCredit -= fromShare;
            Instant at = clock.instant();
            lastRound = Duration.between(roundStart, at);
            r.values().forEach((id, st) -> scanned.put(id, new Observed(st.dnd(), at)));
            reads += r.values().size();
        }
        // named users not reached are read first next time
        due.subList(due.size() - namedLeft, due.size()).forEach(u -> hinted.add(u.id()));
        return reads;
    }
}
