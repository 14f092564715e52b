package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.RetryPolicy;
import dev.teamsconnect.core.mapping.DesiredState;
import dev.teamsconnect.core.mapping.PresenceClassifier;
import dev.teamsconnect.core.mapping.StatusPolicy;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.StateStore;
import dev.teamsconnect.core.store.InMemoryStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Wiring shared by the engine tests: a small classifier and policy as lambdas, fakes, a hand-moved clock. */
final class EngineFixture {

    static final PresenceClassifier CLASSIFIER = p -> {
        if (p.activity() == Activity.IN_A_CALL || p.activity() == Activity.IN_A_CONFERENCE_CALL) {
            return PresenceCategory.IN_A_CALL;
        }
        return switch (p.availability()) {
            case BUSY, BUSY_IDLE -> PresenceCategory.BUSY;
            case DO_NOT_DISTURB -> PresenceCategory.DO_NOT_DISTURB;
            case AWAY, BE_RIGHT_BACK -> PresenceCategory.AWAY;
            case OFFLINE -> PresenceCategory.OFFLINE;
            case AVAILABLE, AVAILABLE_IDLE -> PresenceCategory.AVAILABLE;
            default -> PresenceCategory.UNKNOWN;
        };
    };

    static final StatusPolicy POLICY = (user, presence, category) -> switch (category) {
        case IN_A_CALL, BUSY, DO_NOT_DISTURB -> new DesiredState(true, null,
                "Teams " + presence.label() + " -> DND on (policy " + category.code() + ")");
        default -> DesiredState.userOwn("Teams " + presence.label() + " -> user's own DND");
    };

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));
    final FakePresenceSource source = new FakePresenceSource(clock);
    final FakePbxSink sink = new FakePbxSink();
    StateStore store = new InMemoryStateStore();
    final List<AuditEvent> events = new ArrayList<>();
    EngineConfig.Builder config = EngineConfig.builder().retry(RetryPolicy.none());

    EngineFixture user(String n, boolean dnd) {
        source.addUser("t" + n, "user" + n + "@corp.example");
        sink.addUser(n, "user" + n + "@corp.example", dnd);
        return this;
    }

    SyncEngine engine() {
        return SyncEngine.builder().source(source).sink(sink).store(store).classifier(CLASSIFIER).policy(POLICY)
                .config(config.build()).clock(clock).listener(events::add).sleeper(d -> { }).random(new Random(1))
                .writerExecutor(Runnable::run).build();
    }

    void call(String n) {
        source.set("t" + n, Availability.BUSY, Activity.IN_A_CALL);
    }

    void available(String n) {
        source.set("t" + n, Availability.AVAILABLE, Activity.AVAILABLE);
    }

    void away(String n) {
        source.set("t" + n, Availability.AWAY, Activity.AWAY);
    }

    void advance(Duration d) {
        clock.advance(d);
    }

    List<AuditEvent.Kind> kinds() {
        return events.stream().map(AuditEvent::kind).toList();
    }
}
