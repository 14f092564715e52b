package dev.teamsconnect.core.matching;

import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.model.TeamsUser;
import java.util.Objects;

/**
 * A Teams user and the PBX user it drives.
 *
 * @param teams     the Teams user
 * @param pbx       the PBX user
 * @param matchedBy how the pair was found: {@code mail}, {@code userPrincipalName} or {@code override}
 */
public record MappedUser(TeamsUser teams, PbxUser pbx, String matchedBy) {

    public MappedUser {
        Objects.requireNonNull(teams, "teams");
        Objects.requireNonNull(pbx, "pbx");
        Objects.requireNonNull(matchedBy, "matchedBy");
    }
}
