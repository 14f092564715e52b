package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.teamsconnect.core.error.TeamsConnectException;
import dev.teamsconnect.core.model.Capability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PbxChange;
import dev.teamsconnect.core.spi.PbxSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tests every {@link PbxSink} must pass. A plugin's test class extends this kit and implements the hooks
 * against its backend (an emulator, a local receiver, an in-memory fake):
 *
 * <pre>{@code
 * class StarfacePbxSinkCompatibilityTest extends PbxSinkCompatibilityKit {
 *     private StarfaceEmulator pbx;
 *
 *     @Override
 *     protected PbxSink createSink(List<SeedUser> users) {
 *         StarfaceEmulator.Builder emulator = StarfaceEmulator.builder().https()
 *                 .user("api", "api-password", "api@pbx.invalid", "API", "Account", false); // the sink's login
 *         for (SeedUser u : users) {
 *             String[] name = u.displayName().split(" ", 2); // first and last name
 *             emulator.user(u.login(), "pw-" + u.login(), u.email(), name[0], name.length > 1 ? name[1] : "", u.dnd());
 *         }
 *         pbx = emulator.start();
 *         return StarfacePbxSink.builder()                  // not opened: the kit calls open()
 *                 .baseUrl(pbx.baseUrl())
 *                 .loginId("api")
 *                 .password("api-password")
 *                 .trustCertificate(pbx.certificate().orElseThrow().certificate())
 *                 .build();
 *     }
 *
 *     @Override
 *     protected void setDndOutOfBand(PbxUser user, boolean dnd) {
 *         pbx.pressDndKey(Integer.parseInt(user.id()), dnd); // as if pressed on the phone
 *     }
 *
 *     @Override
 *     protected boolean backendDnd(PbxUser user) {
 *         return pbx.dnd(Integer.parseInt(user.id()));       // straight from the backend, not via the sink
 *     }
 *
 *     @AfterEach
 *     void stopEmulator() {
 *         pbx.close();
 *     }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #createSink} exactly once (with the users it needs), opens the sink, and closes it
 * after the test. Users are found again in {@link PbxSink#listUsers()} by e-mail (case-insensitive), so the
 * backend may assign its own ids. A sink that does not declare {@link Capability#CHAT_STATUS} skips the chat
 * status tests. Test names say the contract they check.
 */
public abstract class PbxSinkCompatibilityKit {

    /** A user the kit asks the backend to hold before a test. */
    public record SeedUser(String login, String email, String displayName, boolean dnd) {
    }

    /**
     * A new sink over a backend that holds exactly {@code users} (and nothing else). Called once per test;
     * the kit closes the sink after the test. The sink has not been opened yet.
     */
    protected abstract PbxSink createSink(List<SeedUser> users);

    /** Changes a user's DND on the backend as if the user pressed the key on the phone (not through the sink). */
    protected abstract void setDndOutOfBand(PbxUser user, boolean dnd);

    /** The backend's own DND value for the user, read without the sink. */
    protected abstract boolean backendDnd(PbxUser user);

    /**
     * Optional hook: a PBX user id the backend certainly does not have, used for the "unknown user" contracts.
     * The default is numeric (STARFACE ids are numbers) and large; override if that id could exist.
     */
    protected String unknownUserId() {
        return "987654321";
    }

    /** The users most tests start with: one without DND, one with DND, a third without (mixed-case e-mail). */
    protected static final List<SeedUser> STANDARD_USERS = List.of(
            new SeedUser("alice", "alice@example.com", "Alice Example", false),
            new SeedUser("bob", "bob@example.com", "Bob Example", true),
            new SeedUser("carol", "Carol.Example@Example.com", "Carol Example", false));

    private static final Instant AT = Instant.parse("2026-01-05T09:00:00Z");

    private PbxSink sink;
    private List<PbxUser> listed = List.of();

    // ---- helpers

    /** Creates the sink over {@code users} (the one {@link #createSink} call of this test), opens it, lists users. */
    protected final PbxSink start(List<SeedUser> users) {
        if (sink != null) {
            throw new IllegalStateException("start() may be called once per test");
        }
        sink = createSink(users);
        assertThat(sink).as("createSink() must return a sink").isNotNull();
        sink.open();
        listed = sink.listUsers();
        return sink;
    }

    /** The listed PBX user with the seed's e-mail (case-insensitive). */
    protected final PbxUser userFor(SeedUser seed) {
        List<PbxUser> matches = listed.stream()
                .filter(u -> u.email() != null && u.email().equalsIgnoreCase(seed.email()))
                .toList();
        assertThat(matches).as("listUsers() entries with e-mail %s", seed.email()).hasSize(1);
        return matches.get(0);
    }

    /** A PBX user the backend does not have. */
    protected final PbxUser ghost() {
        return new PbxUser(unknownUserId(), "ghost", "ghost@example.invalid", "Ghost");
    }

    /** A change from {@code from} to {@code to} for {@code user}. */
    protected static PbxChange change(PbxUser user, PbxState from, PbxState to) {
        return new PbxChange(user, from, to, null, null, "compatibility kit: " + from + " -> " + to, AT);
    }

    private PbxChange dndChange(PbxUser user, boolean dnd) {
        PbxState from = sink.readState(user);
        return change(user, from, from.withDnd(dnd));
    }

    private static List<SeedUser> manyUsers(int n) {
        List<SeedUser> users = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            users.add(new SeedUser("user" + i, "user" + i + "@example.com", "User " + i, i % 3 == 0));
        }
        return users;
    }

    @AfterEach
    public final void closeSinkAfterTest() {
        if (sink != null) {
            sink.close();
        }
    }

    // ---- identity and capabilities

    @Test
    @DisplayName("contract: id() is a non-blank, lower-case provider id and stable")
    public void idIsNonBlankLowerCase() {
        PbxSink s = start(STANDARD_USERS);
        assertThat(s.id()).isNotBlank().isEqualTo(s.id().toLowerCase(Locale.ROOT)).matches("[a-z0-9][a-z0-9._-]*");
        assertThat(s.id()).isEqualTo(s.id());
    }

    @Test
    @DisplayName("contract: capabilities() is non-empty and includes DND")
    public void declaresCapabilitiesIncludingDnd() {
        PbxSink s = start(STANDARD_USERS);
        assertThat(s.capabilities()).isNotEmpty().contains(Capability.DND);
    }

    // ---- listing and reading

    @Test
    @DisplayName("contract: listUsers() returns every seeded user once, with its e-mail and a unique id")
    public void listUsersReturnsEverySeededUserWithItsEmail() {
        start(STANDARD_USERS);
        Set<String> ids = new HashSet<>();
        for (PbxUser u : listed) {
            assertThat(ids.add(u.id())).as("PBX user id %s is listed twice", u.id()).isTrue();
        }
        for (SeedUser seed : STANDARD_USERS) {
            PbxUser u = userFor(seed);
            if (u.login() != null) {
                assertThat(u.login()).as("login of %s", seed.email()).isEqualToIgnoringCase(seed.login());
            }
        }
    }

    @Test
    @DisplayName("contract: readState() reflects the DND the backend holds")
    public void readStateReflectsSeededDnd() {
        PbxSink s = start(STANDARD_USERS);
        for (SeedUser seed : STANDARD_USERS) {
            PbxUser u = userFor(seed);
            assertThat(s.readState(u).dnd()).as("DND of %s", seed.email()).isEqualTo(seed.dnd());
            assertThat(backendDnd(u)).as("backend DND of %s", seed.email()).isEqualTo(seed.dnd());
        }
    }

    @Test
    @DisplayName("contract: readStates() returns every requested user, with the right DND")
    public void readStatesReturnsEveryRequestedUser() {
        List<SeedUser> seeds = manyUsers(12);
        PbxSink s = start(seeds);
        List<PbxUser> users = seeds.stream().map(this::userFor).toList();
        BatchResult<PbxState> result = s.readStates(users);
        assertThat(result.failures()).isEmpty();
        assertThat(result.values()).hasSize(seeds.size());
        for (int i = 0; i < seeds.size(); i++) {
            assertThat(result.values().get(users.get(i).id()).dnd()).as("DND of %s", seeds.get(i).email())
                    .isEqualTo(seeds.get(i).dnd());
        }
    }

    @Test
    @DisplayName("contract: a manual DND change on the phone is visible in readState()")
    public void outOfBandDndChangeIsVisibleInReadState() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        setDndOutOfBand(alice, true);
        assertThat(s.readState(alice).dnd()).isTrue();
        setDndOutOfBand(alice, false);
        assertThat(s.readState(alice).dnd()).isFalse();
    }

    @Test
    @DisplayName("contract: a manual change after a sink write is visible (the sink caches nothing)")
    public void manualChangeAfterSinkWriteIsVisible() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        s.apply(dndChange(alice, true));
        setDndOutOfBand(alice, false);
        assertThat(s.readState(alice).dnd()).isFalse();
        assertThat(s.readStates(List.of(alice)).values().get(alice.id()).dnd()).isFalse();
    }

    // ---- writing

    @Test
    @DisplayName("contract: apply() DND on reaches the backend")
    public void applyDndOnIsVisibleInBackend() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        s.apply(dndChange(alice, true));
        assertThat(backendDnd(alice)).isTrue();
        assertThat(s.readState(alice).dnd()).isTrue();
    }

    @Test
    @DisplayName("contract: apply() DND off reaches the backend")
    public void applyDndOffIsVisibleInBackend() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser bob = userFor(STANDARD_USERS.get(1));
        s.apply(dndChange(bob, false));
        assertThat(backendDnd(bob)).isFalse();
        assertThat(s.readState(bob).dnd()).isFalse();
    }

    @Test
    @DisplayName("contract: apply() changes only the user it names")
    public void applyChangesOnlyTheTargetUser() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        s.apply(dndChange(alice, true));
        assertThat(backendDnd(userFor(STANDARD_USERS.get(1)))).isTrue();
        assertThat(backendDnd(userFor(STANDARD_USERS.get(2)))).isFalse();
    }

    @Test
    @DisplayName("contract: apply() is idempotent (the same state twice, or the state the user already has)")
    public void applyingTheSameStateTwiceIsHarmless() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        PbxChange on = dndChange(alice, true);
        s.apply(on);
        assertThatCode(() -> s.apply(on)).doesNotThrowAnyException();
        assertThat(backendDnd(alice)).isTrue();
        PbxUser bob = userFor(STANDARD_USERS.get(1));
        assertThatCode(() -> s.apply(dndChange(bob, true))).doesNotThrowAnyException();
        assertThat(backendDnd(bob)).isTrue();
        assertThat(s.readState(bob).dnd()).isTrue();
    }

    @Test
    @DisplayName("contract: applyAll() writes several changes and reports each as written")
    public void applyAllWritesSeveralChanges() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        PbxUser bob = userFor(STANDARD_USERS.get(1));
        PbxUser carol = userFor(STANDARD_USERS.get(2));
        BatchResult<PbxState> result = s.applyAll(List.of(dndChange(alice, true), dndChange(bob, false),
                dndChange(carol, true)));
        assertThat(result.failures()).isEmpty();
        assertThat(result.values()).containsOnlyKeys(alice.id(), bob.id(), carol.id());
        assertThat(result.values().get(bob.id()).dnd()).isFalse();
        assertThat(backendDnd(alice)).isTrue();
        assertThat(backendDnd(bob)).isFalse();
        assertThat(backendDnd(carol)).isTrue();
    }

    @Test
    @DisplayName("contract: applyAll() of no changes and readStates() of no users are harmless")
    public void emptyBatchesAreHarmless() {
        PbxSink s = start(STANDARD_USERS);
        BatchResult<PbxState> written = s.applyAll(List.of());
        BatchResult<PbxState> read = s.readStates(List.of());
        assertThat(written.values()).isEmpty();
        assertThat(written.failures()).isEmpty();
        assertThat(read.values()).isEmpty();
        assertThat(read.failures()).isEmpty();
    }

    // ---- unknown users

    @Test
    @DisplayName("contract: an unknown user is a per-user failure in readStates(), not a failed batch")
    public void unknownUserIsAPerUserFailureInReadStates() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        PbxUser ghost = ghost();
        BatchResult<PbxState> result = s.readStates(List.of(alice, ghost));
        assertThat(result.values()).containsKey(alice.id()).doesNotContainKey(ghost.id());
        assertThat(result.failures()).containsOnlyKeys(ghost.id());
    }

    @Test
    @DisplayName("contract: readState() of an unknown user throws a TeamsConnectException")
    public void readStateOfUnknownUserThrowsTeamsConnectException() {
        PbxSink s = start(STANDARD_USERS);
        assertThatThrownBy(() -> s.readState(ghost())).isInstanceOf(TeamsConnectException.class);
    }

    @Test
    @DisplayName("contract: an unknown user is a per-user failure in applyAll(); the others are written")
    public void unknownUserIsAPerUserFailureInApplyAll() {
        PbxSink s = start(STANDARD_USERS);
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        PbxUser ghost = ghost();
        BatchResult<PbxState> result = s.applyAll(List.of(
                change(ghost, PbxState.dnd(false), PbxState.dnd(true)), dndChange(alice, true)));
        assertThat(result.values()).containsOnlyKeys(alice.id());
        assertThat(result.failures()).containsOnlyKeys(ghost.id());
        assertThat(backendDnd(alice)).isTrue();
    }

    // ---- chat status (only for sinks that declare it)

    @Test
    @DisplayName("contract: with CHAT_STATUS, a written chat status is read back and DND is left as it was")
    public void chatStatusIsWrittenAndReadBack() {
        PbxSink s = start(STANDARD_USERS);
        assumeTrue(s.capabilities().contains(Capability.CHAT_STATUS), "sink does not declare CHAT_STATUS");
        PbxUser bob = userFor(STANDARD_USERS.get(1));
        PbxState from = s.readState(bob);
        s.apply(change(bob, from, from.withChatStatus("On a call in MS Teams")));
        PbxState now = s.readState(bob);
        assertThat(now.chatStatus()).isEqualTo("On a call in MS Teams");
        assertThat(now.dnd()).isTrue();
        assertThat(backendDnd(bob)).isTrue();
    }

    @Test
    @DisplayName("contract: with CHAT_STATUS, non-ASCII text (German umlauts) survives the round trip")
    public void chatStatusKeepsNonAsciiText() {
        PbxSink s = start(STANDARD_USERS);
        assumeTrue(s.capabilities().contains(Capability.CHAT_STATUS), "sink does not declare CHAT_STATUS");
        PbxUser alice = userFor(STANDARD_USERS.get(0));
        PbxState from = s.readState(alice);
        s.apply(change(alice, from, new PbxState(true, "Im Gespräch in MS Teams – bitte später")));
        PbxState now = s.readState(alice);
        assertThat(now.chatStatus()).isEqualTo("Im Gespräch in MS Teams – bitte später");
        assertThat(now.dnd()).isTrue();
    }

    // ---- lifecycle

    @Test
    @DisplayName("contract: close() is idempotent")
    public void closeIsIdempotent() {
        PbxSink s = start(STANDARD_USERS);
        s.close();
        assertThatCode(s::close).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("contract: close() without open() is harmless")
    public void closeWithoutOpenIsHarmless() {
        // Not via start(): this test must not open the sink. The kit's @AfterEach does not see it, so close here.
        PbxSink s = createSink(STANDARD_USERS);
        assertThatCode(s::close).doesNotThrowAnyException();
        assertThatCode(s::close).doesNotThrowAnyException();
    }
}
