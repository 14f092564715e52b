package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;

/**
 * Decides what the PBX should show for one user, given the Teams presence and its category. Pure and
 * thread-safe; time-dependent rules (grace period, debounce) live in the engine, which has the clock.
 */
@FunctionalInterface
public interface StatusPolicy {

    DesiredState desired(MappedUser user, TeamsPresence presence, PresenceCategory category);
}
