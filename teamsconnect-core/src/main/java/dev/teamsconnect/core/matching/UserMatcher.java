package dev.teamsconnect.core.matching;

import dev.teamsconnect.core.matching.MappingReport.AmbiguousMatch;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Matches Teams users to PBX users.
 *
 * <p>Rules, in order: an explicit override (Teams mail or userPrincipalName -> PBX login) wins; otherwise the
 * Teams {@code mail} is compared with the PBX e-mail, and when the mail finds nobody, the
 * {@code userPrincipalName}. Addresses and logins are compared trimmed and case-insensitively. Disabled Teams
 * accounts are never matched. Anything ambiguous (one address on two PBX users, two Teams users on one PBX
 * user, an override login used by two PBX users) is reported and nobody involved is matched.
 * Group scope is the caller's job: pass only the members of the group as {@code pbxUsers}.
 *
 * <p>Pure and thread-safe; does not log (the engine logs each problem of a report once).
 */
public final class UserMatcher {

    private final Map<String, String> overrides;

    /** No overrides. */
    public UserMatcher() {
        this(Map.of());
    }

    /**
     * @param overrides Teams mail or userPrincipalName -> PBX login; keys and values are compared trimmed and
     *                  case-insensitively
     * @throws IllegalArgumentException if a key or value is blank, or two keys differ only in case
     */
    public UserMatcher(Map<String, String> overrides) {
        Map<String, String> normalized = new LinkedHashMap<>();
        overrides.forEach((address, login) -> {
            if (address == null || address.isBlank() || login == null || login.isBlank()) {
                throw new IllegalArgumentException("user override must map a non-blank Teams address to a non-blank"
                        + " PBX login, but was \"" + address + "\" -> \"" + login + "\"");
            }
            if (normalized.put(key(address), login.trim()) != null) {
                throw new IllegalArgumentException("user override for \"" + address.trim() + "\" is given twice");
            }
        });
        this.overrides = Map.copyOf(normalized);
    }

    static String key(String address) {
        return address.trim().toLowerCase(Locale.ROOT);
    }

    /** Matches the given users; never throws for data problems, which go into the report. */
    public MappingReport match(Collection<TeamsUser> teamsUsers, Collection<PbxUser> pbxUsers) {
        Map<String, List<PbxUser>> byEmail = new HashMap<>();
        Map<String, List<PbxUser>> byLogin = new HashMap<>();
        for (PbxUser p : pbxUsers) {
            if (p.email() != null) {
                byEmail.computeIfAbsent(key(p.email()), k -> new ArrayList<>()).add(p);
            }
            if (p.login() != null) {
                byLogin.computeIfAbsent(key(p.login()), k -> new ArrayList<>()).add(p);
            }
        }

        List<AmbiguousMatch> ambiguous = new ArrayList<>();
        List<String> overrideProblems = new ArrayList<>();
        List<TeamsUser> unmatchedTeams = new ArrayList<>();
        List<TeamsUser> disabled = new ArrayList<>();
        Set<String> pbxInAmbiguity = new HashSet<>();
        Set<String> usedOverrides = new HashSet<>();
        // PBX id -> proposals; a PBX user with two proposals is ambiguous
        Map<String, List<MappedUser>> proposals = new LinkedHashMap<>();
        Map<String, String> proposalAddress = new HashMap<>();

        for (TeamsUser t : teamsUsers) {
            String mail = t.mail() == null ? null : key(t.mail());
            String upn = t.userPrincipalName() == null ? null : key(t.userPrincipalName());
            String overrideKey = mail != null && overrides.containsKey(mail) ? mail
                    : upn != null && overrides.containsKey(upn) ? upn : null;
            if (overrideKey != null) {
                usedOverrides.add(overrideKey);
            }
            if (!t.enabled()) {
                disabled.add(t);
                continue;
            }
            if (overrideKey != null) {
                String login = overrides.get(overrideKey);
                List<PbxUser> found = byLogin.getOrDefault(key(login), List.of());
                if (found.isEmpty()) {
                    overrideProblems.add("override " + overrideKey + " -> " + login + ": no PBX user (in scope) has the"
                            + " login " + login + "; Teams user " + t.label() + " not matched");
                    unmatchedTeams.add(t);
                } else if (found.size() > 1) {
                    ambiguous.add(new AmbiguousMatch(key(login), List.of(t), found,
                            found.size() + " PBX users have the login " + login + " named by the override for " + overrideKey));
                    found.forEach(p -> pbxInAmbiguity.add(p.id()));
                } else {
                    propose(proposals, proposalAddress, new MappedUser(t, found.get(0), "override"), overrideKey);
                }
                continue;
            }
            String address = null;
            String by = null;
            List<PbxUser> found = List.of();
            if (mail != null) {
                found = byEmail.getOrDefault(mail, List.of());
                address = mail;
                by = "mail";
            }
            if (found.isEmpty() && upn != null) {
                found = byEmail.getOrDefault(upn, List.of());
                address = upn;
                by = "userPrincipalName";
            }
            if (found.isEmpty()) {
                unmatchedTeams.add(t);
            } else if (found.size() > 1) {
                ambiguous.add(new AmbiguousMatch(address, List.of(t), found,
                        found.size() + " PBX users have the e-mail " + address + " (" + labels(found) + ")"));
                found.forEach(p -> pbxInAmbiguity.add(p.id()));
            } else {
                propose(proposals, proposalAddress, new MappedUser(t, found.get(0), by), address);
            }
        }

        List<MappedUser> matched = new ArrayList<>();
        for (Map.Entry<String, List<MappedUser>> e : proposals.entrySet()) {
            List<MappedUser> list = e.getValue();
            if (list.size() == 1) {
                matched.add(list.get(0));
            } else {
                PbxUser p = list.get(0).pbx();
                List<TeamsUser> teams = list.stream().map(MappedUser::teams).toList();
                ambiguous.add(new AmbiguousMatch(proposalAddress.get(e.getKey()), teams, List.of(p),
                        teams.size() + " Teams users map to PBX user " + p.label() + " ("
                                + String.join(", ", teams.stream().map(TeamsUser::label).toList()) + ")"));
                pbxInAmbiguity.add(p.id());
            }
        }
        for (String o : overrides.keySet()) {
            if (!usedOverrides.contains(o)) {
                overrideProblems.add("override " + o + " -> " + overrides.get(o) + ": no Teams user has this mail or"
                        + " userPrincipalName");
            }
        }
        Set<String> matchedPbx = new HashSet<>();
        matched.forEach(m -> matchedPbx.add(m.pbx().id()));
        List<PbxUser> unmatchedPbx = pbxUsers.stream()
                .filter(p -> !matchedPbx.contains(p.id()) && !pbxInAmbiguity.contains(p.id()))
                .toList();
        return new MappingReport(matched, unmatchedTeams, unmatchedPbx, ambiguous, disabled, overrideProblems);
    }

    private static void propose(Map<String, List<MappedUser>> proposals, Map<String, String> proposalAddress,
                                MappedUser m, String address) {
        proposals.computeIfAbsent(m.pbx().id(), k -> new ArrayList<>()).add(m);
        proposalAddress.putIfAbsent(m.pbx().id(), address);
    }

    private static String labels(List<PbxUser> users) {
        return String.join(", ", users.stream().map(PbxUser::label).toList());
    }
}
