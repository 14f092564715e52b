package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Renders a {@link MappingReport} as plain-text tables for {@code check}. */
public final class MappingTable {

    private MappingTable() {
    }

    /** The report: a summary line, then one table per outcome (empty outcomes are left out). */
    public static String render(MappingReport r) {
        StringBuilder out = new StringBuilder();
        out.append("User mapping: ").append(r.matched().size()).append(" matched, ")
                .append(r.unmatchedTeams().size()).append(" unmatched Teams, ")
                .append(r.unmatchedPbx().size()).append(" unmatched PBX, ")
                .append(r.ambiguous().size()).append(" ambiguous, ")
                .append(r.disabledTeams().size()).append(" disabled Teams accounts\n");

        List<MappedUser> matched = new ArrayList<>(r.matched());
        matched.sort(Comparator.comparing((MappedUser m) -> m.pbx().label()));
        List<List<String>> rows = new ArrayList<>();
        for (MappedUser m : matched) {
            rows.add(List.of(m.teams().label(), m.pbx().label(), m.matchedBy()));
        }
        table(out, "Matched (" + matched.size() + ")", List.of("Teams user", "PBX user", "matched by"), rows);

        rows = new ArrayList<>();
        for (TeamsUser u : sortedTeams(r.unmatchedTeams())) {
            rows.add(List.of(u.label(), "no PBX user has this e-mail; add users.overrides if the addresses differ"));
        }
        table(out, "Unmatched Teams users (" + rows.size() + ")", List.of("Teams user", "why"), rows);

        rows = new ArrayList<>();
        for (PbxUser u : sortedPbx(r.unmatchedPbx())) {
            rows.add(List.of(u.label(), u.email() == null ? "has no e-mail address in the PBX"
                    : "no enabled Teams user has the e-mail " + u.email()));
        }
        table(out, "Unmatched PBX users (" + rows.size() + ")", List.of("PBX user", "why"), rows);

        rows = new ArrayList<>();
        for (MappingReport.AmbiguousMatch a : r.ambiguous()) {
            rows.add(List.of(a.address(), a.problem() + "; nobody behind it is synced: fix the addresses or add an override"));
        }
        table(out, "Ambiguous (" + rows.size() + ")", List.of("address", "problem"), rows);

        rows = new ArrayList<>();
        for (String p : r.overrideProblems()) {
            rows.add(List.of(p));
        }
        table(out, "Override problems (" + rows.size() + ")", List.of("problem"), rows);
        return out.toString();
    }

    private static List<TeamsUser> sortedTeams(List<TeamsUser> users) {
        List<TeamsUser> l = new ArrayList<>(users);
        l.sort(Comparator.comparing(TeamsUser::label));
        return l;
    }

    private static List<PbxUser> sortedPbx(List<PbxUser> users) {
        List<PbxUser> l = new ArrayList<>(users);
        l.sort(Comparator.comparing(PbxUser::label));
        return l;
    }

    private static void table(StringBuilder out, String title, List<String> header, List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        out.append('\n').append(title).append('\n');
        line(out, header, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        line(out, rule, width);
        for (List<String> row : rows) {
            line(out, row, width);
        }
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder("  ");
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            l.append(c);
            if (i < cells.size() - 1) {
                l.append(" ".repeat(width[i] - c.length() + 2));
            }
        }
        out.append(l.toString().stripTrailing()).append('\n');
    }
}
