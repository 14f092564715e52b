package dev.teamsconnect.graph;

import dev.teamsconnect.testkit.logging.LogCapture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.UnknownUserException;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Users, presence chunks, pacing and retries through the real Graph SDK and msal4j against the emulator. */
class GraphPresenceSourceIntegrationTest {

    private final GraphEmulator emu = GraphTestSupport.emulator();

    @AfterEach
    void stop() {
        emu.close();
    }

    private static List<String> ids(List<EmulatedUser> users) {
        return users.stream().map(EmulatedUser::id).toList();
    }

    /**
     * Issue 4 says "1,300 users take exactly 3 presence requests" and also "exactly ceil(N / 650)"; those disagree
     * (ceil(1300 / 650) = 2). Both sides of the boundary are checked: 1,300 users take 2 requests, 1,301 take 3.
     */
    @Test
    void readsPresenceInCeilOfNOver650Requests() {
        List<EmulatedUser> users = emu.seedUsers(1301);
        emu.setPresence(users.get(1299).id(), Availability.BUSY, Activity.IN_A_CALL);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            BatchResult<TeamsPresence> r = source.readPresence(ids(users.subList(0, 1300)));
            assertThat(r.values()).hasSize(1300);
            assertThat(r.failures()).isEmpty();
            assertThat(r.values().get(users.get(1299).id()).activity()).isEqualTo(Activity.IN_A_CALL);
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(2);

            BatchResult<TeamsPresence> all = source.readPresence(ids(users));
            assertThat(all.values()).hasSize(1301);
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(2 + 3);
            assertThat(emu.largestIdListSeen()).isEqualTo(650);
        }
    }

    @Test
    void pagesThroughTwentyFiveHundredUsersSelectingOnlyNeededFields() {
        List<EmulatedUser> users = emu.seedUsers(2500);
        emu.addUser("gone@contoso.test", "Disabled Person", false);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            List<TeamsUser> listed = source.listUsers();
            // the disabled account is listed, flagged, so that check can name it as disabled
            assertThat(listed).hasSize(2501);
            assertThat(listed.stream().filter(TeamsUser::enabled).map(TeamsUser::id).toList())
                    .containsExactlyElementsOf(ids(users));
            assertThat(listed).filteredOn(u -> !u.enabled()).extracting(TeamsUser::mail).containsExactly("gone@contoso.test");
            assertThat(listed.get(0).mail()).isEqualTo("user00001@contoso.test");
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(3);
            assertThat(emu.usersQueries()).filteredOn(q -> !q.startsWith("delta")).first().asString()
                    .contains("$top=999").doesNotContain("$filter")
                    .contains("$select=id,displayName,mail,userPrincipalName,accountEnabled");
            // every call reads Graph (the engine's userRefreshInterval decides how often); after the first, by delta
            assertThat(source.listUsers()).hasSize(2501);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(3);
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(2);
        }
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).usersDelta(false).build()) {
            source.open();
            source.listUsers();
            assertThat(source.listUsers()).hasSize(2501);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(3 + 6);
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(2);
        }
    }

    @Test
    void honoursFractionalRetryAfterWithoutEarlyRequests() {
        List<EmulatedUser> users = emu.seedUsers(10);
        emu.failNext(GraphEmulator.PRESENCES_BY_USER_ID, 1, 429, Duration.ofMillis(1500));
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            BatchResult<TeamsPresence> r = source.readPresence(ids(users));
            assertThat(r.values()).hasSize(10);
            assertThat(emu.tooManyRequests()).isEqualTo(1);
            assertThat(emu.earlyRequests()).isEmpty();
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(2);
        }
    }

    @Test
    void pacerFinishesTwentyChunksUnderTenRequestsPerSecondWithoutA429() {
        emu.presenceRateLimit(10, Duration.ofSeconds(1));
        List<EmulatedUser> users = emu.seedUsers(200);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu)
                .chunkSize(10).presenceRateLimit(10, Duration.ofSeconds(1)).build()) {
            source.open();
            BatchResult<TeamsPresence> r = source.readPresence(ids(users));
            assertThat(r.values()).hasSize(200);
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(20);
            assertThat(emu.tooManyRequests()).isZero();
        }
    }

    @Test
    void refreshesExpiredTokenSilentlyMidRun() {
        List<EmulatedUser> users = emu.seedUsers(5);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThat(source.readPresence(ids(users)).values()).hasSize(5);
            emu.expireAllTokens();
            emu.setPresence(users.get(0).id(), Availability.DO_NOT_DISTURB, Activity.PRESENTING);
            BatchResult<TeamsPresence> r = source.readPresence(ids(users));
            assertThat(r.failures()).isEmpty();
            assertThat(r.values().get(users.get(0).id()).activity()).isEqualTo(Activity.PRESENTING);
            assertThat(emu.tokenRequests("client_credentials")).isEqualTo(2);
        }
    }

    @Test
    void splitsAChunkGraphRejectsWithABare400() {
        List<EmulatedUser> users = emu.seedUsers(100);
        emu.rejectPresenceListsLargerThan(30);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            BatchResult<TeamsPresence> r = source.readPresence(ids(users));
            assertThat(r.values()).hasSize(100);
            assertThat(r.failures()).isEmpty();
            // 100 -> 2x50 -> 4x25: 1 + 2 + 4 requests
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(7);
        }
    }

    @Test
    void retriesServerErrorsWithBackoff() {
        List<EmulatedUser> users = emu.seedUsers(3);
        emu.failNext(GraphEmulator.PRESENCES_BY_USER_ID, 2, 503, null);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThat(source.readPresence(ids(users)).values()).hasSize(3);
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(3);
        }
    }

    @Test
    void dropsStalePresenceBySequenceNumber() {
        List<EmulatedUser> users = emu.seedUsers(1);
        String id = users.get(0).id();
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            emu.setPresenceWithSequence(id, "Busy", "InACall", "C000000000000000500");
            assertThat(source.readPresence(List.of(id)).values().get(id).activity()).isEqualTo(Activity.IN_A_CALL);
            emu.setPresenceWithSequence(id, "Available", "Available", "C000000000000000400");
            TeamsPresence p = source.readPresence(List.of(id)).values().get(id);
            assertThat(p.activity()).isEqualTo(Activity.IN_A_CALL);
            assertThat(p.sequenceNumber()).isEqualTo("C000000000000000500");
        }
    }

    @Test
    void keepsUnknownValuesWithTheirRawStringsAndLogsEachOnce() {
        List<EmulatedUser> users = emu.seedUsers(1);
        String id = users.get(0).id();
        emu.setRawPresence(id, "FocusMode", "InAHuddle");
        try (LogCapture log = LogCapture.info();
             GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            source.readPresence(List.of(id));
            TeamsPresence p = source.readPresence(List.of(id)).values().get(id);
            assertThat(log.lines().stream().filter(l -> l.contains("\"FocusMode\""))).hasSize(1);
            assertThat(log.lines().stream().filter(l -> l.contains("\"InAHuddle\""))).hasSize(1);
            assertThat(p.availability()).isEqualTo(Availability.UNKNOWN);
            assertThat(p.rawAvailability()).isEqualTo("FocusMode");
            assertThat(p.activity()).isEqualTo(Activity.UNKNOWN);
            assertThat(p.rawActivity()).isEqualTo("InAHuddle");
        }
    }

    @Test
    void reportsIdsGraphDoesNotKnowAsFailures() {
        List<EmulatedUser> users = emu.seedUsers(2);
        String ghost = "00000000-0000-0000-0000-00000000dead";
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            BatchResult<TeamsPresence> r = source.readPresence(List.of(users.get(0).id(), ghost, users.get(1).id()));
            assertThat(r.values()).containsOnlyKeys(users.get(0).id(), users.get(1).id());
            assertThat(r.failures().get(ghost)).isInstanceOf(UnknownUserException.class);
        }
    }

    @Test
    void givesUpAfterMaxAttemptsWithARetryableError() {
        List<EmulatedUser> users = emu.seedUsers(2);
        emu.failNext(GraphEmulator.PRESENCES_BY_USER_ID, 10, 502, null);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).maxAttempts(3).build()) {
            source.open();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.readPresence(ids(users)))
                    .isInstanceOf(dev.teamsconnect.core.error.RetryableException.class).hasMessageContaining("HTTP 502");
            assertThat(emu.requestCount(GraphEmulator.PRESENCES_BY_USER_ID)).isEqualTo(3);
        }
    }

    @Test
    void throttlingByTheServerWindowIsWaitedOutWithoutEarlyRequests() {
        // the server allows 3 per second while the client believes in 1,500 per 30 s: the 429s must be honoured
        emu.presenceRateLimit(3, Duration.ofSeconds(1));
        List<EmulatedUser> users = emu.seedUsers(50);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).chunkSize(10).build()) {
            source.open();
            assertThat(source.readPresence(ids(users)).values()).hasSize(50);
            assertThat(emu.tooManyRequests()).isGreaterThan(0);
            assertThat(emu.earlyRequests()).isEmpty();
        }
    }

    @Test
    void unreachableGraphIsARetryableErrorAfterBackingOff() {
        List<EmulatedUser> users = emu.seedUsers(2);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).maxAttempts(3).build()) {
            source.open();
            emu.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.readPresence(ids(users)))
                    .isInstanceOf(dev.teamsconnect.core.error.RetryableException.class)
                    .hasMessageContaining("after 3 attempts");
        }
    }

    @Test
    void aRefusedUserListIsATerminalErrorNotAnInternalOne() {
        emu.seedUsers(2);
        emu.failNext(GraphEmulator.USERS, 1, 400, null);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            org.assertj.core.api.Assertions.assertThatThrownBy(source::listUsers)
                    .isInstanceOf(dev.teamsconnect.core.error.TerminalException.class).hasMessageContaining("HTTP 400");
            assertThat(source.listUsers()).hasSize(2);
        }
    }
}
