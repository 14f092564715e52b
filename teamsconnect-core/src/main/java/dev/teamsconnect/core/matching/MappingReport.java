package dev.teamsconnect.core.matching;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of matching Teams users to PBX users. Immutable. Nothing in here is guessed: a Teams user is
 * either matched to exactly one PBX user, or listed as unmatched, ambiguous or disabled.
 *
 * @param matched           the pairs the engine will drive
 * @param unmatchedTeams    enabled Teams users for whom no PBX user was found
 * @param unmatchedPbx      PBX users (in scope) that no Teams user drives and that are not part of an ambiguity
 * @param ambiguous         addresses that point at more than one user on either side; none of them is matched
 * @param disabledTeams     disabled Teams accounts, never matched
 * @param overrideProblems  overrides that could not be applied (unknown PBX login, unknown Teams address)
 */
public record MappingReport(List<MappedUser> matched, List<TeamsUser> unmatchedTeams, List<PbxUser> unmatchedPbx,
                            List<AmbiguousMatch> ambiguous, List<TeamsUser> disabledTeams,
                            List<String> overrideProblems) {

    public MappingReport {
        matched = List.copyOf(matched);
        unmatchedTeams = List.copyOf(unmatchedTeams);
        unmatchedPbx = List.copyOf(unmatchedPbx);
        ambiguous = List.copyOf(ambiguous);
        disabledTeams = List.copyOf(disabledTeams);
        overrideProblems = List.copyOf(overrideProblems);
    }

    /**
     * One address that names more than one user, so nobody behind it is matched.
     *
     * @param address       the normalised address (or PBX login) in question
     * @param teamsUsers    the Teams users involved
     * @param pbxUsers      the PBX users involved
     * @param problem       a readable description, e.g. "2 PBX users have the e-mail a@b.c"
     */
    public record AmbiguousMatch(String address, List<TeamsUser> teamsUsers, List<PbxUser> pbxUsers, String problem) {
        public AmbiguousMatch {
            Objects.requireNonNull(address, "address");
            teamsUsers = List.copyOf(teamsUsers);
            pbxUsers = List.copyOf(pbxUsers);
            Objects.requireNonNull(problem, "problem");
        }
    }

    /** Every problem as one readable line each (ambiguities, override problems, unmatched users on either side). */
    public List<String> problems() {
        List<String> lines = new ArrayList<>();
        for (AmbiguousMatch a : ambiguous) {
            lines.add("ambiguous: " + a.problem() + "; not matched, fix the addresses or add an override");
        }
        lines.addAll(overrideProblems);
        for (TeamsUser u : unmatchedTeams) {
            lines.add("unmatched Teams user " + u.label() + ": no PBX user has this e-mail; add an override if the addresses differ");
        }
        for (PbxUser u : unmatchedPbx) {
            lines.add("unmatched PBX user " + u.label() + (u.email() == null ? ": has no e-mail address"
                    : ": no enabled Teams user has the e-mail " + u.email()));
        }
        return List.copyOf(lines);
    }
}
