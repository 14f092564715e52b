package dev.teamsconnect.starface;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.retry.Backoff;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.starface.bridge.BridgeEvent;
import dev.teamsconnect.starface.bridge.ChatState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the STARFACE sink can do with the bridge module inside the PBX (docs/starface-bridge.md), next to the REST
 * API's DND:
 * <ul>
 *   <li><b>Chat status.</b> The engine's chat status text is the user's STARFACE chat status text; reading is one
 *       {@code getChatStatus} per 500 users, writing one {@code setChatStatus}. The sink writes the text only and
 *       keeps the user's chat presence: STARFACE's {@code ChatPresence} constants are not in any public source, so
 *       the product does not choose one. Remembering and restoring the user's own text, and keeping a text the user
 *       set meanwhile, is the engine's (as for DND). An empty text is "none" ({@code null}). While the bridge does
 *       not answer, each user's chat status is {@link PbxState#chatUnknown unknown}: the DND sync goes on (nobody
 *       stays in DND because the bridge is being updated or missing), no chat text is written, and what the engine
 *       remembers of the user's own text is kept until the bridge answers again.</li>
 *   <li><b>BLF keys.</b> A write for a Teams call (category {@link PresenceCategory#IN_A_CALL}) also publishes the
 *       telephony state {@code ACTIVE}, so the user's BLF keys show the call; the first write away from it publishes
 *       {@code AVAILABLE}, unless the user is on a PBX call then. The state is injected: the PBX's next real call
 *       change overwrites it (shared/reference/starface-api.md). A failed BLF write is logged, never a failed
 *       change.</li>
 *   <li><b>Call state and DND events.</b> A thread reads the bridge's {@code events} every
 *       {@code eventInterval} (1 s): who is on a PBX call (a level, kept as the answer says), and DND changes, which
 *       are handed to the engine as hints. When the bridge says events were lost (its buffer overflowed, or it
 *       restarted) every user is hinted, so nothing is missed. A failing read is retried with backoff and logged
 *       once per outage; the last known calls are kept meanwhile.</li>
 * </ul>
 */
final class BridgeFeatures {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeFeatures.class);
    /** How often the bridge's events are read. */
    static final Duration DEFAULT_EVENT_INTERVAL = Duration.ofSeconds(1);
    /** At most this many {@code events} pages are read in a row before the next interval. */
    private static final int PAGES_PER_POLL = 10;
    static final String CALL_STATE = "ACTIVE";
    static final String NO_CALL_STATE = "AVAILABLE";

    private final StarfaceBridge bridge;
    private final Duration eventInterval;
    private final Supplier<Set<String>> allUserIds;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    private final Random random = new Random();
    private final List<Consumer<Set<String>>> dndListeners = new CopyOnWriteArrayList<>();
    // accounts for which this process published ACTIVE
    private final Set<Integer> published = ConcurrentHashMap.newKeySet();
    // DND values this sink wrote over REST, and when (System.nanoTime): their DND events are not hinted
    private final Map<Integer, long[]> ownWrites = new ConcurrentHashMap<>();
    private static final long OWN_WRITE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private volatile Set<Integer> onCall = Set.of();
    private volatile boolean chatOutage;
    private volatile ScheduledExecutorService poller;
    // the poller's position; touched by the poller thread only
    private String bridgeId;
    private long since;
    private int failures;

    /**
     * @param allUserIds the ids of every user the sink listed, hinted when the bridge lost events
     */
    BridgeFeatures(StarfaceBridge bridge, Duration eventInterval, Supplier<Set<String>> allUserIds) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        this.eventInterval = Objects.requireNonNull(eventInterval, "eventInterval");
        this.allUserIds = Objects.requireNonNull(allUserIds, "allUserIds");
    }

    /**
     * Asks the bridge for its version and starts reading its events. Never fails for the bridge: a bridge that does
     * not answer (not installed, another instance name, a wrong secret) is one WARN with the fix, {@code check}
     * reports it as a problem, and the DND sync goes on without it (the chat status is then unknown, see
     * {@link #withChat}), so that neither {@code run} nor {@code release} is kept from restoring anyone's DND.
     */
    synchronized void open() {
        try {
            StarfaceBridge.Version v = bridge.version();
            LOG.info("STARFACE bridge '{}' answers: bridge {}, protocol {}, PBX {}", bridge.instance(), v.bridgeVersion(),
                    v.protocol(), v.pbxVersion());
        } catch (TeamsConnectException e) {
            LOG.warn("The STARFACE bridge does not answer: {}. DND goes on without it; chat status, BLF keys and PBX"
                    + " calls wait for it", e.getMessage());
        }
        if (poller == null) {
            ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "starface-bridge-events");
                t.setDaemon(true);
                return t;
            });
            p.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            poller = p;
            poller.schedule(this::pollAndReschedule, 0, TimeUnit.MILLISECONDS);
        }
    }

    /** What {@code check} says about the bridge: that it answers, and its version; or why not, with the fix. */
    List<CheckNote> checkNotes() {
        try {
            StarfaceBridge.Version v = bridge.version();
            return List.of(new CheckNote(CheckNote.Level.INFO, "STARFACE bridge '" + bridge.instance() + "' answers: bridge "
                    + v.bridgeVersion() + ", protocol " + v.protocol() + ", PBX " + v.pbxVersion()
                    + " (chat status, BLF keys, call state and DND events; experimental)"));
        } catch (TeamsConnectException e) {
            return List.of(new CheckNote(CheckNote.Level.PROBLEM, "the STARFACE bridge does not answer: " + e.getMessage()
                    + "\nchat status, BLF keys and call state need it; see docs/starface-bridge.md, Troubleshooting"));
        }
    }

    void onDndChanged(Consumer<Set<String>> listener) {
        dndListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** The users on a PBX call as the bridge last said, by PBX user id. */
    Set<String> usersOnCall() {
        Set<Integer> now = onCall;
        Set<String> out = new HashSet<>(now.size() * 2);
        now.forEach(id -> out.add(Integer.toString(id)));
        return out;
    }

    // ---- chat status ----

    /** Adds each user's chat text to the DND read from REST; users the bridge cannot read go into {@code failures}. */
    Map<String, PbxState> withChat(Map<String, PbxState> dnd, Map<String, TeamsConnectException> failures) {
        Map<Integer, String> byAccount = new HashMap<>();
        for (Map.Entry<String, PbxState> e : dnd.entrySet()) {
            try {
                byAccount.put(account(e.getKey(), "user " + e.getKey()), e.getKey());
            } catch (UnknownUserException x) {
                failures.put(e.getKey(), x);
            }
        }
        Map<String, PbxState> out = new HashMap<>();
        if (byAccount.isEmpty()) {
            return out;
        }
        Map<Integer, ChatState> chats;
        try {
            chats = bridge.chatStates(byAccount.keySet());
            if (chatOutage) {
                chatOutage = false;
                LOG.info("STARFACE bridge '{}' reads chat statuses again", bridge.instance());
            }
        } catch (TeamsConnectException e) {
            // the DND sync goes on; the chat status is unknown meanwhile, so the engine writes no chat text and keeps
            // what it remembers of each user's own
            if (!chatOutage) {
                chatOutage = true;
                LOG.warn("Reading chat statuses through the STARFACE bridge failed ({}); DND goes on, chat statuses wait"
                        + " until the bridge answers again", e.getMessage());
            }
            dnd.forEach((id, read) -> out.put(id, PbxState.chatUnknown(read.dnd())));
            return out;
        }
        for (Map.Entry<Integer, String> e : byAccount.entrySet()) {
            ChatState chat = chats.get(e.getKey());
            if (chat == null) {
                failures.put(e.getValue(), new UnknownUserException(e.getValue(), "the STARFACE bridge does not know"
                        + " account " + e.getKey() + " (deleted since the user listing?)"));
            } else {
                out.put(e.getValue(), dnd.get(e.getValue()).withChatStatus(text(chat)));
            }
        }
        return out;
    }

    /** Writes the chat text of {@code change} if it differs from what the engine read, and the BLF state. */
    void apply(PbxChange change) {
        int account = account(change.user());
        String wanted = change.to().chatStatus();
        if (change.to().chatKnown() && (!change.from().chatKnown() || !Objects.equals(wanted, change.from().chatStatus()))) {
            ChatState now = bridge.setChatState(account, null, wanted == null ? "" : wanted);
            LOG.debug("Chat status of {} set to \"{}\"", change.user().label(), now.text());
        }
        blf(account, change);
    }

    private void blf(int account, PbxChange change) {
        boolean call = change.category() == PresenceCategory.IN_A_CALL
                && (change.to().dnd() || change.to().chatStatus() != null);
        String state;
        if (call) {
            if (published.contains(account)) {
                return;
            }
            state = CALL_STATE;
        } else {
            boolean wasHeld = published.contains(account) || (change.from().dnd() && !change.to().dnd());
            if (!wasHeld || onCall.contains(account)) {
                published.remove(account);
                return;
            }
            state = NO_CALL_STATE;
        }
        try {
            bridge.setTelephonyState(account, state);
            if (call) {
                published.add(account);
            } else {
                published.remove(account);
            }
        } catch (TeamsConnectException e) {
            LOG.warn("Could not show {} on the BLF keys of {} through the STARFACE bridge: {}", state,
                    change.user().label(), e.getMessage());
        }
    }

    /** Notes a DND the sink wrote over REST: the bridge's DND event for it is the sink's own, not a hint. */
    void wroteDnd(PbxUser user, boolean dnd) {
        ownWrites.put(account(user), new long[] {dnd ? 1 : 0, System.nanoTime()});
    }

    private boolean own(BridgeEvent ev) {
        long[] w = ownWrites.get(ev.accountId());
        if (w == null) {
            return false;
        }
        boolean fresh = System.nanoTime() - w[1] < OWN_WRITE_NANOS;
        if (!fresh || (w[0] == 1) == ev.active()) {
            ownWrites.remove(ev.accountId(), w);
        }
        return fresh && (w[0] == 1) == ev.active();
    }

    private static int account(PbxUser user) {
        return account(user.id(), user.label());
    }

    private static int account(String userId, String label) {
        if (!userId.matches("\\d{1,10}")) {
            throw new UnknownUserException(userId, "STARFACE account ids are numbers, but " + label + " has id \""
                    + userId + "\"");
        }
        long id = Long.parseLong(userId);
        if (id < 1 || id > Integer.MAX_VALUE) {
            throw new UnknownUserException(userId, "STARFACE account id " + userId + " of " + label + " is out of range");
        }
        return (int) id;
    }

    private static String text(ChatState s) {
        return s == null || s.text().isEmpty() ? null : s.text();
    }

    // ---- events ----

    private void pollAndReschedule() {
        Duration next = eventInterval;
        try {
            pollOnce(failures > 0);
            failures = 0;
        } catch (RuntimeException e) {
            if (poller == null) {
                return; // closed while reading: the read was cut short, nothing to report
            }
            failures++;
            next = backoff.delay(failures, random);
            if (failures == 1) {
                LOG.warn("Reading the STARFACE bridge's events failed ({}); retrying with backoff, PBX calls as last"
                        + " known meanwhile", e.getMessage());
            } else {
                LOG.debug("Reading the STARFACE bridge's events failed again ({}): {}", failures, e.getMessage());
            }
        }
        ScheduledExecutorService p = poller;
        if (p != null && !p.isShutdown()) {
            try {
                p.schedule(this::pollAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed meanwhile
            }
        }
    }

    /**
     * Reads the events once (up to a few pages). After an outage (reads failed before) every user is hinted: DND
     * pressed meanwhile may be beyond what the bridge kept, and nothing else looks for it.
     */
    void pollOnce(boolean afterOutage) {
        for (int page = 0; page < PAGES_PER_POLL; page++) {
            StarfaceBridge.Events e = bridge.events(bridgeId, since);
            boolean first = bridgeId == null;
            bridgeId = e.bridgeId();
            since = e.next();
            onCall = e.onCall();
            Set<String> changed = new HashSet<>();
            if ((e.lost() && !first) || (afterOutage && page == 0)) {
                LOG.info("STARFACE bridge '{}' {}: every user's DND is read again", bridge.instance(), afterOutage
                        ? "answers events again after an outage" : "lost events (its buffer overflowed, or it restarted)");
                changed.addAll(allUserIds.get());
            }
            for (BridgeEvent ev : e.events()) {
                if (ev.type() == BridgeEvent.Type.DND && !own(ev)) {
                    changed.add(Integer.toString(ev.accountId()));
                }
            }
            if (!changed.isEmpty()) {
                Set<String> hint = Set.copyOf(changed);
                for (Consumer<Set<String>> l : dndListeners) {
                    l.accept(hint);
                }
            }
            if (e.events().size() < dev.teamsconnect.starface.bridge.BridgeProtocol.MAX_EVENTS_PER_CALL) {
                return;
            }
        }
    }

    /** Stops reading events; bounded (the thread is a daemon and the current read has the client's deadline). */
    synchronized void close() {
        ScheduledExecutorService p = poller;
        poller = null;
        if (p != null) {
            p.shutdownNow();
            try {
                p.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    Collection<Integer> publishedForTests() {
        return new ArrayList<>(published);
    }
}
