package dev.teamsconnect.starface.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class EventBufferTest {

    @Test
    void eventsComeInOrderAndAReaderContinuesWhereItStopped() {
        EventBuffer b = new EventBuffer(10, "run-1");
        b.dnd(1, true);
        b.call(2, true);
        EventBuffer.Page first = b.since(null, 0, 10);
        assertThat(first.lost()).isFalse();
        assertThat(first.events()).extracting(BridgeEvent::seq).containsExactly(1L, 2L);
        assertThat(first.events().get(0)).isEqualTo(new BridgeEvent(1, BridgeEvent.Type.DND, 1, true));
        assertThat(first.next()).isEqualTo(2);
        assertThat(first.onCall()).containsExactly(2);
        b.call(2, false);
        EventBuffer.Page second = b.since(first.bridgeId(), first.next(), 10);
        assertThat(second.events()).containsExactly(new BridgeEvent(3, BridgeEvent.Type.CALL, 2, false));
        assertThat(second.onCall()).isEmpty();
        EventBuffer.Page nothing = b.since("run-1", second.next(), 10);
        assertThat(nothing.events()).isEmpty();
        assertThat(nothing.next()).isEqualTo(3);
        assertThat(nothing.lost()).isFalse();
    }

    @Test
    void theSameCallLevelTwiceIsNotAnEvent() {
        EventBuffer b = new EventBuffer(10, "run-1");
        b.call(5, true);
        b.call(5, true);
        b.call(6, false);
        assertThat(b.since(null, 0, 10).events()).hasSize(1);
    }

    @Test
    void aReaderTooFarBehindIsToldEventsWereLostButStillGetsTheCallsNow() {
        EventBuffer b = new EventBuffer(3, "run-1");
        b.call(1, true);
        for (int i = 0; i < 5; i++) {
            b.dnd(9, i % 2 == 0);
        }
        EventBuffer.Page p = b.since("run-1", 1, 10);
        assertThat(p.lost()).isTrue();
        assertThat(p.events()).extracting(BridgeEvent::seq).containsExactly(4L, 5L, 6L);
        assertThat(p.onCall()).containsExactly(1);
        assertThat(b.since("run-1", p.next(), 10).lost()).isFalse();
    }

    @Test
    void aReaderOfAnotherRunOrAheadOfThisOneStartsAgainAndIsTold() {
        EventBuffer b = new EventBuffer(10, "run-2");
        b.dnd(1, true);
        EventBuffer.Page other = b.since("run-1", 1, 10);
        assertThat(other.lost()).isTrue();
        assertThat(other.events()).hasSize(1);
        assertThat(other.bridgeId()).isEqualTo("run-2");
        EventBuffer.Page ahead = b.since(null, 50, 10);
        assertThat(ahead.lost()).isTrue();
        assertThat(ahead.next()).isEqualTo(1);
    }

    @Test
    void pagesAreBoundedByMax() {
        EventBuffer b = new EventBuffer(100, "run-1");
        for (int i = 1; i <= 7; i++) {
            b.dnd(i, true);
        }
        EventBuffer.Page p = b.since(null, 0, 3);
        assertThat(p.events()).extracting(BridgeEvent::accountId).containsExactly(1, 2, 3);
        assertThat(b.since(null, p.next(), 3).events()).extracting(BridgeEvent::accountId).containsExactly(4, 5, 6);
        assertThatThrownBy(() -> b.since(null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.since(null, -1, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventBuffer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listenersOnManyThreadsLoseNoSequenceNumber() throws Exception {
        EventBuffer b = new EventBuffer(100_000, "run-1");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> f = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * 1000;
                f.add(pool.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        b.dnd(base + i, true);
                    }
                }));
            }
            for (Future<?> x : f) {
                x.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<BridgeEvent> all = new ArrayList<>();
        long next = 0;
        EventBuffer.Page p;
        do {
            p = b.since("run-1", next, 1000);
            all.addAll(p.events());
            next = p.next();
        } while (!p.events().isEmpty());
        assertThat(all).hasSize(4000);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).seq()).isEqualTo(i + 1L);
        }
    }
}
