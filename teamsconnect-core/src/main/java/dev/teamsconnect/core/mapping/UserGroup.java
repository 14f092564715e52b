package dev.teamsconnect.core.mapping;

import java.util.List;

/**
 * A named list of users that share one {@link UserOverride}, e.g. the support team that wants DND only in calls.
 * Members are Teams mail addresses, userPrincipalNames or PBX logins, compared case-insensitively.
 *
 * @param name     the group's name, used in reasons ("group support")
 * @param members  the members' keys, in the order given (normalised to lower case)
 * @param override what the members get
 */
public record UserGroup(String name, List<String> members, UserOverride override) {

    public UserGroup {
        members = List.copyOf(members);
    }
}
