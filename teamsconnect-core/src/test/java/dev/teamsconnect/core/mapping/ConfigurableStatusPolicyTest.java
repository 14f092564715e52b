package dev.teamsconnect.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.model.TeamsUser;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConfigurableStatusPolicyTest {

    private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

    private static MappedUser user(String mail, String upn, String pbxLogin) {
        return new MappedUser(new TeamsUser("t-" + pbxLogin, upn, mail, "User " + pbxLogin, true),
                new PbxUser("p-" + pbxLogin, pbxLogin, mail, null), "mail");
    }

    private static final MappedUser ALICE = user("Alice@Example.com", "alice@corp.example.com", "alice");
    private static final MappedUser BOB = user("bob@example.com", "bob@corp.example.com", "1002");

    private static TeamsPresence presence(Availability av, Activity ac, String message) {
        return new TeamsPresence("t-x", av, null, ac, null, message, false, null, T0);
    }

    private static DesiredState decide(ConfigurableStatusPolicy policy, MappedUser user, Availability av, Activity ac) {
        TeamsPresence p = presence(av, ac, null);
        return policy.desired(user, p, TeamsStatusClassifier.INSTANCE.classify(p));
    }

    // ---- defaults

    @Test
    void defaultsPutCallsBusyAndDndOnDnd() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.defaults();
        assertThat(policy.dndCategories()).containsExactlyInAnyOrder(
                PresenceCategory.IN_A_CALL, PresenceCategory.BUSY, PresenceCategory.DO_NOT_DISTURB);
        assertThat(policy.chatStatusEnabled()).isTrue();
        assertThat(policy.language()).isEqualTo("en");
    }

    @Test
    void callGivesDndOnAndCallText() {
        DesiredState d = decide(ConfigurableStatusPolicy.defaults(), ALICE, Availability.BUSY, Activity.IN_A_CALL);
        assertThat(d.dnd()).isTrue();
        assertThat(d.chatStatus()).isEqualTo("On a call in MS Teams");
        assertThat(d.reason()).isEqualTo("Teams Busy/InACall -> DND on (policy IN_A_CALL)");
    }

    @Test
    void availableGivesUsersOwnDndAndChatStatus() {
        DesiredState d = decide(ConfigurableStatusPolicy.defaults(), ALICE, Availability.AVAILABLE, Activity.AVAILABLE);
        assertThat(d.dnd()).isNull();
        assertThat(d.chatStatus()).isNull();
        assertThat(d.overrides()).isFalse();
        assertThat(d.reason()).isEqualTo("Teams Available/Available -> user's own DND (policy AVAILABLE)");
    }

    @ParameterizedTest
    @EnumSource(PresenceCategory.class)
    void neverForcesDndOffByDefault(PresenceCategory category) {
        DesiredState d = ConfigurableStatusPolicy.defaults()
                .desired(ALICE, presence(Availability.AVAILABLE, Activity.AVAILABLE, null), category);
        assertThat(d.dnd()).isNotEqualTo(Boolean.FALSE);
        assertThat(d.dnd()).isEqualTo(ConfigurableStatusPolicy.DEFAULT_DND_CATEGORIES.contains(category) ? Boolean.TRUE : null);
    }

    @Test
    void defaultTextsInBothLanguages() {
        ConfigurableStatusPolicy en = ConfigurableStatusPolicy.defaults();
        ConfigurableStatusPolicy de = ConfigurableStatusPolicy.builder().language("DE").build();
        Map<PresenceCategory, String[]> expected = Map.of(
                PresenceCategory.IN_A_CALL, new String[] {"On a call in MS Teams", "Im Gespräch in MS Teams"},
                PresenceCategory.BUSY, new String[] {"Busy in MS Teams", "Beschäftigt in MS Teams"},
                PresenceCategory.DO_NOT_DISTURB, new String[] {"Do not disturb in MS Teams", "Nicht stören in MS Teams"},
                PresenceCategory.AWAY, new String[] {"Away in MS Teams", "Abwesend in MS Teams"});
        for (PresenceCategory c : PresenceCategory.values()) {
            String[] texts = expected.get(c);
            assertThat(en.renderChatStatus(c, null)).as(c + " en").isEqualTo(texts == null ? null : texts[0]);
            assertThat(de.renderChatStatus(c, null)).as(c + " de").isEqualTo(texts == null ? null : texts[1]);
        }
        assertThat(decide(de, ALICE, Availability.BUSY, Activity.IN_A_MEETING).chatStatus())
                .isEqualTo("Beschäftigt in MS Teams");
    }

    @Test
    void chatStatusOffLeavesTheUsersOwnText() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder().chatStatusEnabled(false).build();
        DesiredState d = decide(policy, ALICE, Availability.BUSY, Activity.IN_A_CALL);
        assertThat(d.dnd()).isTrue();
        assertThat(d.chatStatus()).isNull();
    }

    // ---- templates

    @Test
    void templatesFillInMessageAndCategoryInTheConfiguredLanguage() {
        ConfigurableStatusPolicy de = ConfigurableStatusPolicy.builder().language("de")
                .chatTemplate(PresenceCategory.BUSY, "de", "{category} in Teams: {message}")
                .build();
        TeamsPresence p = presence(Availability.BUSY, Activity.IN_A_MEETING, "Workshop bis 12 Uhr");
        assertThat(de.desired(ALICE, p, PresenceCategory.BUSY).chatStatus())
                .isEqualTo("Beschäftigt in Teams: Workshop bis 12 Uhr");

        ConfigurableStatusPolicy en = ConfigurableStatusPolicy.builder()
                .chatTemplate(PresenceCategory.AWAY, "en", "{category} ({message})")
                .build();
        TeamsPresence away = presence(Availability.AWAY, Activity.AWAY, "back at\n2 pm");
        assertThat(en.desired(ALICE, away, PresenceCategory.AWAY).chatStatus()).isEqualTo("Away (back at 2 pm)");
    }

    @Test
    void emptyMessageLeavesNoDanglingSeparators() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .chatTemplate(PresenceCategory.BUSY, "en", "{category} in Teams: {message}")
                .chatTemplate(PresenceCategory.AWAY, "en", "{category} ({message})")
                .chatTemplate(PresenceCategory.DO_NOT_DISTURB, "en", "{message}")
                .build();
        assertThat(policy.renderChatStatus(PresenceCategory.BUSY, null)).isEqualTo("Busy in Teams");
        assertThat(policy.renderChatStatus(PresenceCategory.AWAY, "  ")).isEqualTo("Away");
        assertThat(policy.renderChatStatus(PresenceCategory.DO_NOT_DISTURB, null)).isNull();
        assertThat(policy.renderChatStatus(PresenceCategory.DO_NOT_DISTURB, "Focus")).isEqualTo("Focus");
    }

    @Test
    void messageIsInsertedLiterallyEvenWithRegexCharacters() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .chatTemplate(PresenceCategory.BUSY, "en", "Busy: {message}").build();
        assertThat(policy.renderChatStatus(PresenceCategory.BUSY, "costs $5 \\o/ {category}"))
                .isEqualTo("Busy: costs $5 \\o/ {category}");
    }

    @Test
    void nullTemplateMeansUsersOwnChatStatus() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .chatTemplate(PresenceCategory.AWAY, "en", null)
                .chatTemplate(PresenceCategory.AVAILABLE, "en", "Free for calls")
                .build();
        assertThat(decide(policy, ALICE, Availability.AWAY, Activity.AWAY).chatStatus()).isNull();
        assertThat(decide(policy, ALICE, Availability.AVAILABLE, Activity.AVAILABLE).chatStatus()).isEqualTo("Free for calls");
        assertThat(policy.template(PresenceCategory.AWAY, "de")).isEqualTo("Abwesend in MS Teams");
    }

    // ---- overrides

    @Test
    void optedOutUserIsNeverTouched() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder().optOut("ALICE@example.com ").build();
        DesiredState d = decide(policy, ALICE, Availability.BUSY, Activity.IN_A_CALL);
        assertThat(d.dnd()).isNull();
        assertThat(d.chatStatus()).isNull();
        assertThat(d.reason()).isEqualTo("Teams Busy/InACall -> user's own DND (opted out by user \"alice@example.com\")");
        assertThat(decide(policy, BOB, Availability.BUSY, Activity.IN_A_CALL).dnd()).isTrue();
    }

    @Test
    void overrideMatchesUpnAndPbxLoginToo() {
        ConfigurableStatusPolicy byUpn = ConfigurableStatusPolicy.builder().optOut("alice@corp.example.com").build();
        ConfigurableStatusPolicy byLogin = ConfigurableStatusPolicy.builder().optOut("1002").build();
        assertThat(decide(byUpn, ALICE, Availability.BUSY, Activity.IN_A_CALL).dnd()).isNull();
        assertThat(decide(byLogin, BOB, Availability.BUSY, Activity.IN_A_CALL).dnd()).isNull();
        assertThat(decide(byLogin, ALICE, Availability.BUSY, Activity.IN_A_CALL).dnd()).isTrue();
    }

    @Test
    void customDndCategoriesPerUser() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .userOverride("alice", UserOverride.withDndCategories(PresenceCategory.IN_A_CALL))
                .build();
        DesiredState meeting = decide(policy, ALICE, Availability.BUSY, Activity.IN_A_MEETING);
        assertThat(meeting.dnd()).isNull();
        assertThat(meeting.chatStatus()).isEqualTo("Busy in MS Teams");
        assertThat(meeting.reason()).isEqualTo("Teams Busy/InAMeeting -> user's own DND (policy BUSY, user \"alice\")");
        assertThat(decide(policy, ALICE, Availability.BUSY, Activity.IN_A_CALL).dnd()).isTrue();
        assertThat(decide(policy, BOB, Availability.BUSY, Activity.IN_A_MEETING).dnd()).isTrue();
    }

    @Test
    void emptyDndCategoriesMeanNeverDndButStillChatStatus() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .userOverride("bob@example.com", UserOverride.withDndCategories(List.of()))
                .build();
        DesiredState d = decide(policy, BOB, Availability.BUSY, Activity.IN_A_CALL);
        assertThat(d.dnd()).isNull();
        assertThat(d.chatStatus()).isEqualTo("On a call in MS Teams");
    }

    @Test
    void chatStatusCanBeTurnedOffPerUser() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .userOverride("alice", UserOverride.withChatStatus(false)).build();
        DesiredState d = decide(policy, ALICE, Availability.BUSY, Activity.IN_A_CALL);
        assertThat(d.dnd()).isTrue();
        assertThat(d.chatStatus()).isNull();
    }

    @Test
    void groupSharesAnOverrideAndUserOverrideBeatsIt() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .group("support", List.of("alice@example.com", "1002"), UserOverride.withDndCategories(PresenceCategory.IN_A_CALL))
                .userOverride("bob@corp.example.com", UserOverride.withDndCategories(PresenceCategory.BUSY))
                .build();
        DesiredState aliceMeeting = decide(policy, ALICE, Availability.BUSY, Activity.IN_A_MEETING);
        assertThat(aliceMeeting.dnd()).isNull();
        assertThat(aliceMeeting.reason()).endsWith("(policy BUSY, group \"support\")");
        assertThat(decide(policy, BOB, Availability.BUSY, Activity.IN_A_MEETING).dnd()).isTrue();
        assertThat(decide(policy, BOB, Availability.BUSY, Activity.IN_A_CALL).dnd()).isNull();
    }

    @Test
    void optOutInAGroupWinsOverAUserOverride() {
        ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.builder()
                .userOverride("alice", UserOverride.withDndCategories(PresenceCategory.IN_A_CALL))
                .group("works-council", List.of("alice@example.com"), UserOverride.optingOut())
                .build();
        DesiredState d = decide(policy, ALICE, Availability.BUSY, Activity.IN_A_CALL);
        assertThat(d.dnd()).isNull();
        assertThat(d.reason()).contains("opted out by group \"works-council\"");
    }

    @Test
    void policyWorksWithoutAMappedUser() {
        TeamsPresence p = presence(Availability.BUSY, Activity.IN_A_CALL, null);
        assertThat(ConfigurableStatusPolicy.defaults().desired(null, p, PresenceCategory.IN_A_CALL).dnd()).isTrue();
    }

    // ---- validation

    @Test
    void rejectsUnknownAndAvailableAsDndCategories() {
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().dndCategories(PresenceCategory.BUSY, PresenceCategory.UNKNOWN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dndCategories must not contain UNKNOWN");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().dndCategories(Set.of(PresenceCategory.AVAILABLE)))
                .hasMessageStartingWith("dndCategories must not contain AVAILABLE");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().dndCategories((List<PresenceCategory>) null))
                .hasMessage("dndCategories must not be null");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().dndCategories(java.util.Arrays.asList(PresenceCategory.BUSY, null)))
                .hasMessageStartingWith("dndCategories must not contain null");
    }

    @Test
    void rejectsUnsupportedLanguage() {
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().language("fr"))
                .hasMessage("language must be one of [de, en], but was \"fr\"");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().language(null))
                .hasMessage("language must be one of [de, en], but was null");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().chatTemplate(PresenceCategory.BUSY, "it", "x"))
                .hasMessage("chatTemplates language must be one of [de, en], but was \"it\"");
    }

    @Test
    void rejectsBadTemplates() {
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().chatTemplate(PresenceCategory.BUSY, "en", "Busy {msg}"))
                .hasMessage("chatTemplates.en.BUSY uses the unknown placeholder {msg}; allowed are {message}, {category},"
                        + " but was \"Busy {msg}\"");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().chatTemplate(PresenceCategory.AWAY, "de", "  "))
                .hasMessageStartingWith("chatTemplates.de.AWAY must not be blank");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().chatTemplate(PresenceCategory.UNKNOWN, "en", "?"))
                .hasMessageStartingWith("chatTemplates.en.UNKNOWN must not be set");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().chatTemplate(null, "en", "x"))
                .hasMessage("chatTemplates.en category must not be null");
    }

    @Test
    void rejectsBadOverrides() {
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().optOut(" "))
                .hasMessage("userOverrides key must not be blank, but was \" \"");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().optOut("a@x").optOut("A@X"))
                .hasMessage("userOverrides[\"a@x\"] is given twice");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder()
                .userOverride("a@x", UserOverride.withDndCategories(PresenceCategory.UNKNOWN)))
                .hasMessageStartingWith("userOverrides[\"a@x\"].dndCategories must not contain UNKNOWN");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().userOverride("a@x", null))
                .hasMessage("userOverrides[\"a@x\"] override must not be null");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().userOverride("a@x", UserOverride.optingOut().chatStatus(true)))
                .hasMessageStartingWith("userOverrides[\"a@x\"] opts the user out, so it must not set dndCategories or chatStatus");
    }

    @Test
    void rejectsBadGroups() {
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().group("", List.of("a"), UserOverride.optingOut()))
                .hasMessage("groups name must not be blank, but was \"\"");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().group("g", List.of(), UserOverride.optingOut()))
                .hasMessage("groups[\"g\"].members must not be empty, but was []");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder().group("g", List.of("a", "A "), UserOverride.optingOut()))
                .hasMessage("groups[\"g\"].members lists \"a\" twice");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder()
                .group("g", List.of("a"), UserOverride.optingOut())
                .group("g", List.of("b"), UserOverride.optingOut()))
                .hasMessage("groups[\"g\"] is given twice");
        assertThatThrownBy(() -> ConfigurableStatusPolicy.builder()
                .group("g1", List.of("a@x", "b@x"), UserOverride.optingOut())
                .group("g2", List.of("B@x"), UserOverride.withChatStatus(false))
                .build())
                .hasMessage("groups: \"b@x\" is a member of both \"g1\" and \"g2\"; a user may be in one group only");
    }

    @Test
    void builtPolicyIsImmutable() {
        ConfigurableStatusPolicy.Builder builder = ConfigurableStatusPolicy.builder();
        ConfigurableStatusPolicy policy = builder.build();
        builder.dndCategories(PresenceCategory.IN_A_CALL).chatTemplate(PresenceCategory.BUSY, "en", "changed");
        assertThat(policy.dndCategories()).contains(PresenceCategory.BUSY);
        assertThat(policy.template(PresenceCategory.BUSY)).isEqualTo("Busy in MS Teams");
        assertThatThrownBy(() -> policy.dndCategories().add(PresenceCategory.AWAY))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
