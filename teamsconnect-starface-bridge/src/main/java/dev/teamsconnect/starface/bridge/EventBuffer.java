package dev.teamsconnect.starface.bridge;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The bridge's bounded memory of events, read by sequence number. It keeps the latest {@code capacity} events; a
 * reader whose {@code since} is older than the oldest kept is told that events were {@code lost}. Next to the edges
 * it keeps the level: the accounts on a call now, so a reader that lost events still knows who is on a call.
 * Thread-safe: the PBX's listeners add, entry points read.
 */
public final class EventBuffer {

    /** One answer to {@link #since}. */
    public record Page(String bridgeId, long next, boolean lost, List<BridgeEvent> events, Set<Integer> onCall) {
    }

    private final int capacity;
    private final String bridgeId;
    private final ArrayDeque<BridgeEvent> events;
    private final Set<Integer> onCall = new HashSet<>();
    private long lastSeq;

    /** @param capacity how many events are kept, at least 1 */
    public EventBuffer(int capacity) {
        this(capacity, UUID.randomUUID().toString());
    }

    EventBuffer(int capacity, String bridgeId) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.bridgeId = bridgeId;
        this.events = new ArrayDeque<>(Math.min(capacity, 4096));
    }

    /** This run's id: a reader that sees another one starts again from 0. */
    public String bridgeId() {
        return bridgeId;
    }

    /** Records that the user's call began ({@code onCall}) or ended; a repeat of the current level is not an event. */
    public synchronized void call(int accountId, boolean active) {
        boolean changed = active ? onCall.add(accountId) : onCall.remove(accountId);
        if (changed) {
            add(BridgeEvent.Type.CALL, accountId, active);
        }
    }

    /** Records a change of the user's DND. */
    public synchronized void dnd(int accountId, boolean on) {
        add(BridgeEvent.Type.DND, accountId, on);
    }

    private void add(BridgeEvent.Type type, int accountId, boolean active) {
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(new BridgeEvent(++lastSeq, type, accountId, active));
    }

    /**
     * The events after {@code since}, at most {@code max}; {@code next} is what to pass next time.
     *
     * @param readerBridgeId the {@code bridgeId} of the reader's previous answer, or null at first
     * @param since          the {@code next} of the reader's previous answer, or 0 at first
     * @return a page that is {@code lost} when the reader's position is of another bridge run (the bridge restarted,
     *         or {@code since} is ahead of this run) or events after it were already dropped: the reader then
     *         treats every user as changed
     */
    public synchronized Page since(String readerBridgeId, long since, int max) {
        if (since < 0) {
            throw new IllegalArgumentException("since must not be negative, was " + since);
        }
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        boolean otherRun = (readerBridgeId != null && !readerBridgeId.equals(bridgeId)) || since > lastSeq;
        long from = otherRun ? 0 : since;
        long oldest = events.isEmpty() ? lastSeq + 1 : events.peekFirst().seq();
        boolean lost = otherRun || from + 1 < oldest;
        List<BridgeEvent> page = new ArrayList<>(Math.min(max, events.size()));
        for (BridgeEvent e : events) {
            if (e.seq() <= from) {
                continue;
            }
            if (page.size() == max) {
                break;
            }
            page.add(e);
        }
        long next = page.isEmpty() ? lastSeq : page.get(page.size() - 1).seq();
        return new Page(bridgeId, next, lost, List.copyOf(page), Set.copyOf(onCall));
    }
}
