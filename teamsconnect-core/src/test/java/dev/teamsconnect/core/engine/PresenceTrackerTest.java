package dev.teamsconnect.core.engine;

import static dev.teamsconnect.core.engine.PresenceTracker.Note.Kind.CLASSIFIER_FAILED;
import static dev.teamsconnect.core.engine.PresenceTracker.Note.Kind.FAIL_OPEN_STARTED;
import static dev.teamsconnect.core.engine.PresenceTracker.Note.Kind.POLICY_FAILED;
import static dev.teamsconnect.core.engine.PresenceTracker.Note.Kind.READABLE_AGAIN;
import static dev.teamsconnect.core.engine.PresenceTracker.Note.Kind.SKIPPING_STARTED;
import static dev.teamsconnect.core.engine.PresenceTracker.Note.Kind.STALE_DROPPED;
import static dev.teamsconnect.core.engine.PresenceTracker.Outcome.FAILED_OPEN;
import static dev.teamsconnect.core.engine.PresenceTracker.Outcome.IDLE;
import static dev.teamsconnect.core.engine.PresenceTracker.Outcome.RECHECK_LATER;
import static dev.teamsconnect.core.engine.PresenceTracker.Outcome.RECONCILE;
import static dev.teamsconnect.core.engine.PresenceTracker.Outcome.SKIPPED;
import static dev.teamsconnect.core.engine.Want.ON;
import static dev.teamsconnect.core.engine.Want.USERS_OWN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.mapping.PresenceClassifier;
import dev.teamsconnect.core.mapping.StatusPolicy;
import dev.teamsconnect.core.mapping.TeamsStatusClassifier;
import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.Hold;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-user timers, one row per rule: each row feeds readings at given seconds through one track and checks the
 * last step (outcome, wanted DND, a piece of the reason) and the notes of all steps.
 */
class PresenceTrackerTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");
    private static final MappedUser USER = new MappedUser(new TeamsUser("t1", "ann@example.com", "ann@example.com",
            "Ann", true), new PbxUser("p1", "ann", "ann@example.com", "Ann"), "mail");
    private static final Set<Capability> DND = EnumSet.of(Capability.DND);
    private static final Hold HELD = new Hold("p1", Hold.Kind.HELD, false, true, null, null, true, T0);
    private static final Hold HELD_UNCONFIRMED = new Hold("p1", Hold.Kind.HELD, false, true, null, null, false, T0);
    private static final Hold MANUAL = new Hold("p1", Hold.Kind.MANUAL, true, true, null, null, true, T0);

    /** A reading at {@code at} seconds after T0; {@code presence} null = none returned. */
    record Reading(long at, TeamsPresence presence) {
    }

    record Row(String name, Duration debounce, Duration grace, Duration failOpen, Hold hold, Set<Capability> caps,
               PresenceTracker.Settled settled, PresenceClassifier classifier, StatusPolicy policy,
               List<Reading> readings, PresenceTracker.Outcome outcome, Want want, String reasonPart,
               List<PresenceTracker.Note.Kind> notes) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static TeamsPresence call(long at) {
        return TeamsPresence.of("t1", Availability.BUSY, Activity.IN_A_CALL, T0.plusSeconds(at));
    }

    private static TeamsPresence free(long at) {
        return TeamsPresence.of("t1", Availability.AVAILABLE, Activity.AVAILABLE, T0.plusSeconds(at));
    }

    private static TeamsPresence withSequence(TeamsPresence p, String sequence) {
        return new TeamsPresence(p.userId(), p.availability(), null, p.activity(), null, null, false, sequence,
                p.observedAt());
    }

    private static Reading at(long seconds, TeamsPresence p) {
        return new Reading(seconds, p);
    }

    private static final class RowBuilder {
        private final String name;
        private Duration debounce = Duration.ZERO;
        private Duration grace = Duration.ZERO;
        private Duration failOpen = Duration.ZERO;
        private Hold hold;
        private Set<Capability> caps = DND;
        private PresenceTracker.Settled settled = PresenceTracker.Settled.NO;
        private PresenceClassifier classifier = TeamsStatusClassifier.INSTANCE;
        private StatusPolicy policy = ConfigurableStatusPolicy.defaults();
        private final List<Reading> readings = new ArrayList<>();

        RowBuilder(String name) {
            this.name = name;
        }

        RowBuilder debounce(long s) {
            debounce = Duration.ofSeconds(s);
            return this;
        }

        RowBuilder grace(long s) {
            grace = Duration.ofSeconds(s);
            return this;
        }

        RowBuilder failOpen(long s) {
            failOpen = Duration.ofSeconds(s);
            return this;
        }

        RowBuilder hold(Hold h) {
            hold = h;
            return this;
        }

        RowBuilder caps(Set<Capability> c) {
            caps = c;
            return this;
        }

        RowBuilder settled(boolean s, long dueAt) {
            settled = new PresenceTracker.Settled(s, T0.plusSeconds(dueAt));
            return this;
        }

        RowBuilder classifier(PresenceClassifier c) {
            classifier = c;
            return this;
        }

        RowBuilder policy(StatusPolicy p) {
            policy = p;
            return this;
        }

        RowBuilder read(Reading... r) {
            readings.addAll(List.of(r));
            return this;
        }

        Row expect(PresenceTracker.Outcome outcome, Want want, String reasonPart, PresenceTracker.Note.Kind... notes) {
            return new Row(name, debounce, grace, failOpen, hold, caps, settled, classifier, policy,
                    List.copyOf(readings), outcome, want, reasonPart, List.of(notes));
        }
    }

    private static RowBuilder row(String name) {
        return new RowBuilder(name);
    }

    static Stream<Row> rows() {
        return Stream.of(
                row("a call wants DND").read(at(0, call(0))).expect(RECONCILE, ON, "InACall"),
                row("available, nothing held: idle, the PBX is not read").read(at(0, free(0)))
                        .expect(IDLE, USERS_OWN, null),
                row("available with a hold: the hold is given back").hold(HELD).read(at(0, free(0)))
                        .expect(RECONCILE, USERS_OWN, null),
                row("debounce: a new category waits").debounce(10).hold(HELD)
                        .read(at(0, call(0)), at(5, free(5))).expect(RECONCILE, ON, "InACall"),
                row("debounce: a new category counts once it lasted").debounce(10).hold(HELD)
                        .read(at(0, call(0)), at(5, free(5)), at(15, free(15))).expect(RECONCILE, USERS_OWN, null),
                row("debounce: a flicker back resets nothing").debounce(10)
                        .read(at(0, call(0)), at(5, free(5)), at(6, call(6))).expect(RECONCILE, ON, "InACall"),
                row("grace: DND kept after the call").grace(30).hold(HELD)
                        .read(at(0, call(0)), at(5, free(5))).expect(RECONCILE, ON, "grace period 30 s after"),
                row("grace: over after its time").grace(30).hold(HELD)
                        .read(at(0, call(0)), at(5, free(5)), at(40, free(40))).expect(RECONCILE, USERS_OWN, null),
                row("no presence returned: skipped, noted once").read(at(0, null), at(1, null))
                        .expect(SKIPPED, USERS_OWN, "no presence returned", SKIPPING_STARTED),
                row("PresenceUnknown: skipped")
                        .read(at(0, TeamsPresence.of("t1", Availability.PRESENCE_UNKNOWN, Activity.PRESENCE_UNKNOWN,
                                T0))).expect(SKIPPED, USERS_OWN, "is UNKNOWN", SKIPPING_STARTED),
                row("fail open after failOpenAfter").failOpen(60).hold(HELD).read(at(0, call(0)), at(61, null))
                        .expect(FAILED_OPEN, USERS_OWN, "fail open", FAIL_OPEN_STARTED),
                row("unreadable before failOpenAfter: skipped, DND unchanged").failOpen(60).hold(HELD)
                        .read(at(0, call(0)), at(59, null)).expect(SKIPPED, ON, "no presence", SKIPPING_STARTED),
                row("readable again after a fail open").failOpen(60).hold(HELD)
                        .read(at(0, call(0)), at(61, null), at(62, call(62)))
                        .expect(RECONCILE, ON, "InACall", FAIL_OPEN_STARTED, READABLE_AGAIN),
                row("stale presence dropped").read(at(0, withSequence(call(0), "2")), at(1, withSequence(free(1), "1")))
                        .expect(RECONCILE, ON, "InACall", STALE_DROPPED),
                row("manual hold after a restart kept for debounce and grace").debounce(10).grace(30).hold(MANUAL)
                        .read(at(0, free(0))).expect(RECONCILE, ON, "from before the restart"),
                row("manual hold after a restart ends after debounce and grace").debounce(10).grace(30).hold(MANUAL)
                        .read(at(0, free(0)), at(41, free(41))).expect(RECONCILE, USERS_OWN, null),
                row("manual hold, sink without DND: not resumed").hold(MANUAL).caps(EnumSet.of(Capability.CHAT_STATUS))
                        .read(at(0, free(0))).expect(RECONCILE, USERS_OWN, null),
                row("sink without DND: a call wants nothing").caps(EnumSet.noneOf(Capability.class))
                        .read(at(0, call(0))).expect(IDLE, USERS_OWN, null),
                row("settled and unchanged: waits for its recheck").settled(true, 60)
                        .read(at(0, call(0)), at(2, call(2))).expect(RECHECK_LATER, ON, null),
                row("settled with a chat text wanted: waits for its recheck too").settled(true, 60)
                        .caps(EnumSet.of(Capability.DND, Capability.CHAT_STATUS))
                        .read(at(0, call(0)), at(2, call(2))).expect(RECHECK_LATER, ON, null),
                row("settled and unchanged, recheck due: read again").settled(true, 60)
                        .read(at(0, call(0)), at(61, call(61))).expect(RECONCILE, ON, null),
                row("settled but the hold is unconfirmed: read again").settled(true, 60).hold(HELD_UNCONFIRMED)
                        .read(at(0, call(0)), at(2, call(2))).expect(RECONCILE, ON, null),
                row("not settled: read again").settled(false, 60)
                        .read(at(0, call(0)), at(2, call(2))).expect(RECONCILE, ON, null),
                row("classifier fails: skipped").classifier(p -> {
                    throw new IllegalStateException("boom");
                }).read(at(0, call(0))).expect(SKIPPED, USERS_OWN, "classifier failed", CLASSIFIER_FAILED,
                        SKIPPING_STARTED),
                row("policy fails: no change").policy((u, p, c) -> {
                    throw new IllegalStateException("boom");
                }).read(at(0, call(0))).expect(PresenceTracker.Outcome.POLICY_FAILED, USERS_OWN, null, POLICY_FAILED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void row(Row r) {
        EngineConfig config = EngineConfig.builder().debounce(r.debounce()).gracePeriod(r.grace())
                .failOpenAfter(r.failOpen()).build();
        PresenceTracker tracker = new PresenceTracker(r.classifier(), r.policy(), config);
        PresenceTracker.Track track = PresenceTracker.Track.initial(T0);
        PresenceTracker.Step step = null;
        List<PresenceTracker.Note.Kind> notes = new ArrayList<>();
        for (Reading reading : r.readings()) {
            step = tracker.next(track, USER, reading.presence(), null, r.hold(), r.settled(), r.caps(),
                    T0.plusSeconds(reading.at()));
            step.notes().forEach(n -> notes.add(n.kind()));
            track = step.track();
        }
        assertThat(step.outcome()).as("outcome").isEqualTo(r.outcome());
        assertThat(step.wantDnd()).as("wanted DND").isEqualTo(r.want());
        if (r.reasonPart() != null) {
            assertThat(step.reason()).as("reason").contains(r.reasonPart());
        }
        assertThat(notes).as("notes").containsExactlyElementsOf(r.notes());
    }
}
