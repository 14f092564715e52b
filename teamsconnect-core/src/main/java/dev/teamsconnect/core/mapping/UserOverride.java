package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.model.PresenceCategory;
import java.util.Collection;
import java.util.HashSet;
import java.util.Arrays;
import java.util.Set;

/**
 * How one user (or a {@link UserGroup}) departs from the policy's defaults. Immutable; the values are checked
 * when the override is given to {@link ConfigurableStatusPolicy.Builder}.
 *
 * @param optOut        {@code true}: the engine never touches this user (DND and chat status stay the user's own)
 * @param dndCategories the categories that mean DND for this user, or {@code null} to use the policy's
 * @param chatStatus    whether to set the chat status for this user, or {@code null} to use the policy's
 */
public record UserOverride(boolean optOut, Set<PresenceCategory> dndCategories, Boolean chatStatus) {

    public UserOverride {
        if (dndCategories != null) {
            if (dndCategories.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("dndCategories must not contain null, but was " + dndCategories);
            }
            dndCategories = Set.copyOf(dndCategories);
        }
    }

    /** The user is never touched. */
    public static UserOverride optingOut() {
        return new UserOverride(true, null, null);
    }

    /** Only these categories mean DND for the user (may be empty: never DND, but chat status as usual). */
    public static UserOverride withDndCategories(Collection<PresenceCategory> categories) {
        return new UserOverride(false, categories == null ? null : new HashSet<>(categories), null);
    }

    /** Only these categories mean DND for the user. */
    public static UserOverride withDndCategories(PresenceCategory... categories) {
        return withDndCategories(categories == null ? null : Arrays.asList(categories));
    }

    /** Turns the chat status on or off for the user. */
    public static UserOverride withChatStatus(boolean enabled) {
        return new UserOverride(false, null, enabled);
    }

    /** A copy with the chat status switch set. */
    public UserOverride chatStatus(boolean enabled) {
        return new UserOverride(optOut, dndCategories, enabled);
    }

    /** A copy with the DND categories set. */
    public UserOverride dndCategories(Collection<PresenceCategory> categories) {
        return new UserOverride(optOut, categories == null ? null : new HashSet<>(categories), chatStatus);
    }
}
