package dev.teamsconnect.core.mapping;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a {@link ConfigurableStatusPolicy} from a configuration section (as a YAML file parses). Every error is a
 * {@link ConfigException} naming the full key path. Absent keys keep the defaults.
 *
 * <pre>{@code
 * policy:
 *   dndCategories: [IN_A_CALL, BUSY, DO_NOT_DISTURB]   # default; [] = never DND
 *   chatStatus: true                                  # set the PBX chat status at all
 *   language: de                                      # de | en
 *   chatTemplates:
 *     de:
 *       BUSY: "{category}: {message}"                 # placeholders {message}, {category}
 *       AWAY: ""                                      # empty or null: keep the user's own chat status
 *   users:
 *     alice@example.com: { optOut: true }             # key: Teams mail / UPN, or PBX login / e-mail
 *     "1002": { dndCategories: [IN_A_CALL], chatStatus: false }
 *   groups:
 *     support:
 *       members: [bob@example.com, carol@example.com]
 *       dndCategories: [IN_A_CALL]
 * }</pre>
 */
public final class StatusPolicyConfig {

    private static final Set<String> POLICY_KEYS = Set.of("dndCategories", "chatStatus", "language", "chatTemplates",
            "users", "groups");
    private static final Set<String> OVERRIDE_KEYS = Set.of("optOut", "dndCategories", "chatStatus");
    private static final Set<String> GROUP_KEYS = Set.of("members", "optOut", "dndCategories", "chatStatus");

    private StatusPolicyConfig() {
    }

    /** Builds the policy from {@code section}; throws {@link ConfigException} naming the key path of the first problem. */
    public static ConfigurableStatusPolicy fromConfig(ProviderConfig section) {
        requireKnownKeys(section, POLICY_KEYS);
        ConfigurableStatusPolicy.Builder b = ConfigurableStatusPolicy.builder();
        if (section.keys().contains("dndCategories")) {
            List<PresenceCategory> categories = categories(section, "dndCategories");
            at(section.path("dndCategories"), () -> b.dndCategories(categories));
        }
        b.chatStatusEnabled(section.bool("chatStatus", true));
        section.optionalString("language").ifPresent(l -> at(section.path("language"), () -> b.language(l)));

        ProviderConfig templates = section.section("chatTemplates");
        requireKnownKeys(templates, Set.copyOf(ConfigurableStatusPolicy.LANGUAGES));
        for (String language : templates.keys()) {
            ProviderConfig byCategory = templates.section(language);
            for (String code : byCategory.keys()) {
                PresenceCategory category = category(byCategory.path(code), code);
                String template = byCategory.optionalString(code).orElse(null);
                at(byCategory.path(code), () -> b.chatTemplate(category, language, template));
            }
        }

        ProviderConfig users = section.section("users");
        for (String key : users.keys()) {
            ProviderConfig user = users.section(key);
            requireKnownKeys(user, OVERRIDE_KEYS);
            UserOverride override = override(user);
            at(user.prefix(), () -> b.userOverride(key, override));
        }

        ProviderConfig groups = section.section("groups");
        for (String name : groups.keys()) {
            ProviderConfig group = groups.section(name);
            requireKnownKeys(group, GROUP_KEYS);
            List<String> members = group.strings("members");
            UserOverride override = override(group);
            at(group.prefix(), () -> b.group(name, members, override));
        }
        return at(section.prefix(), b::build);
    }

    private static UserOverride override(ProviderConfig c) {
        if (c.keys().stream().noneMatch(OVERRIDE_KEYS::contains)) {
            throw new ConfigException(c.prefix(), "is empty; give optOut, dndCategories or chatStatus");
        }
        boolean optOut = c.bool("optOut", false);
        Set<PresenceCategory> dnd = c.keys().contains("dndCategories") ? Set.copyOf(categories(c, "dndCategories")) : null;
        Boolean chat = c.has("chatStatus") ? c.bool("chatStatus", true) : null;
        if (optOut && (dnd != null || chat != null)) {
            throw new ConfigException(c.prefix(), "optOut: true cannot be combined with dndCategories or chatStatus");
        }
        return new UserOverride(optOut, dnd, chat);
    }

    private static List<PresenceCategory> categories(ProviderConfig c, String key) {
        List<String> codes = c.strings(key);
        List<PresenceCategory> out = new ArrayList<>();
        for (int i = 0; i < codes.size(); i++) {
            out.add(category(c.path(key) + "[" + i + "]", codes.get(i)));
        }
        return out;
    }

    private static PresenceCategory category(String path, String code) {
        try {
            return PresenceCategory.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage());
        }
    }

    private static void requireKnownKeys(ProviderConfig c, Set<String> allowed) {
        for (String key : c.keys()) {
            if (!allowed.contains(key)) {
                throw new ConfigException(c.path(key), "unknown key; expected one of " + allowed.stream().sorted().toList());
            }
        }
    }

    /** Runs a builder step; its IllegalArgumentException becomes a ConfigException at {@code path}. */
    private static <T> T at(String path, Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage());
        }
    }
}
