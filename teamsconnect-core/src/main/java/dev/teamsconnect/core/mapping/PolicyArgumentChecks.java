package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.model.PresenceCategory;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What {@link ConfigurableStatusPolicy.Builder} accepts, apart from chat texts ({@link ChatStatusTemplates}): DND
 * category sets, user keys, overrides and group membership. Each check throws {@link IllegalArgumentException}
 * naming the field and the bad value.
 */
final class PolicyArgumentChecks {

    private PolicyArgumentChecks() {
    }

    /** A user key as compared: stripped and lower case. */
    static String normalizeKey(String key) {
        return key.strip().toLowerCase(Locale.ROOT);
    }

    /** A set of DND categories: no null, no UNKNOWN, no AVAILABLE; may be empty. */
    static Set<PresenceCategory> checkDndCategories(String field, Collection<PresenceCategory> categories) {
        if (categories == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        Set<PresenceCategory> set = EnumSet.noneOf(PresenceCategory.class);
        for (PresenceCategory c : categories) {
            if (c == null) {
                throw new IllegalArgumentException(field + " must not contain null, but was " + categories);
            }
            if (c == PresenceCategory.UNKNOWN) {
                throw new IllegalArgumentException(field + " must not contain UNKNOWN: a presence that cannot be"
                        + " read would put users on DND, but was " + categories);
            }
            if (c == PresenceCategory.AVAILABLE) {
                throw new IllegalArgumentException(field + " must not contain AVAILABLE: an available user can"
                        + " take calls, but was " + categories);
            }
            set.add(c);
        }
        return set;
    }

    /** A user key (mail, userPrincipalName, PBX login or e-mail): not blank; returned normalised. */
    static String checkKey(String field, String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException(field + " key must not be blank, but was "
                    + (key == null ? "null" : "\"" + key + "\""));
        }
        return normalizeKey(key);
    }

    /** An override: present, valid DND categories, and an opt-out sets nothing else. */
    static void checkOverride(String field, UserOverride override) {
        if (override == null) {
            throw new IllegalArgumentException(field + " override must not be null");
        }
        if (override.dndCategories() != null) {
            checkDndCategories(field + ".dndCategories", override.dndCategories());
        }
        if (override.optOut() && (override.dndCategories() != null || override.chatStatus() != null)) {
            throw new IllegalArgumentException(field + " opts the user out, so it must not set dndCategories or"
                    + " chatStatus, but was " + override);
        }
    }

    /** Every member key is in one group only. */
    static void checkOneGroupPerMember(Collection<UserGroup> groups) {
        Map<String, String> groupOfMember = new LinkedHashMap<>();
        for (UserGroup g : groups) {
            for (String member : g.members()) {
                String other = groupOfMember.putIfAbsent(member, g.name());
                if (other != null) {
                    throw new IllegalArgumentException("groups: \"" + member + "\" is a member of both \"" + other
                            + "\" and \"" + g.name() + "\"; a user may be in one group only");
                }
            }
        }
    }
}
