package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who the engine syncs: the user lists of both sides, refreshed every {@link EngineConfig#userRefreshInterval()}
 * and matched; the tracks of the mapped users (kept across refreshes while a PBX user stays mapped to the same Teams
 * user); the PBX users known by id; and whether a held user the engine no longer maps still exists on the PBX.
 *
 * <p>Touched only on the cycle thread (the engine's cycle lock), except {@link #mappingReport()}.
 */
final class UserDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(UserDirectory.class);

    /** After a failed user refresh (users already mapped), the next attempt waits this long. */
    static final Duration REFRESH_RETRY = Duration.ofMinutes(1);

    /** Whether a PBX user id still exists on the PBX. */
    enum Existence { DELETED, EXISTS, UNKNOWN }

    private final PresenceSource source;
    private final PbxSink sink;
    private final UserMatcher matcher;
    private final String scopeGroup;
    private final Duration refreshInterval;

    private final Map<String, UserTrack> tracks = new LinkedHashMap<>();
    private final Map<String, PbxUser> knownPbx = new HashMap<>();
    private final Set<String> loggedProblems = new HashSet<>();
    private final Set<String> warnedOrphans = new HashSet<>();
    private Set<String> allPbxIds;   // every PBX user id at allPbxIdsAt (for orphaned holds only)
    private Instant allPbxIdsAt;
    private List<MappedUser> mapped;
    private Instant lastRefresh;
    private Instant refreshRetryAt;   // after a failed user refresh: not again before this
    private int teamsUserCount;
    private int pbxUserCount;
    private volatile MappingReport mappingReport;

    UserDirectory(PresenceSource source, PbxSink sink, UserMatcher matcher, String scopeGroup,
                  Duration refreshInterval) {
        this.source = source;
        this.sink = sink;
        this.matcher = matcher;
        this.scopeGroup = scopeGroup;
        this.refreshInterval = refreshInterval;
    }

    /**
     * Lists and matches the users when a refresh is due. A failed listing is noted in {@code errors}; with users
     * already mapped the old lists serve, and the next attempt is after {@link #REFRESH_RETRY}.
     *
     * @return whether the users were refreshed
     */
    boolean refreshIfDue(Instant now, List<String> errors) {
        if (mapped != null && now.isBefore(lastRefresh.plus(refreshInterval))) {
            return false;
        }
        if (mapped != null && refreshRetryAt != null && now.isBefore(refreshRetryAt)) {
            return false; // the last listing failed: the old lists serve until the next attempt
        }
        List<TeamsUser> teams;
        List<PbxUser> pbx;
        try {
            teams = source.listUsers();
            pbx = scopeGroup == null ? sink.listUsers() : sink.listGroupMembers(scopeGroup);
        } catch (TeamsConnectException e) {
            errors.add("user refresh: " + e.getMessage());
            if (mapped != null) {
                // a listing can cost hundreds of requests; with users mapped, try again in a minute, not every cycle
                refreshRetryAt = now.plus(refreshInterval.compareTo(REFRESH_RETRY) < 0 ? refreshInterval
                        : REFRESH_RETRY);
            }
            return false;
        }
        refreshRetryAt = null;
        MappingReport report = matcher.match(teams, pbx);
        logProblems(report);
        knownPbx.clear();
        pbx.forEach(u -> knownPbx.put(u.id(), u));
        Map<String, UserTrack> next = new LinkedHashMap<>();
        // sorted once here, so that the snapshot of every cycle comes out sorted without sorting
        List<MappedUser> byLabel = new ArrayList<>(report.matched());
        byLabel.sort(Comparator.comparing((MappedUser m) -> m.pbx().label()));
        for (MappedUser m : byLabel) {
            UserTrack old = tracks.get(m.pbx().id());
            if (old != null && old.user().teams().id().equals(m.teams().id())) {
                next.put(m.pbx().id(), old.user().equals(m) ? old : old.withUser(m));
            } else {
                next.put(m.pbx().id(), UserTrack.initial(m, now));
            }
        }
        tracks.clear();
        tracks.putAll(next);
        mapped = report.matched();
        mappingReport = report;
        teamsUserCount = teams.size();
        pbxUserCount = pbx.size();
        lastRefresh = now;
        LOG.info("Users refreshed: {} Teams users, {} PBX users{}, {} matched, {} unmatched Teams, {} unmatched PBX,"
                        + " {} ambiguous, {} disabled", teams.size(), pbx.size(),
                scopeGroup == null ? "" : " in group '" + scopeGroup + "'", mapped.size(), report.unmatchedTeams().size(),
                report.unmatchedPbx().size(), report.ambiguous().size(), report.disabledTeams().size());
        return true;
    }

    private void logProblems(MappingReport report) {
        Set<String> problems = new HashSet<>(report.problems());
        for (String p : report.problems()) {
            if (loggedProblems.add(p)) {
                if (p.startsWith("unmatched")) {
                    LOG.info("User matching: {}", p);
                } else {
                    LOG.warn("User matching: {}", p);
                }
            }
        }
        loggedProblems.retainAll(problems); // a problem that comes back is logged again
    }

    /**
     * Whether the PBX still has a user with this id, from one full {@code listUsers()} per user refresh (a user out
     * of the group scope still exists; only a user missing from the full list is deleted).
     */
    Existence existence(String pbxUserId) {
        if (allPbxIdsAt == null || !allPbxIdsAt.equals(lastRefresh)) {
            try {
                Set<String> ids = new HashSet<>();
                for (PbxUser u : sink.listUsers()) {
                    ids.add(u.id());
                }
                allPbxIds = ids;
                allPbxIdsAt = lastRefresh;
            } catch (TeamsConnectException e) {
                LOG.debug("Cannot list all PBX users to check orphaned holds: {}", e.getMessage());
                return Existence.UNKNOWN;
            }
        }
        return allPbxIds.contains(pbxUserId) ? Existence.EXISTS : Existence.DELETED;
    }

    /**
     * Makes the PBX users with these ids known, listing all PBX users (not just the scope: a hold of a user who has
     * left the scope must be released too) when some are not known yet. {@code openSink} runs first.
     */
    void resolve(Collection<String> pbxUserIds, Runnable openSink) {
        if (pbxUserIds.stream().allMatch(knownPbx::containsKey)) {
            return;
        }
        try {
            openSink.run();
            for (PbxUser u : sink.listUsers()) {
                knownPbx.putIfAbsent(u.id(), u);
            }
        } catch (TeamsConnectException e) {
            LOG.warn("Cannot list the PBX users to release their holds: {}", e.getMessage());
        }
    }

    /** Lists all PBX users and knows them by id (for a release without a running engine). */
    void listAllPbxUsers() {
        for (PbxUser u : sink.listUsers()) {
            knownPbx.put(u.id(), u);
        }
    }

    /** The PBX user with this id, if known from a listing. */
    PbxUser pbxUser(String pbxUserId) {
        return knownPbx.get(pbxUserId);
    }

    /** Whether a warning about this held but unmapped user is due (once per user). */
    boolean firstOrphanWarning(String pbxUserId) {
        return warnedOrphans.add(pbxUserId);
    }

    /** The mapped users in the order of the last matching, or null before the first refresh. */
    List<MappedUser> mapped() {
        return mapped;
    }

    int mappedCount() {
        return mapped == null ? 0 : mapped.size();
    }

    int teamsUserCount() {
        return teamsUserCount;
    }

    int pbxUserCount() {
        return pbxUserCount;
    }

    /** The track of a mapped user, or null. */
    UserTrack track(String pbxUserId) {
        return tracks.get(pbxUserId);
    }

    /** Replaces the track of a mapped user; does nothing for a user who is not mapped. */
    void update(String pbxUserId, UnaryOperator<UserTrack> change) {
        tracks.computeIfPresent(pbxUserId, (id, t) -> change.apply(t));
    }

    /** The tracks, sorted by PBX label. */
    Collection<UserTrack> tracks() {
        return tracks.values();
    }

    /** The mapping of the last user refresh, or null before the first. Never blocks. */
    MappingReport mappingReport() {
        return mappingReport;
    }
}
