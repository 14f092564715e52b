package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** User refreshes by users delta, through the real Graph SDK against the emulator's {@code /users/delta}. */
class GraphUsersDeltaIntegrationTest {

    private final GraphEmulator emu = GraphTestSupport.emulator();

    @AfterEach
    void stop() {
        emu.close();
    }

    private static List<String> ids(List<TeamsUser> users) {
        return users.stream().map(TeamsUser::id).toList();
    }

    @Test
    void refreshesAfterTheFirstListingReadOnlyTheChanges() {
        List<EmulatedUser> seeded = emu.seedUsers(1500);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThat(source.listUsers()).hasSize(1500);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(2);
            // the delta link "from now" was fetched once, before the listing
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(1);
            assertThat(emu.usersQueries().get(0)).contains("$deltatoken=latest")
                    .contains("$select=id,displayName,mail,userPrincipalName,accountEnabled");

            // nothing changed: one delta request, the same users
            assertThat(ids(source.listUsers())).containsExactlyElementsOf(seeded.stream().map(EmulatedUser::id).toList());
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(2);

            EmulatedUser added = emu.addUser("new.person@contoso.test", "New Person", true);
            emu.updateUser(seeded.get(3).id(), "renamed@contoso.test", "Renamed Person");
            emu.removeUser(seeded.get(5).id(), false);
            emu.removeUser(seeded.get(6).id(), true);
            emu.setUserEnabled(seeded.get(7).id(), false);
            EmulatedUser disabledNew = emu.addUser("disabled.new@contoso.test", "Disabled New", false);

            List<TeamsUser> after = source.listUsers();
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(3);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(2);
            // removed users leave; disabled accounts stay, flagged, as in the full listing
            assertThat(after).hasSize(1500 + 2 - 2);
            assertThat(ids(after)).doesNotContain(seeded.get(5).id(), seeded.get(6).id());
            assertThat(after).filteredOn(u -> !u.enabled()).extracting(TeamsUser::id)
                    .containsExactlyInAnyOrder(seeded.get(7).id(), disabledNew.id());
            List<TeamsUser> enabled = after.stream().filter(TeamsUser::enabled).toList();
            assertThat(enabled).hasSize(1500 + 1 - 3);
            assertThat(ids(enabled)).contains(added.id())
                    .doesNotContain(seeded.get(5).id(), seeded.get(6).id(), seeded.get(7).id());
            TeamsUser renamed = after.stream().filter(u -> u.id().equals(seeded.get(3).id())).findFirst().orElseThrow();
            assertThat(renamed.mail()).isEqualTo("renamed@contoso.test");
            assertThat(renamed.displayName()).isEqualTo("Renamed Person");

            // an account enabled again is enabled again
            emu.setUserEnabled(seeded.get(7).id(), true);
            assertThat(ids(source.listUsers().stream().filter(TeamsUser::enabled).toList())).contains(seeded.get(7).id());
        }
    }

    @Test
    void aDeltaRoundOverSeveralPagesIsFollowedToItsDeltaLink() {
        List<EmulatedUser> seeded = emu.seedUsers(300);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            source.listUsers();
            for (int i = 0; i < 250; i++) {
                emu.updateUser(seeded.get(i).id(), "changed" + i + "@contoso.test", "Changed " + i);
            }
            int before = emu.requestCount(GraphEmulator.USERS_DELTA);
            List<TeamsUser> after = source.listUsers();
            // 250 changes in pages of 100: three requests
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA) - before).isEqualTo(3);
            assertThat(after).hasSize(300);
            assertThat(after.get(249).mail()).isEqualTo("changed249@contoso.test");
        }
    }

    @Test
    void anExpiredDeltaTokenFallsBackToAFullListing() {
        for (int status : new int[] {410, 400}) {
            try (GraphEmulator e = GraphTestSupport.emulator()) {
                List<EmulatedUser> seeded = e.seedUsers(20);
                try (GraphPresenceSource source = GraphTestSupport.secretSource(e).build()) {
                    source.open();
                    source.listUsers();
                    e.expireDeltaTokens(status);
                    e.removeUser(seeded.get(0).id(), false);
                    List<TeamsUser> after = source.listUsers();
                    assertThat(after).as("after HTTP %d syncStateNotFound", status).hasSize(19);
                    assertThat(e.requestCount(GraphEmulator.USERS)).isEqualTo(2);
                    // the refused link, then a new one from now
                    assertThat(e.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(3);
                    // and the new link works
                    e.removeUser(seeded.get(1).id(), true);
                    assertThat(source.listUsers()).hasSize(18);
                    assertThat(e.requestCount(GraphEmulator.USERS)).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void aRoundThatFailsPartWayChangesNothingAndItsLinkIsFollowedAgain() {
        List<EmulatedUser> users = emu.seedUsers(250);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).maxAttempts(1).build()) {
            source.open();
            source.listUsers();
            emu.updateUser(users.get(1).id(), "c1@contoso.test", "C 1");
            // page 1 of the round removes user 0 and links to page 2; page 2 fails
            emu.respondNext(GraphEmulator.USERS_DELTA, 200, "{\"value\":[{\"id\":\"" + users.get(0).id()
                    + "\",\"@removed\":{\"reason\":\"changed\"}}],\"@odata.nextLink\":\"" + emu.graphBaseUrl()
                    + "/users/delta?$skiptoken=page2\"}");
            emu.failNext(GraphEmulator.USERS_DELTA, 1, 503);
            assertThatThrownBy(source::listUsers).isInstanceOf(RetryableException.class);
            // nothing of the broken round was applied; the old link is followed again and brings the real change
            List<TeamsUser> after = source.listUsers();
            assertThat(ids(after)).contains(users.get(0).id());
            assertThat(after).hasSize(250);
            assertThat(after.get(1).mail()).isEqualTo("c1@contoso.test");
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(1);
        }
    }

    @Test
    void aDeltaLinkToAnotherHostIsNotFollowed() {
        emu.seedUsers(3);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            source.listUsers();
            emu.respondNext(GraphEmulator.USERS_DELTA, 200,
                    "{\"value\":[],\"@odata.deltaLink\":\"https://evil.example/v1.0/users/delta?$deltatoken=x\"}");
            // the round is dropped and all users are listed again (no token leaves for evil.example)
            assertThat(source.listUsers()).hasSize(3);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(2);
            assertThat(emu.unhandledRequests()).isEmpty();
        }
    }

    @Test
    void aGraphWithoutUsersDeltaIsListedInFullEveryTime() {
        emu.seedUsers(3);
        emu.failNext(GraphEmulator.USERS_DELTA, 2, 404);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            assertThat(source.listUsers()).hasSize(3);
            assertThat(source.listUsers()).hasSize(3);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(2);
            assertThat(emu.requestCount(GraphEmulator.USERS_DELTA)).isEqualTo(2);
        }
    }

    @Test
    void aDeltaNextLinkThatLoopsStartsAFullListingInsteadOfFailingEveryRefresh() {
        emu.seedUsers(3);
        try (GraphPresenceSource source = GraphTestSupport.secretSource(emu).build()) {
            source.open();
            source.listUsers();
            String self = emu.graphBaseUrl() + "/users/delta?$skiptoken=loop";
            emu.respondNext(GraphEmulator.USERS_DELTA, 200, "{\"value\":[],\"@odata.nextLink\":\"" + self + "\"}");
            emu.respondNext(GraphEmulator.USERS_DELTA, 200, "{\"value\":[],\"@odata.nextLink\":\"" + self + "\"}");
            assertThat(source.listUsers()).hasSize(3);
            assertThat(emu.requestCount(GraphEmulator.USERS)).isEqualTo(2);
        }
    }
}
