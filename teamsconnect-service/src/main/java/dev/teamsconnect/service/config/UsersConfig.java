package dev.teamsconnect.service.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code users} section.
 *
 * @param scope     all PBX users or one group, default all
 * @param group     the PBX group name; present exactly when scope is group
 * @param overrides explicit matches: Teams mail or UPN (lower case) to PBX login, for users whose addresses differ
 */
public record UsersConfig(UserScope scope, Optional<String> group, Map<String, String> overrides) {

    public UsersConfig {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(group, "group");
        overrides = Map.copyOf(overrides);
    }
}
