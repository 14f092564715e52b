package dev.teamsconnect.core.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserMatcherTest {

    private static TeamsUser teams(String id, String upn, String mail) {
        return new TeamsUser(id, upn, mail, id, true);
    }

    private static PbxUser pbx(String id, String login, String email) {
        return new PbxUser(id, login, email, null);
    }

    private static Map<String, String> pairs(MappingReport r) {
        return r.matched().stream().collect(java.util.stream.Collectors.toMap(m -> m.teams().id(), m -> m.pbx().id()));
    }

    @Test
    void matchesMailIgnoringCaseAndWhitespace() {
        MappingReport r = new UserMatcher().match(
                List.of(teams("t1", "x@corp.example", "  Anna.Schmidt@Corp.Example ")),
                List.of(pbx("1", "anna", "anna.schmidt@corp.example "), pbx("2", "bob", "bob@corp.example")));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "1"));
        assertThat(r.matched().get(0).matchedBy()).isEqualTo("mail");
        assertThat(r.unmatchedPbx()).extracting(PbxUser::id).containsExactly("2");
        assertThat(r.unmatchedTeams()).isEmpty();
    }

    @Test
    void fallsBackToUserPrincipalNameWhenMailIsNull() {
        MappingReport r = new UserMatcher().match(
                List.of(teams("t1", "Anna@Corp.Example", null)),
                List.of(pbx("1", "anna", "anna@corp.example")));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "1"));
        assertThat(r.matched().get(0).matchedBy()).isEqualTo("userPrincipalName");
    }

    @Test
    void fallsBackToUserPrincipalNameWhenMailFindsNobody() {
        MappingReport r = new UserMatcher().match(
                List.of(teams("t1", "anna@corp.example", "anna.alias@corp.example")),
                List.of(pbx("1", "anna", "anna@corp.example")));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "1"));
    }

    @Test
    void teamsUserWithoutAnyAddressIsUnmatched() {
        MappingReport r = new UserMatcher().match(List.of(teams("t1", null, null)), List.of(pbx("1", "anna", "a@corp.example")));
        assertThat(r.matched()).isEmpty();
        assertThat(r.unmatchedTeams()).extracting(TeamsUser::id).containsExactly("t1");
        assertThat(r.problems()).hasSize(2);
    }

    @Test
    void twoPbxUsersWithOneAddressAreReportedNotGuessed() {
        MappingReport r = new UserMatcher().match(
                List.of(teams("t1", null, "anna@corp.example")),
                List.of(pbx("1", "anna", "Anna@corp.example"), pbx("2", "anna2", "anna@corp.example")));
        assertThat(r.matched()).isEmpty();
        assertThat(r.ambiguous()).singleElement().satisfies(a -> {
            assertThat(a.address()).isEqualTo("anna@corp.example");
            assertThat(a.pbxUsers()).extracting(PbxUser::id).containsExactlyInAnyOrder("1", "2");
        });
        assertThat(r.unmatchedPbx()).isEmpty();
        assertThat(r.unmatchedTeams()).isEmpty();
        assertThat(r.problems()).singleElement().asString().contains("2 PBX users have the e-mail anna@corp.example");
    }

    @Test
    void twoTeamsUsersOnOnePbxUserAreReportedNotGuessed() {
        MappingReport r = new UserMatcher().match(
                List.of(teams("t1", null, "anna@corp.example"), teams("t2", "ANNA@corp.example", null)),
                List.of(pbx("1", "anna", "anna@corp.example")));
        assertThat(r.matched()).isEmpty();
        assertThat(r.ambiguous()).singleElement().satisfies(a -> {
            assertThat(a.teamsUsers()).extracting(TeamsUser::id).containsExactly("t1", "t2");
            assertThat(a.pbxUsers()).extracting(PbxUser::id).containsExactly("1");
        });
        assertThat(r.unmatchedPbx()).isEmpty();
    }

    @Test
    void overrideWinsOverMail() {
        MappingReport r = new UserMatcher(Map.of(" Anna@Corp.Example", "0002")).match(
                List.of(teams("t1", null, "anna@corp.example")),
                List.of(pbx("1", "0001", "anna@corp.example"), pbx("2", "0002", "other@corp.example")));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "2"));
        assertThat(r.matched().get(0).matchedBy()).isEqualTo("override");
        assertThat(r.unmatchedPbx()).extracting(PbxUser::id).containsExactly("1");
    }

    @Test
    void overrideByUserPrincipalName() {
        MappingReport r = new UserMatcher(Map.of("anna@tenant.onmicrosoft.com", "0002")).match(
                List.of(teams("t1", "anna@tenant.onmicrosoft.com", "anna@corp.example")),
                List.of(pbx("2", "0002", null)));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "2"));
    }

    @Test
    void overrideNamingUnknownLoginIsReported() {
        MappingReport r = new UserMatcher(Map.of("anna@corp.example", "9999")).match(
                List.of(teams("t1", null, "anna@corp.example")),
                List.of(pbx("1", "0001", "anna@corp.example")));
        assertThat(r.matched()).isEmpty();
        assertThat(r.overrideProblems()).singleElement().asString().contains("9999").contains("no PBX user");
        assertThat(r.unmatchedTeams()).extracting(TeamsUser::id).containsExactly("t1");
    }

    @Test
    void overrideForUnknownTeamsAddressIsReported() {
        MappingReport r = new UserMatcher(Map.of("ghost@corp.example", "0001")).match(
                List.of(), List.of(pbx("1", "0001", null)));
        assertThat(r.overrideProblems()).singleElement().asString().contains("ghost@corp.example");
    }

    @Test
    void overrideNamingDuplicateLoginIsAmbiguous() {
        MappingReport r = new UserMatcher(Map.of("anna@corp.example", "x")).match(
                List.of(teams("t1", null, "anna@corp.example")),
                List.of(pbx("1", "X", null), pbx("2", "x", null)));
        assertThat(r.matched()).isEmpty();
        assertThat(r.ambiguous()).hasSize(1);
    }

    @Test
    void disabledAccountsAreNotMatched() {
        TeamsUser off = new TeamsUser("t1", null, "anna@corp.example", "Anna", false);
        MappingReport r = new UserMatcher().match(List.of(off), List.of(pbx("1", "anna", "anna@corp.example")));
        assertThat(r.matched()).isEmpty();
        assertThat(r.disabledTeams()).containsExactly(off);
        assertThat(r.unmatchedTeams()).isEmpty();
        assertThat(r.unmatchedPbx()).extracting(PbxUser::id).containsExactly("1");
    }

    @Test
    void disabledDuplicateDoesNotMakeEnabledUserAmbiguous() {
        MappingReport r = new UserMatcher().match(
                List.of(new TeamsUser("old", null, "anna@corp.example", "Anna (old)", false), teams("t1", null, "anna@corp.example")),
                List.of(pbx("1", "anna", "anna@corp.example")));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "1"));
    }

    @Test
    void groupScopeIsTheCallersList() {
        MappingReport r = new UserMatcher().match(
                List.of(teams("t1", null, "anna@corp.example"), teams("t2", null, "bob@corp.example")),
                List.of(pbx("1", "anna", "anna@corp.example")));
        assertThat(pairs(r)).containsExactly(Map.entry("t1", "1"));
        assertThat(r.unmatchedTeams()).extracting(TeamsUser::id).containsExactly("t2");
    }

    @Test
    void rejectsBlankOverrides() {
        assertThatThrownBy(() -> new UserMatcher(Map.of("anna@corp.example", " ")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("anna@corp.example");
    }

    @Test
    void rejectsOverridesThatDifferOnlyInCase() {
        assertThatThrownBy(() -> new UserMatcher(Map.of("a@corp.example", "1", "A@corp.example", "2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }
}
