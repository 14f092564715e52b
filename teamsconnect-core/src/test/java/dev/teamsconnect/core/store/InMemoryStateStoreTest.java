package dev.teamsconnect.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreTest {

    @Test
    void commitsUpsertsAndRemovals() {
        InMemoryStateStore store = new InMemoryStateStore();
        Hold a = new Hold("a", Hold.Kind.HELD, false, true, null, null, false, Instant.EPOCH);
        Hold b = new Hold("b", Hold.Kind.MANUAL, false, true, null, null, true, Instant.EPOCH);
        store.commit(List.of(a, b), List.of());
        store.commit(List.of(new Hold("a", Hold.Kind.HELD, false, true, null, null, true, Instant.EPOCH)), List.of("b"));
        assertThat(store.load()).containsOnlyKeys("a");
        assertThat(store.load().get("a").confirmed()).isTrue();
    }
}
