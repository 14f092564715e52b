package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineSnapshot;
import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.output.OutputDispatcher;
import dev.teamsconnect.core.output.OutputSettings;
import dev.teamsconnect.core.output.OutputStats;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.OutputStatus;
import dev.teamsconnect.core.spi.StatusOutput;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tests every {@link StatusOutput} must pass. A plugin's test class extends this kit and implements the hooks
 * against a real receiver (a local HTTP server, an embedded broker), reading what arrived from the receiver's side,
 * not from the output:
 *
 * <pre>{@code
 * class WebhookStatusOutputCompatibilityTest extends StatusOutputCompatibilityKit {
 *     private WebhookReceiver receiver;
 *
 *     @Override
 *     protected StatusOutput createOutput() {              // not opened: the kit calls open()
 *         receiver = WebhookReceiver.start(SECRET);
 *         return new WebhookOutputProvider().create(new ProviderConfig("outputs[0]",
 *                 Map.of("url", receiver.url().toString(), "secret", SECRET)));
 *     }
 *
 *     @Override
 *     protected Optional<OutputStatus> received(String pbxUserId) {
 *         return receiver.latest(pbxUserId);                // decoded from what the receiver got
 *     }
 * }
 * }</pre>
 *
 * <p>What the kit checks: every field of {@link OutputStatus} arrives (unknown values as unknown), a later status
 * replaces an earlier one, the same status twice is harmless (level-triggered), {@code remove} takes a user away,
 * open and close are idempotent, a receiver that is down makes {@code publish} fail with a
 * {@link TeamsConnectException} (not any other exception) and the output works again when it is back, and the
 * output works under the host ({@link OutputDispatcher}). Receivers may take a moment: {@link #received} is asked
 * again until {@link #receiveTimeout()} passes (a deadline, not a timing assertion).
 */
public abstract class StatusOutputCompatibilityKit {

    /** When the statuses of the kit were taken. */
    protected static final Instant AT = Instant.parse("2026-01-05T09:00:00Z");

    private StatusOutput output;

    /** A new output against a fresh receiver, not opened. Called once per test. */
    protected abstract StatusOutput createOutput();

    /**
     * What the receiver holds for this user now, decoded back into an {@link OutputStatus} ({@code at} may differ), or
     * empty when it holds nothing for them (never published, or removed).
     */
    protected abstract Optional<OutputStatus> received(String pbxUserId);

    /** Whether the test can take the receiver down and bring it back ({@link #takeReceiverDown()}). */
    protected boolean canTakeReceiverDown() {
        return false;
    }

    /** Makes the receiver unreachable (stop the server or broker). */
    protected void takeReceiverDown() {
        throw new UnsupportedOperationException("takeReceiverDown");
    }

    /** Brings the receiver back, at the same address, with what it held before (a broker's retained messages). */
    protected void bringReceiverBack() {
        throw new UnsupportedOperationException("bringReceiverBack");
    }

    /** How long the kit waits for a status to arrive at the receiver. */
    protected Duration receiveTimeout() {
        return Duration.ofSeconds(10);
    }

    protected final StatusOutput output() {
        if (output == null) {
            output = createOutput();
            assertThat(output).as("createOutput()").isNotNull();
        }
        return output;
    }

    /** The output, opened. */
    protected final StatusOutput opened() {
        StatusOutput o = output();
        o.open();
        return o;
    }

    @AfterEach
    public final void closeOutputAfterTest() {
        if (output != null) {
            output.close();
        }
    }

    // ---- statuses

    protected static OutputStatus inACall(String id) {
        return new OutputStatus(id, "User " + id + " (10" + id + ")", "teams-" + id, "Busy", "InACall",
                PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD, "Teams Busy/InACall -> DND on", AT);
    }

    protected static OutputStatus available(String id) {
        return new OutputStatus(id, "User " + id + " (10" + id + ")", "teams-" + id, "Available", "Available",
                PresenceCategory.AVAILABLE, null, false, null, "hold released", AT.plusSeconds(60));
    }

    protected static OutputStatus manual(String id) {
        return new OutputStatus(id, "User " + id + " (10" + id + ")", "teams-" + id, "Busy", "InAMeeting",
                PresenceCategory.BUSY, true, false, Hold.Kind.MANUAL, "manual DND kept", AT.plusSeconds(90));
    }

    /** A user the engine knows little about yet. */
    protected static OutputStatus unknown(String id) {
        return new OutputStatus(id, "User " + id, null, null, null, null, null, null, null, null, AT);
    }

    // ---- tests

    @Test
    @DisplayName("id() is non-blank lower case")
    public void idIsNonBlankLowerCase() {
        String id = output().id();
        assertThat(id).isNotBlank().isEqualTo(id.toLowerCase(Locale.ROOT));
    }

    @Test
    @DisplayName("a published status arrives with every field")
    public void publishedStatusArrivesWithEveryField() {
        opened().publish(List.of(inACall("1"), manual("2")));
        assertArrives(inACall("1"));
        assertArrives(manual("2"));
    }

    @Test
    @DisplayName("unknown values arrive as unknown")
    public void unknownValuesArriveAsUnknown() {
        opened().publish(List.of(unknown("1")));
        assertArrives(unknown("1"));
    }

    @Test
    @DisplayName("a later status replaces the earlier one")
    public void laterStatusReplacesTheEarlierOne() {
        StatusOutput o = opened();
        o.publish(List.of(inACall("1")));
        assertArrives(inACall("1"));
        o.publish(List.of(available("1")));
        assertArrives(available("1"));
    }

    @Test
    @DisplayName("the same status twice is harmless (re-publish)")
    public void theSameStatusTwiceIsHarmless() {
        StatusOutput o = opened();
        o.publish(List.of(inACall("1")));
        o.publish(List.of(inACall("1")));
        assertArrives(inACall("1"));
    }

    @Test
    @DisplayName("publishing one user leaves the others alone")
    public void publishingOneUserLeavesTheOthersAlone() {
        StatusOutput o = opened();
        o.publish(List.of(inACall("1"), inACall("2")));
        assertArrives(inACall("2"));
        o.publish(List.of(available("1")));
        assertArrives(available("1"));
        assertThat(received("2")).as("user 2").hasValueSatisfying(s -> assertThat(s.sameAs(inACall("2")))
                .as("user 2 still in a call: " + s).isTrue());
    }

    @Test
    @DisplayName("non-ASCII names and reasons survive")
    public void nonAsciiTextSurvives() {
        OutputStatus s = new OutputStatus("7", "Jürgen Groß \"JG\" (1007)", "teams-7", "Busy", "InACall",
                PresenceCategory.IN_A_CALL, true, true, Hold.Kind.HELD, "Besprechung – bitte nicht stören 📞", AT);
        opened().publish(List.of(s));
        assertArrives(s);
    }

    @Test
    @DisplayName("remove takes a user away and leaves the others")
    public void removeTakesAUserAway() {
        StatusOutput o = opened();
        o.publish(List.of(inACall("1"), inACall("2")));
        assertArrives(inACall("1"));
        assertArrives(inACall("2"));
        o.remove(List.of("1"));
        assertThat(eventually(() -> received("1").isEmpty())).as("user 1 removed at the receiver").isTrue();
        assertThat(received("2")).as("user 2 kept").isPresent();
    }

    @Test
    @DisplayName("empty calls and removing an unknown user are harmless")
    public void emptyCallsAndUnknownRemovalsAreHarmless() {
        StatusOutput o = opened();
        assertThatCode(() -> {
            o.publish(List.of());
            o.remove(List.of());
            o.remove(List.of("never-published"));
        }).doesNotThrowAnyException();
        o.publish(List.of(inACall("1")));
        assertArrives(inACall("1"));
    }

    @Test
    @DisplayName("open twice and close twice are harmless")
    public void openAndCloseAreIdempotent() {
        StatusOutput o = opened();
        assertThatCode(o::open).doesNotThrowAnyException();
        o.publish(List.of(inACall("1")));
        assertArrives(inACall("1"));
        assertThatCode(() -> {
            o.close();
            o.close();
        }).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("a receiver that is down fails with a TeamsConnectException, and delivery works when it is back")
    public void receiverDownFailsCleanlyAndRecovers() {
        assumeTrue(canTakeReceiverDown(), "the test cannot take its receiver down");
        StatusOutput o = opened();
        o.publish(List.of(inACall("1")));
        assertArrives(inACall("1"));
        takeReceiverDown();
        assertThatThrownBy(() -> o.publish(List.of(available("1")))).isInstanceOf(TeamsConnectException.class);
        bringReceiverBack();
        // the host calls open() again after a failure, then delivers the latest status
        boolean delivered = eventually(() -> {
            try {
                o.open();
                o.publish(List.of(available("1")));
                return received("1").map(r -> r.sameAs(available("1"))).orElse(false);
            } catch (TeamsConnectException e) {
                return false;
            }
        });
        assertThat(delivered).as("delivered after the receiver came back").isTrue();
    }

    @Test
    @DisplayName("works under the host: snapshots in, statuses out, users who left removed")
    public void worksUnderTheDispatcher() {
        OutputDispatcher host = OutputDispatcher.builder().clock(new ManualClock(AT))
                .output(output(), OutputSettings.defaults()).build();
        try {
            host.offer(snapshot(user("1", "Busy/InACall", PresenceCategory.IN_A_CALL, true),
                    user("2", "Available/Available", PresenceCategory.AVAILABLE, null)));
            host.deliverDue();
            assertThat(eventually(() -> received("1").map(s -> "InACall".equals(s.activity()) && Boolean.TRUE.equals(s.wantedDnd()))
                    .orElse(false))).as("user 1 in a call at the receiver").isTrue();
            assertThat(eventually(() -> received("2").isPresent())).as("user 2 at the receiver").isTrue();
            host.offer(snapshot(user("1", "Busy/InACall", PresenceCategory.IN_A_CALL, true)));
            host.deliverDue();
            assertThat(eventually(() -> received("2").isEmpty())).as("user 2, out of scope, removed").isTrue();
            OutputStats stats = host.stats().get(0);
            assertThat(stats.failed()).as("failed calls: " + stats.lastError()).isZero();
            assertThat(stats.delivered()).isEqualTo(2);
            assertThat(stats.removed()).isEqualTo(1);
        } finally {
            host.close();
            output = null; // the host closed it
        }
    }

    // ---- helpers

    /** Waits until the receiver holds a status that is {@link OutputStatus#sameAs} {@code expected}. */
    protected final void assertArrives(OutputStatus expected) {
        boolean arrived = eventually(() -> received(expected.pbxUserId()).map(expected::sameAs).orElse(false));
        assertThat(arrived).as("the receiver holds " + expected + "; it holds " + received(expected.pbxUserId()))
                .isTrue();
    }

    /** Asks {@code condition} until it holds or {@link #receiveTimeout()} passed. */
    protected final boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + receiveTimeout().toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static EngineSnapshot snapshot(EngineSnapshot.UserStatus... users) {
        CycleReport cycle = new CycleReport(1, AT, Duration.ZERO, users.length, users.length, users.length,
                users.length, 0, 0, 0, 0, 0, true, List.of());
        return new EngineSnapshot(AT, new EngineSnapshot.Stats(1, 0, AT, AT, 0, Map.of(), 0, users.length, cycle,
                EngineSnapshot.SecondSync.NONE, EngineSnapshot.Sessions.NONE), List.of(users));
    }

    private static EngineSnapshot.UserStatus user(String id, String presence, PresenceCategory category, Boolean dnd) {
        Hold hold = Boolean.TRUE.equals(dnd) ? new Hold(id, Hold.Kind.HELD, false, true, null, null, true, AT) : null;
        return new EngineSnapshot.UserStatus(id, "User " + id, "teams-" + id, "Teams " + id, presence, category, dnd,
                dnd, null, hold, null, "reason " + id, AT, null);
    }
}
