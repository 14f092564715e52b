package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.matching.UserMatcher;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingTableTest {

    private static final List<TeamsUser> TEAMS = List.of(
            new TeamsUser("t1", "ann@example.com", "ann@example.com", "Ann Lee", true),
            new TeamsUser("t2", "eve@example.com", "eve@example.com", "Eve Noor", true),
            new TeamsUser("t3", "max@example.com", "max@example.com", "Max Dual", true),
            new TeamsUser("t4", "bo.b@example.com", "bo.b@example.com", "Bob Marx", true));
    private static final List<PbxUser> PBX = List.of(
            new PbxUser("1", "1001", "ann@example.com", "Ann Lee"),
            new PbxUser("2", "1002", "bob@example.com", "Bob Marx"),
            new PbxUser("3", "1003", "max@example.com", "Max One"),
            new PbxUser("4", "1004", "max@example.com", "Max Two"),
            new PbxUser("5", "1005", null, "Lobby"));

    @Test
    void rendersASummaryAndOneAlignedTablePerOutcome() {
        MappingReport report = new UserMatcher(Map.of("bo.b@example.com", "1002")).match(TEAMS, PBX);

        String text = MappingTable.render(report);

        assertThat(text).startsWith("User mapping: 2 matched, 1 unmatched Teams, 1 unmatched PBX, 1 ambiguous, 0 disabled");
        assertThat(text).contains("Matched (2)").containsPattern("Ann Lee <ann@example.com> +Ann Lee \\(1001\\) +mail")
                .containsPattern("Bob Marx <bo.b@example.com> +Bob Marx \\(1002\\) +override");
        assertThat(text).contains("Unmatched Teams users (1)").contains("Eve Noor <eve@example.com>");
        assertThat(text).contains("Unmatched PBX users (1)").containsPattern("Lobby \\(1005\\) +has no e-mail address");
        assertThat(text).contains("Ambiguous (1)").contains("max@example.com");
        assertThat(text).doesNotContain("Override problems");
        // the columns line up: the PBX column starts at the same place in every row of the matched table
        List<String> rows = text.lines().filter(l -> l.contains("(100")).filter(l -> l.contains("<")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).indexOf("Ann Lee (1001)")).isEqualTo(rows.get(1).indexOf("Bob Marx (1002)"));
    }
}
