package dev.teamsconnect.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.PresenceSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tests every {@link PresenceSource} must pass. A plugin's test class extends this kit and implements the
 * hooks against its backend (an emulator, a file, an in-memory fake):
 *
 * <pre>{@code
 * class GraphPresenceSourceCompatibilityTest extends PresenceSourceCompatibilityKit {
 *     private static final String APP_ID = "11111111-2222-3333-4444-555555555555";
 *     private static final String APP_SECRET = "a-test-secret";
 *
 *     private GraphEmulator graph;
 *
 *     @Override
 *     protected PresenceSource createSource(List<SeedUser> users) {
 *         graph = GraphEmulator.builder().start().registerSecretClient(APP_ID, APP_SECRET);
 *         for (SeedUser u : users) {
 *             EmulatedUser e = graph.addUser(u.mail(), u.displayName(), u.enabled());
 *             graph.setPresence(e.id(), u.availability(), u.activity());
 *         }
 *         return GraphPresenceSource.builder()              // not opened: the kit calls open()
 *                 .tenantId(graph.tenantId())
 *                 .authorityHost(graph.authorityHost())
 *                 .graphBaseUrl(graph.graphBaseUrl())
 *                 .trustCertificate(graph.certificate())
 *                 .clientId(APP_ID)
 *                 .clientSecret(APP_SECRET)
 *                 .build();
 *     }
 *
 *     @Override
 *     protected void changePresence(String userId, Availability availability, Activity activity) {
 *         graph.setPresence(userId, availability, activity); // as Teams would, not through the source
 *     }
 *
 *     @AfterEach
 *     void stopEmulator() {
 *         graph.close();
 *     }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #createSource} exactly once (with the users it needs), opens the source, and closes
 * it after the test. Users are found again in {@link PresenceSource#listUsers()} by mail or userPrincipalName
 * (case-insensitive), so the backend assigns its own ids. Test names say the contract they check.
 */
public abstract class PresenceSourceCompatibilityKit {

    /** A user the kit asks the backend to hold before a test, with its initial presence. */
    public record SeedUser(String mail, String displayName, boolean enabled, Availability availability, Activity activity) {
    }

    /**
     * A new source over a backend that holds exactly {@code users}. Called once per test; the kit closes the
     * source after the test. The source has not been opened yet.
     */
    protected abstract PresenceSource createSource(List<SeedUser> users);

    /**
     * Changes a user's presence on the backend, as Teams would (not through the source). {@code userId} is the id
     * the source reported for that user in {@code listUsers()}.
     */
    protected abstract void changePresence(String userId, Availability availability, Activity activity);

    /**
     * Optional hook: a user id the backend certainly does not have, for the "unknown id" contract. The default
     * is a well-formed GUID (Graph ids are GUIDs) that no seeded user gets; override if it could exist.
     */
    protected String unknownUserId() {
        return "0f0f0f0f-0000-4000-8000-00000000dead";
    }

    /** The users most tests start with: typical Teams states, one disabled account, one mixed-case mail. */
    protected static final List<SeedUser> STANDARD_USERS = List.of(
            new SeedUser("alice@example.com", "Alice Example", true, Availability.AVAILABLE, Activity.AVAILABLE),
            new SeedUser("bob@example.com", "Bob Example", true, Availability.BUSY, Activity.IN_A_CALL),
            new SeedUser("Carol.Example@Example.com", "Carol Example", true, Availability.DO_NOT_DISTURB,
                    Activity.PRESENTING),
            new SeedUser("dan@example.com", "Dan Example", true, Availability.AWAY, Activity.BE_RIGHT_BACK),
            new SeedUser("erin@example.com", "Erin Example", false, Availability.OFFLINE, Activity.OFF_WORK));

    private PresenceSource source;
    private List<TeamsUser> listed = List.of();

    // ---- helpers

    /** Creates the source over {@code users} (the one {@link #createSource} call of this test), opens it, lists users. */
    protected final PresenceSource start(List<SeedUser> users) {
        if (source != null) {
            throw new IllegalStateException("start() may be called once per test");
        }
        source = createSource(users);
        assertThat(source).as("createSource() must return a source").isNotNull();
        source.open();
        listed = source.listUsers();
        return source;
    }

    /** The listed Teams user whose mail or userPrincipalName is the seed's mail (case-insensitive). */
    protected final TeamsUser userFor(SeedUser seed) {
        List<TeamsUser> matches = listed.stream().filter(u -> hasAddress(u, seed.mail())).toList();
        assertThat(matches).as("listUsers() entries with mail %s", seed.mail()).hasSize(1);
        return matches.get(0);
    }

    private static boolean hasAddress(TeamsUser u, String mail) {
        return (u.mail() != null && u.mail().equalsIgnoreCase(mail))
                || (u.userPrincipalName() != null && u.userPrincipalName().equalsIgnoreCase(mail));
    }

    private static List<SeedUser> enabled(List<SeedUser> seeds) {
        return seeds.stream().filter(SeedUser::enabled).toList();
    }

    private static List<SeedUser> manyUsers(int n) {
        Availability[] av = {Availability.AVAILABLE, Availability.BUSY, Availability.AWAY, Availability.DO_NOT_DISTURB};
        Activity[] ac = {Activity.AVAILABLE, Activity.IN_A_MEETING, Activity.AWAY, Activity.DO_NOT_DISTURB};
        List<SeedUser> users = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            users.add(new SeedUser("user" + i + "@example.com", "User " + i, true, av[i % av.length], ac[i % ac.length]));
        }
        return users;
    }

    private static void assertPresenceMatches(TeamsPresence p, String id, Availability availability, Activity activity) {
        assertThat(p).as("presence of %s", id).isNotNull();
        assertThat(p.userId()).as("userId of the presence").isEqualTo(id);
        assertThat(p.availability()).as("availability of %s", id).isEqualTo(availability);
        assertThat(p.activity()).as("activity of %s", id).isEqualTo(activity);
        assertThat(Availability.parse(p.rawAvailability())).as("raw availability of %s", id).isEqualTo(availability);
        assertThat(Activity.parse(p.rawActivity())).as("raw activity of %s", id).isEqualTo(activity);
    }

    @AfterEach
    public final void closeSourceAfterTest() {
        if (source != null) {
            source.close();
        }
    }

    // ---- identity and users

    @Test
    @DisplayName("contract: id() is a non-blank, lower-case provider id, the same before and after open()")
    public void idIsNonBlankLowerCaseAndStable() {
        PresenceSource s = createSourceUnopenedForIdCheck();
        String before = s.id();
        s.open();
        listed = s.listUsers();
        assertThat(before).isNotBlank().isEqualTo(before.toLowerCase(Locale.ROOT)).matches("[a-z0-9][a-z0-9._-]*");
        assertThat(s.id()).isEqualTo(before);
    }

    private PresenceSource createSourceUnopenedForIdCheck() {
        source = createSource(STANDARD_USERS);
        assertThat(source).as("createSource() must return a source").isNotNull();
        return source;
    }

    @Test
    @DisplayName("contract: listUsers() returns every enabled seeded user once with its mail and name; disabled ones, if listed, are flagged")
    public void listUsersReturnsSeededUsersWithMail() {
        start(STANDARD_USERS);
        Set<String> ids = new HashSet<>();
        for (TeamsUser u : listed) {
            assertThat(ids.add(u.id())).as("Teams user id %s is listed twice", u.id()).isTrue();
        }
        for (SeedUser seed : enabled(STANDARD_USERS)) {
            TeamsUser u = userFor(seed);
            assertThat(u.displayName()).as("display name of %s", seed.mail()).isEqualTo(seed.displayName());
            assertThat(u.enabled()).as("enabled flag of %s", seed.mail()).isTrue();
        }
        for (SeedUser seed : STANDARD_USERS) {
            if (!seed.enabled()) {
                listed.stream().filter(u -> hasAddress(u, seed.mail())).forEach(u ->
                        assertThat(u.enabled()).as("disabled %s must be listed with enabled=false", seed.mail()).isFalse());
            }
        }
    }

    // ---- reading presence

    @Test
    @DisplayName("contract: readPresence() returns each requested user's availability and activity, parsed")
    public void readPresenceReturnsEachRequestedUserWithParsedValues() {
        PresenceSource s = start(STANDARD_USERS);
        List<SeedUser> seeds = enabled(STANDARD_USERS);
        List<String> ids = seeds.stream().map(seed -> userFor(seed).id()).toList();
        BatchResult<TeamsPresence> result = s.readPresence(ids);
        assertThat(result.failures()).isEmpty();
        assertThat(result.values()).containsOnlyKeys(ids);
        for (int i = 0; i < seeds.size(); i++) {
            assertPresenceMatches(result.values().get(ids.get(i)), ids.get(i), seeds.get(i).availability(),
                    seeds.get(i).activity());
        }
    }

    @Test
    @DisplayName("contract: readPresence() returns only the ids asked for")
    public void readsOnlyTheRequestedIds() {
        PresenceSource s = start(STANDARD_USERS);
        String bob = userFor(STANDARD_USERS.get(1)).id();
        BatchResult<TeamsPresence> result = s.readPresence(List.of(bob));
        assertThat(result.values()).containsOnlyKeys(bob);
        assertPresenceMatches(result.values().get(bob), bob, Availability.BUSY, Activity.IN_A_CALL);
    }

    @Test
    @DisplayName("contract: a presence change is visible on the next read, with a newer sequence number if any")
    public void changedPresenceIsVisibleOnNextRead() {
        PresenceSource s = start(STANDARD_USERS);
        String alice = userFor(STANDARD_USERS.get(0)).id();
        TeamsPresence before = s.readPresence(List.of(alice)).values().get(alice);
        assertPresenceMatches(before, alice, Availability.AVAILABLE, Activity.AVAILABLE);

        changePresence(alice, Availability.BUSY, Activity.IN_A_CALL);
        TeamsPresence after = s.readPresence(List.of(alice)).values().get(alice);
        assertPresenceMatches(after, alice, Availability.BUSY, Activity.IN_A_CALL);
        if (before.sequenceNumber() != null && after.sequenceNumber() != null) {
            assertThat(before.isOlderThan(after)).as("sequence number %s must be older than %s",
                    before.sequenceNumber(), after.sequenceNumber()).isTrue();
        }

        changePresence(alice, Availability.AVAILABLE, Activity.AVAILABLE);
        assertPresenceMatches(s.readPresence(List.of(alice)).values().get(alice), alice,
                Availability.AVAILABLE, Activity.AVAILABLE);
    }

    @Test
    @DisplayName("contract: reading an empty id list is no error and returns nothing")
    public void readingAnEmptyIdListIsNoError() {
        PresenceSource s = start(STANDARD_USERS);
        BatchResult<TeamsPresence> result = s.readPresence(List.of());
        assertThat(result.values()).isEmpty();
        assertThat(result.failures()).isEmpty();
    }

    @Test
    @DisplayName("contract: an unknown id does not fail the batch: it is absent, a per-user failure, or PresenceUnknown")
    public void unknownIdDoesNotFailTheBatch() {
        PresenceSource s = start(STANDARD_USERS);
        String bob = userFor(STANDARD_USERS.get(1)).id();
        String ghost = unknownUserId();
        BatchResult<TeamsPresence> result = s.readPresence(List.of(bob, ghost));
        assertPresenceMatches(result.values().get(bob), bob, Availability.BUSY, Activity.IN_A_CALL);
        // The reference facts do not say what Graph answers for an id it does not know; all three are accepted.
        TeamsPresence ghostPresence = result.values().get(ghost);
        if (ghostPresence != null) {
            assertThat(ghostPresence.availability()).as("presence reported for an unknown id")
                    .isIn(Availability.PRESENCE_UNKNOWN, Availability.UNKNOWN);
        }
        assertThat(result.failures().keySet()).as("failures may only concern the unknown id").isSubsetOf(ghost);
    }

    @Test
    @DisplayName("contract: readPresence() of many users in one call returns all of them")
    public void readsManyUsersInOneCall() {
        List<SeedUser> seeds = manyUsers(40);
        PresenceSource s = start(seeds);
        List<String> ids = seeds.stream().map(seed -> userFor(seed).id()).toList();
        BatchResult<TeamsPresence> result = s.readPresence(ids);
        assertThat(result.failures()).isEmpty();
        assertThat(result.values()).hasSize(seeds.size());
        for (int i = 0; i < seeds.size(); i++) {
            assertPresenceMatches(result.values().get(ids.get(i)), ids.get(i), seeds.get(i).availability(),
                    seeds.get(i).activity());
        }
    }

    // ---- lifecycle

    @Test
    @DisplayName("contract: close() is idempotent")
    public void closeIsIdempotent() {
        PresenceSource s = start(STANDARD_USERS);
        s.close();
        assertThatCode(s::close).doesNotThrowAnyException();
    }
}
