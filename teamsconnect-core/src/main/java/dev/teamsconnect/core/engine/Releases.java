package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.HumanDuration;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.Hold;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two releases that are not cycles: on shutdown, and of all holds (the {@code release} command). Both give
 * held users their own state back through the {@link HoldCommitter}, so a hand-made choice is kept.
 *
 * <p>Called only under the engine's cycle lock.
 */
final class Releases {

    private static final Logger LOG = LoggerFactory.getLogger(Releases.class);

    private final EngineConfig config;
    private final Clock clock;
    private final UserDirectory directory;
    private final HoldCommitter committer;
    private final Runnable openSink;
    private final Consumer<Instant> publish;

    Releases(EngineConfig config, Clock clock, UserDirectory directory, HoldCommitter committer, Runnable openSink,
             Consumer<Instant> publish) {
        this.config = config;
        this.clock = clock;
        this.directory = directory;
        this.committer = committer;
        this.openSink = openSink;
        this.publish = publish;
    }

    /**
     * On shutdown: every held user gets their own state back (a hand-made choice is kept) within
     * {@link EngineConfig#shutdownTimeout()}; holds not released in time stay in the store.
     */
    void releaseOnShutdown() {
        Instant now = clock.instant();
        Instant deadline = now.plus(config.shutdownTimeout());
        Map<String, Hold> holds = committer.holds();
        directory.resolve(holds.keySet(), openSink);
        List<Work> work = new ArrayList<>();
        for (Hold h : List.copyOf(holds.values())) {
            PbxUser user = directory.pbxUser(h.pbxUserId());
            if (user == null) {
                LOG.warn("Cannot release the hold of PBX user id {} on shutdown: the user is not in scope;"
                        + " the hold stays in the store", h.pbxUserId());
                continue;
            }
            work.add(Work.release(user, directory.track(h.pbxUserId()) != null, h,
                    "engine shutting down (releaseOnShutdown)"));
        }
        if (!work.isEmpty()) {
            CycleCounters c = new CycleCounters();
            int done = committer.reconcile(work, now, c, deadline, false);
            committer.commitConfirmations(c);
            if (done < work.size()) {
                LOG.warn("Shutdown: {} hold(s) not released within {} stay in store '{}'; the next start (or"
                        + " the release command) gives them back", work.size() - done, HumanDuration.of(config.shutdownTimeout()),
                        committer.storeId());
            }
            LOG.info("Released holds on shutdown: {} write(s), {} failure(s), {} hold(s) left",
                    c.writes, c.failures, holds.size());
        }
        publish.accept(now);
    }

    /**
     * Loads the holds and gives every held user their own DND back without reading presence; see
     * {@link SyncEngine#releaseAllHolds()}.
     */
    SyncEngine.ReleaseReport releaseAll() {
        Map<String, Hold> loaded = committer.load();
        if (loaded.isEmpty()) {
            return new SyncEngine.ReleaseReport(0, 0, 0, List.of());
        }
        openSink.run();
        directory.listAllPbxUsers();
        Instant now = clock.instant();
        List<Work> work = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (Hold h : List.copyOf(committer.holds().values())) {
            PbxUser user = directory.pbxUser(h.pbxUserId());
            if (user == null) {
                gone.add(h.pbxUserId());
            } else {
                // the user's own DND for MANUAL holds too: the episode is over, DND stays as the user set it
                work.add(new Work(user, false, Want.USERS_OWN, null, "release of all holds", null, null, true, false,
                        null));
            }
        }
        CycleCounters c = new CycleCounters();
        committer.reconcile(work, now, c, Instant.MAX, false);
        committer.commitConfirmations(c);
        committer.dropHoldsOfDeletedUsers(gone, c);
        publish.accept(clock.instant());
        return new SyncEngine.ReleaseReport(loaded.size(), c.writes, committer.holds().size(), c.errors);
    }
}
