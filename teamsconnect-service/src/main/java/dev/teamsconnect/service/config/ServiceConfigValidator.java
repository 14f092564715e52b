package dev.teamsconnect.service.config;

import dev.teamsconnect.core.engine.PbxToTeams;
import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.engine.ManualDndMode;
import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks the service's own sections (source, sink, users, mapping, state, server) of the substituted config tree,
 * collecting every problem on the way. The plugin sections are checked by their plugins (see
 * {@link dev.teamsconnect.service.runtime.EngineWiring#validate()}); here they are only passed on.
 */
final class ServiceConfigValidator {

    private static final Pattern PLUGIN_ID = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final ProviderConfig root;

    /** @param root the whole substituted file as one section (prefix ""), sharing the problems of the load */
    ServiceConfigValidator(ProviderConfig root) {
        this.root = root;
    }

    /**
     * The config; where a value is wrong (the problem is recorded in the root section) its fallback is in it, so
     * that the plugin sections can be checked in the same run.
     */
    @SuppressWarnings("unchecked")
    ServiceConfig validate(ConfigOrigin origin) {
        String source = pluginId(root.child("source"), ServiceConfig.DEFAULT_SOURCE);
        String sink = pluginId(root.child("sink"), ServiceConfig.DEFAULT_SINK);
        String sourceSection = ServiceConfig.sourceSectionName(source);
        String sinkSection = ServiceConfig.sinkSectionName(sink);

        Set<String> knownRoot = new LinkedHashSet<>(KnownKeys.ROOT);
        knownRoot.add(sourceSection);
        knownRoot.add(sinkSection);
        // the default plugins' sections are kept (with a warning) when another plugin is chosen
        String defaultSourceSection = ServiceConfig.sourceSectionName(ServiceConfig.DEFAULT_SOURCE);
        String defaultSinkSection = ServiceConfig.sinkSectionName(ServiceConfig.DEFAULT_SINK);
        Set<String> known = new LinkedHashSet<>(knownRoot);
        known.add(defaultSourceSection);
        known.add(defaultSinkSection);
        root.rejectUnknownKeys(known, KnownKeys::elsewhere);
        if (!knownRoot.contains(defaultSourceSection) && root.has(defaultSourceSection)) {
            root.warn(defaultSourceSection, "ignored, because source.type is " + source);
        }
        if (!knownRoot.contains(defaultSinkSection) && root.has(defaultSinkSection)) {
            root.warn(defaultSinkSection, "ignored, because sink.type is " + sink);
        }
        if (sourceSection.equals(sinkSection)) {
            root.problemAt("sink.type", "must differ from source.type, both read the section \"" + sinkSection + "\"");
        }
        for (String section : List.of(sourceSection, sinkSection)) {
            Object v = root.asMap().get(section);
            if (v != null && !(v instanceof Map) && !(v instanceof String s && s.isBlank())) {
                root.problem(section, "must be a map of keys (key: value on indented lines)");
            }
        }

        UsersConfig users = users(root.child("users"));
        MappingConfig mapping = mapping(root.child("mapping"));
        PbxToTeams pbxToTeams = pbxToTeams(root.child("pbxToTeams"));
        StateConfig state = state(root.child("state"));
        HaConfig ha = ha(root.child("ha"), state);
        ServerConfig server = server(root.child("server"));
        List<ServiceConfig.OutputEntry> outputs = outputs();

        Map<String, Map<String, Object>> sections = new HashMap<>();
        for (String name : List.of(sourceSection, sinkSection)) {
            Object raw = root.asMap().get(name);
            sections.put(name, raw instanceof Map ? (Map<String, Object>) raw : Map.of());
        }
        // built with fallbacks even when there are problems, so the plugins can still check their sections
        return new ServiceConfig(source, sink, users, mapping, state, ha, server, sections, origin,
                origin.scrub(root.warnings()), pbxToTeams, outputs);
    }

    private String pluginId(ProviderConfig s, String fallback) {
        s.rejectUnknownKeys(KnownKeys.PLUGIN);
        Optional<String> id = s.text("type");
        if (id.isPresent() && !PLUGIN_ID.matcher(id.get()).matches()) {
            s.problem("type", "must be a plugin id in lower case like \"" + fallback + "\", but was " + s.shown("type", id.get()));
            return fallback;
        }
        return id.orElse(fallback);
    }

    /**
     * The {@code outputs} list: its shape and each entry's {@code type} (a plugin id). The other keys of an entry are
     * its provider's, checked when the provider creates the output.
     */
    private List<ServiceConfig.OutputEntry> outputs() {
        Object raw = root.asMap().get("outputs");
        if (raw == null || raw instanceof String s && s.isBlank()) {
            return List.of();
        }
        List<ServiceConfig.OutputEntry> out = new java.util.ArrayList<>();
        for (ProviderConfig entry : root.children("outputs")) {
            String prefix = entry.prefix();
            int index = Integer.parseInt(prefix.substring(prefix.lastIndexOf('[') + 1, prefix.length() - 1));
            Optional<String> type = entry.text(KnownKeys.OUTPUT_TYPE);
            if (type.isEmpty()) {
                if (!entry.hasProblem(KnownKeys.OUTPUT_TYPE)) {
                    entry.problem(KnownKeys.OUTPUT_TYPE, "is required: the kind of output, e.g. \"type: webhook\"");
                }
                continue;
            }
            if (!PLUGIN_ID.matcher(type.get()).matches()) {
                entry.problem(KnownKeys.OUTPUT_TYPE, "must be an output id in lower case like \"webhook\", but was "
                        + entry.shown(KnownKeys.OUTPUT_TYPE, type.get()));
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>(entry.asMap());
            values.remove(KnownKeys.OUTPUT_TYPE);
            out.add(new ServiceConfig.OutputEntry(index, type.get(), values));
        }
        return out;
    }

    private UsersConfig users(ProviderConfig s) {
        s.rejectUnknownKeys(KnownKeys.USERS, KnownKeys::elsewhere);
        Map<String, UserScope> scopes = new LinkedHashMap<>();
        for (UserScope u : UserScope.values()) {
            scopes.put(u.code(), u);
        }
        UserScope scope = s.choice("scope", UserScope.ALL, scopes);
        Optional<String> group = s.text("group");
        if (scope == UserScope.GROUP && group.isEmpty()) {
            s.requiredText("group", "when users.scope is group (the name of the STARFACE group to sync)");
        } else if (scope == UserScope.ALL && group.isPresent()) {
            s.warn("group", "ignored, because users.scope is all");
            group = Optional.empty();
        }
        Duration refresh = s.interval("refreshInterval", UsersConfig.DEFAULT_REFRESH_INTERVAL, false);
        Map<String, String> overrides = new LinkedHashMap<>();
        Map<String, String> byLogin = new HashMap<>();
        for (Map.Entry<String, String> e : s.textMap("overrides").entrySet()) {
            String mail = e.getKey().strip().toLowerCase(Locale.ROOT);
            String itemPath = ProviderConfig.child(s.path("overrides"), e.getKey());
            if (!mail.matches("[^@\\s]+@[^@\\s]+")) {
                s.problemAt(itemPath, "the key must be a Teams mail or UPN like anna@example.com, but was \"" + e.getKey() + "\"");
            } else if (overrides.containsKey(mail)) {
                s.problemAt(itemPath, "is given twice (keys are compared without case)");
            } else if (byLogin.containsKey(e.getValue())) {
                s.problemAt(itemPath, "maps to a PBX login that is already the target of \"" + byLogin.get(e.getValue())
                        + "\"; one PBX user can mirror only one Teams user");
            } else {
                overrides.put(mail, e.getValue());
                byLogin.put(e.getValue(), mail);
            }
        }
        return new UsersConfig(scope, group, overrides, refresh);
    }

    /**
     * The {@code pbxToTeams} section. The values' bounds (a session of 5 min to 4 h, what Graph accepts) are the
     * engine's {@link PbxToTeams}'s own rule: its refusal is reported here at the key it names.
     */
    private PbxToTeams pbxToTeams(ProviderConfig s) {
        s.rejectUnknownKeys(KnownKeys.PBX_TO_TEAMS, KnownKeys::elsewhere);
        Map<String, PbxToTeams.Show> dndShows = new LinkedHashMap<>();
        for (PbxToTeams.Show show : PbxToTeams.Show.values()) {
            dndShows.put(show.code(), show);
        }
        Map<String, PbxToTeams.Show> callShows = new LinkedHashMap<>();
        callShows.put(PbxToTeams.Show.OFF.code(), PbxToTeams.Show.OFF);
        callShows.put(PbxToTeams.Show.IN_A_CALL.code(), PbxToTeams.Show.IN_A_CALL);
        PbxToTeams.Show dnd = s.choice("dnd", PbxToTeams.Show.OFF, dndShows);
        PbxToTeams.Show calls = s.choice("calls", PbxToTeams.Show.OFF, callShows);
        Duration length = s.interval("sessionLength", PbxToTeams.OFF.sessionLength(), false);
        Duration read = s.interval("readInterval", PbxToTeams.OFF.readInterval(), false);
        try {
            return new PbxToTeams(dnd, calls, length, read);
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                s.problemAt(p.keyPath(), p.message());
            }
            return PbxToTeams.OFF;
        }
    }

    private MappingConfig mapping(ProviderConfig s) {
        s.rejectUnknownKeys(KnownKeys.MAPPING, KnownKeys::elsewhere);
        Map<String, Language> languages = new LinkedHashMap<>();
        for (Language l : Language.values()) {
            languages.put(l.code(), l);
        }
        Language language = s.choice("language", Language.DE, languages);
        Set<PresenceCategory> dnd = MappingConfig.DEFAULT_DND;
        if (s.asMap().containsKey("dnd")) {
            dnd = categories(s);
        }
        boolean chatStatus = s.flag("chatStatus", true);
        Duration grace = s.interval("graceAfterCall", Duration.ZERO, true);
        Duration debounce = s.interval("debounce", Duration.ZERO, true);
        Map<String, ManualDndMode> manualModes = new LinkedHashMap<>();
        for (ManualDndMode m : ManualDndMode.values()) {
            manualModes.put(m.code(), m);
        }
        ManualDndMode manual = s.choice("manualDnd", ManualDndMode.RESPECT, manualModes);
        boolean release = s.flag("releaseOnShutdown", true);
        // must be longer than the source's poll interval: checked where the engine is configured (EngineWiring)
        Duration failOpen = s.interval("failOpenAfter", MappingConfig.DEFAULT_FAIL_OPEN_AFTER, true);
        return new MappingConfig(language, dnd, chatStatus, grace, debounce, manual, release, failOpen);
    }

    private Set<PresenceCategory> categories(ProviderConfig s) {
        Map<String, PresenceCategory> byCode = new LinkedHashMap<>();
        for (PresenceCategory c : PresenceCategory.values()) {
            if (c != PresenceCategory.UNKNOWN) {
                byCode.put(c.code(), c);
            }
        }
        List<String> items = s.textList("dnd");
        Set<PresenceCategory> out = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            if (item == null) {
                continue;
            }
            PresenceCategory c = byCode.get(item.toUpperCase(Locale.ROOT).replace('-', '_'));
            String itemPath = ProviderConfig.index(s.path("dnd"), i);
            if (c == null) {
                String hint = ProviderConfig.closest(item, byCode.keySet()).map(n -> "; did you mean " + n + "?").orElse("");
                s.problemAt(itemPath, "must be one of " + String.join(", ", byCode.keySet()) + ", but was "
                        + (s.isHidden("dnd") ? "(hidden)" : "\"" + item + "\"" + hint));
            } else if (!out.add(c)) {
                s.warn("dnd[" + i + "]", c.code() + " is listed twice");
            }
        }
        if (items.isEmpty() && !s.hasProblem("dnd")) {
            s.warn("dnd", "is empty: no Teams status turns DND on (only the chat status is mirrored)");
        }
        return out;
    }

    private StateConfig state(ProviderConfig s) {
        String type = s.text("type").orElse(StateConfig.FILE);
        if (!PLUGIN_ID.matcher(type).matches()) {
            s.problem("type", "must be a state store id in lower case like \"file\" or \"postgres\", but was "
                    + s.shown("type", type));
            type = StateConfig.FILE;
        }
        if (!type.equals(StateConfig.FILE)) {
            // the store provider owns the other keys (state.url, ...) and checks them when it is created
            Map<String, Object> rest = new LinkedHashMap<>(s.asMap());
            rest.remove("type");
            return new StateConfig(type, StateConfig.DEFAULT_FILE, rest);
        }
        s.rejectUnknownKeys(KnownKeys.STATE, KnownKeys::elsewhere);
        return new StateConfig(StateConfig.FILE,
                s.writableFile("file", StateConfig.DEFAULT_FILE).orElse(StateConfig.DEFAULT_FILE), Map.of());
    }

    private HaConfig ha(ProviderConfig s, StateConfig state) {
        s.rejectUnknownKeys(KnownKeys.HA, KnownKeys::elsewhere);
        Map<String, HaConfig.Mode> modes = new LinkedHashMap<>();
        for (HaConfig.Mode m : HaConfig.Mode.values()) {
            modes.put(m.code(), m);
        }
        HaConfig.Mode mode = s.choice("mode", HaConfig.Mode.OFF, modes);
        Duration takeover = s.interval("takeoverAfter", HaConfig.DEFAULT_TAKEOVER_AFTER, false);
        if (takeover.compareTo(HaConfig.MIN_TAKEOVER_AFTER) < 0 && !s.hasProblem("takeoverAfter")) {
            s.problem("takeoverAfter", "must be at least " + HaConfig.MIN_TAKEOVER_AFTER.toSeconds() + "s (the leader"
                    + " checks its lock every fifth of it, in whole seconds), but was " + takeover.toMillis() + "ms");
        }
        if (mode == HaConfig.Mode.ACTIVE_PASSIVE && state.isFile()) {
            s.problem("mode", "active-passive needs a state database that both instances share: set state.type:"
                    + " postgres (with state.url, state.user, state.password)");
        }
        return new HaConfig(mode, takeover);
    }

    private ServerConfig server(ProviderConfig s) {
        s.rejectUnknownKeys(KnownKeys.SERVER, KnownKeys::elsewhere);
        String bind = s.text("bind").orElse(ServerConfig.DEFAULT_BIND);
        if (!validBindAddress(bind)) {
            s.problem("bind", "must be an IP address like 127.0.0.1 or a host name, but was " + s.shown("bind", bind));
            bind = ServerConfig.DEFAULT_BIND;
        }
        int port = s.wholeNumber("port", ServerConfig.DEFAULT_PORT, 0, 65535);
        ProviderConfig authSection = s.child("auth");
        ServerConfig.Auth auth = auth(authSection);
        boolean authReported = s.hasProblem("auth") || authSection.hasProblem("passwordHash")
                || authSection.hasProblem("tokenHash") || authSection.hasProblem("username");
        if (!ProviderConfig.isLoopback(bind) && port != 0 && !auth.required() && !authReported) {
            s.problem("auth", "is required because server.bind (" + s.shown("bind", bind) + ") is not loopback: the page,"
                    + " /status and /metrics show user names and presence. Set server.auth.username and"
                    + " server.auth.passwordHash, or server.auth.tokenHash (make a hash with: teamsconnect hash-secret),"
                    + " or bind to 127.0.0.1 behind a reverse proxy");
        }
        return new ServerConfig(bind, port, auth);
    }

    private ServerConfig.Auth auth(ProviderConfig a) {
        a.rejectUnknownKeys(KnownKeys.SERVER_AUTH);
        Optional<String> username = a.text("username");
        Optional<SecretHash> password = hash(a, "passwordHash");
        Optional<SecretHash> token = hash(a, "tokenHash");
        if (username.isPresent() && username.get().contains(":")) {
            a.problem("username", "must not contain ':' (basic auth separates user and password with it)");
            username = Optional.empty();
        }
        if (username.isPresent() && password.isEmpty() && !a.hasProblem("passwordHash")) {
            a.requiredText("passwordHash", "when server.auth.username is set (make it with: teamsconnect hash-secret)");
        }
        if (password.isPresent() && username.isEmpty() && !a.hasProblem("username")) {
            a.requiredText("username", "when server.auth.passwordHash is set (the user name for basic auth)");
            password = Optional.empty();
        }
        return new ServerConfig.Auth(username, password, token);
    }

    private static Optional<SecretHash> hash(ProviderConfig a, String key) {
        Optional<String> text = a.text(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<SecretHash> parsed = SecretHash.parse(text.get());
        if (parsed.isEmpty()) {
            a.problem(key, "must be a hash as printed by teamsconnect hash-secret (" + SecretHash.example()
                    + "), not the password or token itself");
        }
        return parsed;
    }

    private static boolean validBindAddress(String bind) {
        if (IPV4.matcher(bind).matches()) {
            for (String part : bind.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (bind.contains(":")) {
            try {
                // an IPv6 literal: parsed without any name lookup because it contains ':'
                return InetAddress.getByName(bind.startsWith("[") ? bind.substring(1, bind.length() - 1) : bind) != null;
            } catch (java.net.UnknownHostException | StringIndexOutOfBoundsException e) {
                return false;
            }
        }
        return HOSTNAME.matcher(bind).matches() && !bind.matches("[0-9.]+");
    }
}
