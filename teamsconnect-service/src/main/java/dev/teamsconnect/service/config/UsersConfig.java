package dev.teamsconnect.service.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code users} section.
 *
 * @param scope           all PBX users or one group, default all
 * @param group           the PBX group name; present exactly when scope is group
 * @param overrides       explicit matches: Teams mail or UPN (lower case) to PBX login, for users whose addresses
 *                        differ
 * @param refreshInterval how often users are listed again on both sides and re-matched (a user added in Teams or on
 *                        the PBX is synced at most this much later), default 15 minutes; at least the poll interval
 */
public record UsersConfig(UserScope scope, Optional<String> group, Map<String, String> overrides,
                          Duration refreshInterval) {

    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(15);

    public UsersConfig {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(group, "group");
        overrides = Map.copyOf(overrides);
        Objects.requireNonNull(refreshInterval, "refreshInterval");
    }

    /** Users with the default refresh interval. */
    public UsersConfig(UserScope scope, Optional<String> group, Map<String, String> overrides) {
        this(scope, group, overrides, DEFAULT_REFRESH_INTERVAL);
    }
}
