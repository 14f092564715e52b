package dev.teamsconnect.service.runtime;

import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import dev.teamsconnect.service.i18n.Messages;
import java.text.Collator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a {@link MappingReport} for {@code check}: the problems first (each with what to do), then one line
 * counting the users that are fine; {@code --all} adds a table of every matched user, {@code --format csv} gives
 * every row as CSV for a spreadsheet. Names are sorted by the collation of the report's language (Köhler before
 * Krüger).
 */
public final class MappingTable {

    /** What a row of the report is; the code is the CSV's stable first column. */
    enum Outcome {
        AMBIGUOUS("ambiguous", true),
        OVERRIDE_PROBLEM("override_problem", true),
        UNMATCHED_TEAMS("unmatched_teams", true),
        UNMATCHED_PBX("unmatched_pbx", true),
        DISABLED_TEAMS_WITH_PBX("disabled_teams", true),
        MATCHED("matched", false),
        OUTSIDE_GROUP("outside_group", false),
        DISABLED_TEAMS("disabled_teams", false);

        final String code;
        final boolean problem;

        Outcome(String code, boolean problem) {
            this.code = code;
            this.problem = problem;
        }
    }

    /** One row: the outcome, the user on each side (empty when there is none), what it means or what to do. */
    record Row(Outcome outcome, String teams, String pbx, String detail) {
    }

    /**
     * The users' scope, for the reasons of unmatched Teams users.
     *
     * @param group        {@code users.group}, or null when every PBX user is in scope
     * @param outsideGroup the PBX users that are not members of {@code group} (empty when unknown or not a group)
     */
    public record Scope(String group, List<PbxUser> outsideGroup) {
        public Scope {
            outsideGroup = List.copyOf(outsideGroup);
        }

        /** Every PBX user is in scope. */
        public static Scope allUsers() {
            return new Scope(null, List.of());
        }
    }

    private MappingTable() {
    }

    /** The report as text: problems first, then the counts; with {@code all} every user that is fine as well. */
    public static String render(MappingReport r, Scope scope, Messages m, boolean all) {
        List<Row> rows = rows(r, scope, m);
        StringBuilder out = new StringBuilder();
        List<Row> problems = rows.stream().filter(x -> x.outcome().problem).toList();
        if (problems.isEmpty()) {
            out.append(m.get("mapping.noProblems")).append('\n');
        } else {
            out.append(m.get("mapping.problems", problems.size())).append('\n');
            table(out, List.of(m.get("mapping.col.what"), m.get("mapping.col.teams"), m.get("mapping.col.pbx"),
                    m.get("mapping.col.problem")), problems.stream()
                    .map(x -> List.of(m.get("outcome." + x.outcome().name()), x.teams(), x.pbx(), x.detail())).toList());
        }
        long outside = count(rows, Outcome.OUTSIDE_GROUP);
        long disabled = count(rows, Outcome.DISABLED_TEAMS) + count(rows, Outcome.DISABLED_TEAMS_WITH_PBX);
        StringBuilder counts = new StringBuilder(m.get("mapping.matched", r.matched().size()));
        if (scope.group() != null) {
            counts.append(", ").append(m.get("mapping.outsideGroup", outside, scope.group()));
        }
        if (disabled > 0) {
            counts.append(", ").append(m.get("mapping.disabled", disabled));
        }
        out.append('\n').append(counts).append(all ? "." : m.get("mapping.allHint")).append('\n');
        if (all) {
            for (Outcome o : List.of(Outcome.MATCHED, Outcome.OUTSIDE_GROUP, Outcome.DISABLED_TEAMS)) {
                List<List<String>> fine = rows.stream().filter(x -> x.outcome() == o)
                        .map(x -> List.of(x.teams(), x.pbx(), x.detail())).toList();
                if (!fine.isEmpty()) {
                    out.append('\n').append(m.get("mapping.title." + o.name(), fine.size())).append('\n');
                    table(out, List.of(m.get("mapping.col.teams"), m.get("mapping.col.pbx"), m.get("mapping.col.detail")),
                            fine);
                }
            }
        }
        return out.toString();
    }

    /**
     * Every row as CSV (RFC 4180, comma, CRLF), problems first: {@code outcome,teams_user,pbx_user,detail}. A cell
     * that a spreadsheet would take for a formula ({@code = + - @}) gets a leading {@code '}: the names come from
     * the directory and the PBX, not from the admin.
     */
    public static String csv(MappingReport r, Scope scope, Messages m) {
        StringBuilder out = new StringBuilder("outcome,teams_user,pbx_user,detail\r\n");
        for (Row x : rows(r, scope, m)) {
            out.append(cell(x.outcome().code)).append(',').append(cell(x.teams())).append(',').append(cell(x.pbx()))
                    .append(',').append(cell(x.detail())).append("\r\n");
        }
        return out.toString();
    }

    /** All rows, problems first, each kind sorted by name in the report's collation. */
    static List<Row> rows(MappingReport r, Scope scope, Messages m) {
        Map<String, PbxUser> outsideByAddress = new HashMap<>();
        for (PbxUser p : scope.outsideGroup()) {
            if (p.email() != null) {
                outsideByAddress.putIfAbsent(key(p.email()), p);
            }
        }
        Map<String, TeamsUser> disabledByAddress = new HashMap<>();
        for (TeamsUser t : r.disabledTeams()) {
            for (String a : addresses(t)) {
                disabledByAddress.putIfAbsent(a, t);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (MappingReport.AmbiguousMatch a : r.ambiguous()) {
            String teams = String.join(", ", a.teamsUsers().stream().map(TeamsUser::label).toList());
            String pbx = String.join(", ", a.pbxUsers().stream().map(PbxUser::label).toList());
            rows.add(new Row(Outcome.AMBIGUOUS, teams, pbx, a.pbxUsers().size() > 1
                    ? m.get("mapping.ambiguousPbx", a.pbxUsers().size(), a.address())
                    : m.get("mapping.ambiguousTeams", a.teamsUsers().size(), a.address())));
        }
        for (String p : r.overrideProblems()) {
            // the matcher's own sentence (English): it names the override and the user
            rows.add(new Row(Outcome.OVERRIDE_PROBLEM, "", "", p));
        }
        java.util.Set<String> disabledWithPbx = new java.util.HashSet<>();
        for (PbxUser p : r.unmatchedPbx()) {
            TeamsUser off = p.email() == null ? null : disabledByAddress.get(key(p.email()));
            if (p.email() == null) {
                rows.add(new Row(Outcome.UNMATCHED_PBX, "", p.label(), m.get("mapping.pbxNoEmail")));
            } else if (off != null) {
                disabledWithPbx.add(off.id());
                rows.add(new Row(Outcome.DISABLED_TEAMS_WITH_PBX, off.label(), p.label(), m.get("mapping.teamsDisabled")));
            } else {
                rows.add(new Row(Outcome.UNMATCHED_PBX, "", p.label(), m.get("mapping.noTeamsUser", p.email())));
            }
        }
        for (TeamsUser t : r.unmatchedTeams()) {
            PbxUser outside = null;
            for (String a : addresses(t)) {
                outside = outside != null ? outside : outsideByAddress.get(a);
            }
            if (outside != null) {
                rows.add(new Row(Outcome.OUTSIDE_GROUP, t.label(), outside.label(), m.get("mapping.notInGroup", scope.group())));
            } else if (scope.group() != null) {
                rows.add(new Row(Outcome.UNMATCHED_TEAMS, t.label(), "", m.get("mapping.noPbxUserAtAll")));
            } else {
                rows.add(new Row(Outcome.UNMATCHED_TEAMS, t.label(), "", m.get("mapping.noPbxUser")));
            }
        }
        for (MappedUser u : r.matched()) {
            rows.add(new Row(Outcome.MATCHED, u.teams().label(), u.pbx().label(), u.matchedBy()));
        }
        for (TeamsUser t : r.disabledTeams()) {
            if (!disabledWithPbx.contains(t.id())) {
                rows.add(new Row(Outcome.DISABLED_TEAMS, t.label(), "", m.get("mapping.disabledAccount")));
            }
        }
        Collator collator = m.collator();
        Comparator<Row> byName = Comparator.comparing((Row x) -> x.teams().isEmpty() ? x.pbx() : x.teams(), collator)
                .thenComparing(Row::pbx, collator);
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(Row::outcome).thenComparing(byName));
        return sorted;
    }

    private static long count(List<Row> rows, Outcome o) {
        return rows.stream().filter(x -> x.outcome() == o).count();
    }

    private static List<String> addresses(TeamsUser t) {
        List<String> a = new ArrayList<>(2);
        if (t.mail() != null) {
            a.add(key(t.mail()));
        }
        if (t.userPrincipalName() != null) {
            a.add(key(t.userPrincipalName()));
        }
        return a;
    }

    private static String key(String address) {
        return address.strip().toLowerCase(Locale.ROOT);
    }

    private static String cell(String value) {
        String v = Objects.requireNonNullElse(value, "");
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            v = '"' + v.replace("\"", "\"\"") + '"';
        }
        return v;
    }

    private static void table(StringBuilder out, List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
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
