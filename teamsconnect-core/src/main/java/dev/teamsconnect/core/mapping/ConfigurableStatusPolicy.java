package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.matching.MappedUser;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.model.TeamsPresence;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The standard {@link StatusPolicy}: which categories put the PBX user on DND, which chat status text to show,
 * and per-user / per-group exceptions. Build it with {@link #builder()}; {@link #defaults()} gives the
 * documented defaults (DND for IN_A_CALL, BUSY and DO_NOT_DISTURB, chat status on, English texts).
 *
 * <p>Decisions: for a DND category the desired DND is {@code true}; for every other category it is {@code null}
 * ("the user's own"): the policy never forces DND off, so a user's hand-set DND survives. The chat status is the
 * category's template in the policy's language with {@code {message}} (the Teams status message, empty when
 * none) and {@code {category}} (the category's name) filled in, or {@code null} (the user's own) when the
 * category has no template, chat status is off, or the rendered text is empty.
 *
 * <p>Overrides are keyed by Teams mail, Teams userPrincipalName, PBX login or PBX e-mail, compared
 * case-insensitively. Resolution: an opt-out found anywhere wins; otherwise a per-user override beats a group
 * override; among groups the first one declared that lists the user wins.
 *
 * <p>Immutable and thread-safe; {@link #desired} is pure. The chat texts (defaults, placeholders, rendering) live in
 * {@code ChatStatusTemplates}, the builder's argument checks in {@code PolicyArgumentChecks}.
 */
public final class ConfigurableStatusPolicy implements StatusPolicy {

    /** The languages chat status texts exist in. */
    public static final List<String> LANGUAGES = List.of("de", "en");

    /** The placeholders a template may use. */
    public static final List<String> PLACEHOLDERS = List.of("{message}", "{category}");

    /** DND categories by default; the reference product also sets DND on Busy. */
    public static final Set<PresenceCategory> DEFAULT_DND_CATEGORIES = Collections.unmodifiableSet(
            EnumSet.of(PresenceCategory.IN_A_CALL, PresenceCategory.BUSY, PresenceCategory.DO_NOT_DISTURB));

    private static final ConfigurableStatusPolicy DEFAULTS = builder().build();

    private final Set<PresenceCategory> dndCategories;
    private final boolean chatStatusEnabled;
    private final String language;
    private final Map<String, Map<PresenceCategory, String>> templates;
    private final Map<String, UserOverride> userOverrides;
    private final List<UserGroup> groups;

    private ConfigurableStatusPolicy(Builder b) {
        this.dndCategories = Collections.unmodifiableSet(EnumSet.copyOf(b.dndCategories));
        this.chatStatusEnabled = b.chatStatusEnabled;
        this.language = b.language;
        Map<String, Map<PresenceCategory, String>> t = new LinkedHashMap<>();
        for (String lang : LANGUAGES) {
            t.put(lang, Collections.unmodifiableMap(new EnumMap<>(b.templates.get(lang))));
        }
        this.templates = Collections.unmodifiableMap(t);
        this.userOverrides = Collections.unmodifiableMap(new LinkedHashMap<>(b.userOverrides));
        this.groups = List.copyOf(b.groups.values());
    }

    /** The documented defaults. */
    public static ConfigurableStatusPolicy defaults() {
        return DEFAULTS;
    }

    /** A builder preset with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default chat status template of each category in {@code language} ("de" or "en"); absent = user's own. */
    public static Map<PresenceCategory, String> defaultTemplates(String language) {
        Map<PresenceCategory, String> t = ChatStatusTemplates.DEFAULTS.get(ChatStatusTemplates.normalizeLanguage(language));
        if (t == null) {
            throw ChatStatusTemplates.unknownLanguage(language);
        }
        return t;
    }

    public Set<PresenceCategory> dndCategories() {
        return dndCategories;
    }

    public boolean chatStatusEnabled() {
        return chatStatusEnabled;
    }

    /** "de" or "en". */
    public String language() {
        return language;
    }

    /** The template for {@code category} in the policy's language, or {@code null} for the user's own. */
    public String template(PresenceCategory category) {
        return templates.get(language).get(category);
    }

    /** The template for {@code category} in {@code language}, or {@code null} for the user's own. */
    public String template(PresenceCategory category, String language) {
        Map<PresenceCategory, String> t = templates.get(ChatStatusTemplates.normalizeLanguage(language));
        if (t == null) {
            throw ChatStatusTemplates.unknownLanguage(language);
        }
        return t.get(category);
    }

    /** Per-user overrides by normalised key (lower case). */
    public Map<String, UserOverride> userOverrides() {
        return userOverrides;
    }

    /** Groups in the order declared. */
    public List<UserGroup> groups() {
        return groups;
    }

    /**
     * The override that applies to {@code user}, and where it came from.
     *
     * @param override the override
     * @param source   e.g. {@code user "alice@example.com"} or {@code group "support"}
     */
    public record AppliedOverride(UserOverride override, String source) {
    }

    /** The override that applies to {@code user}, if any (see the class comment for the resolution order). */
    public Optional<AppliedOverride> overrideFor(MappedUser user) {
        Objects.requireNonNull(user, "user");
        if (userOverrides.isEmpty() && groups.isEmpty()) {
            return Optional.empty();
        }
        List<String> keys = keysOf(user);
        List<AppliedOverride> found = new ArrayList<>();
        for (String key : keys) {
            UserOverride o = userOverrides.get(key);
            if (o != null) {
                found.add(new AppliedOverride(o, "user \"" + key + "\""));
            }
        }
        for (UserGroup group : groups) {
            if (group.members().stream().anyMatch(keys::contains)) {
                found.add(new AppliedOverride(group.override(), "group \"" + group.name() + "\""));
            }
        }
        return found.stream().filter(a -> a.override().optOut()).findFirst()
                .or(() -> found.stream().findFirst());
    }

    @Override
    public DesiredState desired(MappedUser user, TeamsPresence presence, PresenceCategory category) {
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(category, "category");
        Optional<AppliedOverride> applied = user == null ? Optional.empty() : overrideFor(user);
        String teams = "Teams " + presence.label();
        if (applied.isPresent() && applied.get().override().optOut()) {
            return DesiredState.userOwn(teams + " -> user's own DND (opted out by " + applied.get().source() + ")");
        }
        Set<PresenceCategory> dndSet = applied.map(a -> a.override().dndCategories()).orElse(null);
        if (dndSet == null) {
            dndSet = dndCategories;
        }
        Boolean chatOverride = applied.map(a -> a.override().chatStatus()).orElse(null);
        boolean chat = chatOverride != null ? chatOverride : chatStatusEnabled;

        boolean dnd = dndSet.contains(category);
        String chatStatus = chat ? renderChatStatus(category, presence.statusMessage()) : null;
        String policy = "policy " + category.code() + applied.map(a -> ", " + a.source()).orElse("");
        String reason = teams + (dnd ? " -> DND on" : " -> user's own DND") + " (" + policy + ")";
        return new DesiredState(dnd ? Boolean.TRUE : null, chatStatus, reason);
    }

    /**
     * The chat status text for {@code category} in the policy's language, with the placeholders filled in;
     * {@code null} when the category has no template or the text comes out empty. Whitespace (including line
     * breaks from the status message) is collapsed to single spaces; empty brackets and trailing separators left
     * by an empty {@code {message}} are removed.
     */
    public String renderChatStatus(PresenceCategory category, String statusMessage) {
        String template = template(category);
        if (template == null) {
            return null;
        }
        return ChatStatusTemplates.render(template, statusMessage, category.displayName(language));
    }

    private static List<String> keysOf(MappedUser user) {
        List<String> keys = new ArrayList<>(4);
        addKey(keys, user.teams().mail());
        addKey(keys, user.teams().userPrincipalName());
        addKey(keys, user.pbx().login());
        addKey(keys, user.pbx().email());
        return keys;
    }

    private static void addKey(List<String> keys, String value) {
        if (value != null && !value.isBlank()) {
            String k = PolicyArgumentChecks.normalizeKey(value);
            if (!keys.contains(k)) {
                keys.add(k);
            }
        }
    }

    @Override
    public String toString() {
        return "ConfigurableStatusPolicy[dndCategories=" + dndCategories + ", chatStatus=" + chatStatusEnabled
                + ", language=" + language + ", userOverrides=" + userOverrides.size() + ", groups="
                + groups.stream().map(UserGroup::name).toList() + "]";
    }

    /**
     * Builds a {@link ConfigurableStatusPolicy}. Starts from the defaults. Every setter checks its argument and
     * throws {@link IllegalArgumentException} naming the field and the bad value; {@link #build()} checks what
     * spans fields (a user in two groups). Not thread-safe.
     */
    public static final class Builder {

        private Set<PresenceCategory> dndCategories = EnumSet.copyOf(DEFAULT_DND_CATEGORIES);
        private boolean chatStatusEnabled = true;
        private String language = "en";
        private final Map<String, Map<PresenceCategory, String>> templates = new LinkedHashMap<>();
        private final Map<String, UserOverride> userOverrides = new LinkedHashMap<>();
        private final Map<String, UserGroup> groups = new LinkedHashMap<>();

        private Builder() {
            for (String lang : LANGUAGES) {
                templates.put(lang, new EnumMap<>(ChatStatusTemplates.DEFAULTS.get(lang)));
            }
        }

        /** The categories that put the PBX user on DND. May be empty (never DND). Not UNKNOWN, not AVAILABLE. */
        public Builder dndCategories(Collection<PresenceCategory> categories) {
            this.dndCategories = PolicyArgumentChecks.checkDndCategories("dndCategories", categories);
            return this;
        }

        public Builder dndCategories(PresenceCategory... categories) {
            if (categories == null) {
                throw new IllegalArgumentException("dndCategories must not be null");
            }
            return dndCategories(java.util.Arrays.asList(categories));
        }

        /** Whether the chat status is set at all (default {@code true}). */
        public Builder chatStatusEnabled(boolean enabled) {
            this.chatStatusEnabled = enabled;
            return this;
        }

        /** The language of the chat status texts: "de" or "en" (case-insensitive; default "en"). */
        public Builder language(String language) {
            this.language = ChatStatusTemplates.checkLanguage("language", language);
            return this;
        }

        /**
         * The chat status template for {@code category} in {@code language}; {@code null} removes it (the user's own
         * status is kept). A template may use {@code {message}} and {@code {category}}. UNKNOWN cannot have a text:
         * the engine does not know what the user is doing.
         */
        public Builder chatTemplate(PresenceCategory category, String language, String template) {
            String l = ChatStatusTemplates.checkLanguage("chatTemplates language", language);
            if (category == null) {
                throw new IllegalArgumentException("chatTemplates." + l + " category must not be null");
            }
            String field = "chatTemplates." + l + "." + category.code();
            if (template == null) {
                templates.get(l).remove(category);
                return this;
            }
            templates.get(l).put(category, ChatStatusTemplates.checkTemplate(field, category, template));
            return this;
        }

        /** Sets several templates of one language (see {@link #chatTemplate}); other categories keep theirs. */
        public Builder chatTemplates(String language, Map<PresenceCategory, String> byCategory) {
            if (byCategory == null) {
                throw new IllegalArgumentException("chatTemplates." + language + " must not be null");
            }
            byCategory.forEach((c, t) -> chatTemplate(c, language, t));
            return this;
        }

        /**
         * An override for one user, keyed by Teams mail, Teams userPrincipalName, PBX login or PBX e-mail
         * (case-insensitive). A key may be given once.
         */
        public Builder userOverride(String userKey, UserOverride override) {
            String key = PolicyArgumentChecks.checkKey("userOverrides", userKey);
            String field = "userOverrides[\"" + key + "\"]";
            PolicyArgumentChecks.checkOverride(field, override);
            if (userOverrides.containsKey(key)) {
                throw new IllegalArgumentException(field + " is given twice");
            }
            userOverrides.put(key, override);
            return this;
        }

        /** Opts one user out: the engine never touches this user's DND or chat status. */
        public Builder optOut(String userKey) {
            return userOverride(userKey, UserOverride.optingOut());
        }

        /**
         * A named group of users sharing {@code override}. Members are keys like in {@link #userOverride}. A user
         * may be in one group only (checked in {@link #build()} by key); a per-user override beats the group's.
         */
        public Builder group(String name, Collection<String> members, UserOverride override) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("groups name must not be blank, but was "
                        + (name == null ? "null" : "\"" + name + "\""));
            }
            String n = name.strip();
            String field = "groups[\"" + n + "\"]";
            if (groups.containsKey(n)) {
                throw new IllegalArgumentException(field + " is given twice");
            }
            if (members == null || members.isEmpty()) {
                throw new IllegalArgumentException(field + ".members must not be empty, but was " + members);
            }
            List<String> keys = new ArrayList<>();
            for (String member : members) {
                String k = PolicyArgumentChecks.checkKey(field + ".members", member);
                if (keys.contains(k)) {
                    throw new IllegalArgumentException(field + ".members lists \"" + k + "\" twice");
                }
                keys.add(k);
            }
            PolicyArgumentChecks.checkOverride(field, override);
            groups.put(n, new UserGroup(n, keys, override));
            return this;
        }

        /** Checks what spans fields and builds the immutable policy. */
        public ConfigurableStatusPolicy build() {
            PolicyArgumentChecks.checkOneGroupPerMember(groups.values());
            return new ConfigurableStatusPolicy(this);
        }
    }
}
