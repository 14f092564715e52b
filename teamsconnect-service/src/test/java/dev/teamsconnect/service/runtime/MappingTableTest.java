package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.service.i18n.Messages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingTableTest {

    private static final Messages EN = Messages.forLanguage("en");
    private static final Messages DE = Messages.forLanguage("de");

    private static final List<TeamsUser> TEAMS = List.of(
            new TeamsUser("t1", "ann@example.com", "ann@example.com", "Ann Lee", true),
            new TeamsUser("t2", "eve@example.com", "eve@example.com", "Eve Noor", true),
            new TeamsUser("t3", "max@example.com", "max@example.com", "Max Dual", true),
            new TeamsUser("t4", "bo.b@example.com", "bo.b@example.com", "Bob Marx", true),
            new TeamsUser("t5", "gone@example.com", "gone@example.com", "Gone Away", false));
    private static final List<PbxUser> PBX = List.of(
            new PbxUser("1", "1001", "ann@example.com", "Ann Lee"),
            new PbxUser("2", "1002", "bob@example.com", "Bob Marx"),
            new PbxUser("3", "1003", "max@example.com", "Max One"),
            new PbxUser("4", "1004", "max@example.com", "Max Two"),
            new PbxUser("5", "1005", null, "Lobby"),
            new PbxUser("6", "1006", "gone@example.com", "Gone Away"));

    private static MappingReport report() {
        return new UserMatcher(Map.of("bo.b@example.com", "1002")).match(TEAMS, PBX);
    }

    @Test
    void listsTheProblemsFirstThenOneLineCountingTheMatchedUsers() {
        String text = MappingTable.render(report(), MappingTable.Scope.allUsers(), EN, false);

        assertThat(text).startsWith("User mapping: 4 problem(s):");
        assertThat(text).containsPattern("unmatched Teams +Eve Noor <eve@example.com> +no PBX user has this e-mail");
        assertThat(text).containsPattern("unmatched PBX +Lobby \\(1005\\) +has no e-mail address");
        assertThat(text).containsPattern("ambiguous +Max Dual <max@example.com> +Max One \\(1003\\), Max Two \\(1004\\)");
        // a disabled Teams account is named as disabled, not as "no enabled Teams user has the e-mail"
        assertThat(text).containsPattern("disabled Teams +Gone Away <gone@example.com> +Gone Away \\(1006\\) +the Teams"
                + " account with this e-mail is disabled");
        assertThat(text).doesNotContain("no enabled Teams user");
        assertThat(text).contains("2 users matched, 1 disabled Teams account (not synced); check --all lists them.");
        // matched users are counted, not listed
        assertThat(text).doesNotContain("Ann Lee <ann@example.com>");
        assertThat(text.indexOf("problem(s)")).isLessThan(text.indexOf("users matched"));
    }

    @Test
    void allListsEveryMatchedUserInAlignedColumns() {
        String text = MappingTable.render(report(), MappingTable.Scope.allUsers(), EN, true);

        assertThat(text).contains("Matched (2)").containsPattern("Ann Lee <ann@example.com> +Ann Lee \\(1001\\) +mail")
                .containsPattern("Bob Marx <bo.b@example.com> +Bob Marx \\(1002\\) +override");
        List<String> rows = text.lines().filter(l -> l.contains("(100")).filter(l -> l.contains(" mail")
                || l.contains(" override")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).indexOf("Ann Lee (1001)")).isEqualTo(rows.get(1).indexOf("Bob Marx (1002)"));
    }

    @Test
    void inGroupScopeAUserWhosePbxUserIsOutsideTheGroupIsNotInTheGroupNotMissing() {
        List<PbxUser> group = List.of(PBX.get(0));
        MappingReport r = new UserMatcher(Map.of()).match(List.of(TEAMS.get(0), TEAMS.get(1), TEAMS.get(2)), group);
        MappingTable.Scope scope = new MappingTable.Scope("Sales", PBX.subList(1, PBX.size()));

        String text = MappingTable.render(r, scope, EN, false);

        // Max has PBX users, outside the group: counted, not a problem; Eve has none at all: a problem
        assertThat(text).contains("1 user matched, 1 Teams users with a PBX user outside group 'Sales' (not synced)");
        assertThat(text).containsPattern("Eve Noor <eve@example.com> +no PBX user \\(in the group or outside it\\)");
        assertThat(text).doesNotContain("Max Dual");
        assertThat(MappingTable.render(r, scope, EN, true)).containsPattern("Max Dual <max@example.com> +Max One \\(1003\\)"
                + " +not in group Sales");
    }

    @Test
    void sortsNamesTheGermanWay() {
        List<TeamsUser> teams = new ArrayList<>();
        for (String n : List.of("Krüger", "Köhler", "Kuhn", "Ärger", "Adam", "Zander")) {
            teams.add(new TeamsUser("t" + n, null, n.toLowerCase(java.util.Locale.ROOT) + "@example.com", n, true));
        }
        MappingReport r = new UserMatcher(Map.of()).match(teams, List.of());

        List<String> order = MappingTable.rows(r, MappingTable.Scope.allUsers(), DE).stream()
                .map(x -> x.teams().split(" ")[0]).toList();

        assertThat(order).containsExactly("Adam", "Ärger", "Köhler", "Krüger", "Kuhn", "Zander");
    }

    @Test
    void speaksGermanWithGermanNumbers() {
        List<TeamsUser> teams = new ArrayList<>();
        List<PbxUser> pbx = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            teams.add(new TeamsUser("t" + i, null, "u" + i + "@example.com", "U" + i, true));
            pbx.add(new PbxUser("" + i, "" + (1000 + i), "u" + i + "@example.com", "U" + i));
        }
        String text = MappingTable.render(new UserMatcher(Map.of()).match(teams, pbx), MappingTable.Scope.allUsers(),
                DE, false);

        assertThat(text).contains("Benutzerzuordnung: keine Probleme.").contains("1.200 Benutzer zugeordnet");
    }

    @Test
    void csvHasEveryRowWithAStableOutcomeCodeAndDefusesFormulas() {
        List<TeamsUser> teams = new ArrayList<>(TEAMS);
        teams.add(new TeamsUser("t9", null, "calc@example.com", "=HYPERLINK(\"x\",\"y\")", true));
        String csv = MappingTable.csv(new UserMatcher(Map.of("bo.b@example.com", "1002")).match(teams, PBX),
                MappingTable.Scope.allUsers(), EN);

        List<String> lines = csv.lines().toList();
        assertThat(lines.get(0)).isEqualTo("outcome,teams_user,pbx_user,detail");
        assertThat(csv).contains("\r\n");
        assertThat(lines).anyMatch(l -> l.startsWith("matched,Ann Lee <ann@example.com>,Ann Lee (1001),mail"));
        assertThat(lines).anyMatch(l -> l.startsWith("unmatched_pbx,,Lobby (1005),"));
        assertThat(lines).anyMatch(l -> l.startsWith("disabled_teams,Gone Away <gone@example.com>,Gone Away (1006),"));
        // a cell starting with = is not a formula for the spreadsheet; quotes are doubled inside a quoted cell
        assertThat(lines).anyMatch(l -> l.startsWith("unmatched_teams,\"'=HYPERLINK(\"\"x\"\",\"\"y\"\") <calc@example.com>\","));
        // problems come before the matched users
        assertThat(csv.indexOf("unmatched_teams")).isLessThan(csv.indexOf("matched,"));
    }
}
