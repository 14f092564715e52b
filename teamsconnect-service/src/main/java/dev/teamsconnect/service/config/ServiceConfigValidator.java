package dev.teamsconnect.service.config;

import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.core.spi.ProviderConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns the substituted config tree into a {@link ServiceConfig}, collecting every problem on the way. */
final class ServiceConfigValidator {

    private static final Pattern PLUGIN_ID = Pattern.compile("[a-z][a-z0-9-]*");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*");
    private static final Pattern NO_SPACE = Pattern.compile("\\S+");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern HEX_PIN = Pattern.compile("[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}");

    private final Problems problems;

    ServiceConfigValidator(Problems problems) {
        this.problems = problems;
    }

    /** The config, or {@code null} when problems were found (they are in {@link Problems}). */
    ServiceConfig validate(Map<String, Object> tree) {
        ConfigSection root = new ConfigSection("", tree, problems);

        String source = pluginId(root.section("source"), ServiceConfig.DEFAULT_SOURCE);
        String sink = pluginId(root.section("sink"), ServiceConfig.DEFAULT_SINK);
        String sourceSection = ServiceConfig.sourceSectionName(source);
        String sinkSection = ServiceConfig.sinkSectionName(sink);

        Set<String> knownRoot = new LinkedHashSet<>(KnownKeys.ROOT);
        knownRoot.add(sourceSection);
        knownRoot.add(sinkSection);
        root.rejectUnknownKeys(knownRoot);

        Optional<TeamsConfig> teams = Optional.empty();
        if (sourceSection.equals("teams")) {
            teams = Optional.ofNullable(teams(root.section("teams")));
        } else if (root.has("teams")) {
            problems.warn("teams", "ignored, because source.type is " + source);
        }
        Optional<StarfaceConfig> starface = Optional.empty();
        if (sinkSection.equals("starface")) {
            starface = Optional.ofNullable(starface(root.section("starface")));
        } else if (root.has("starface")) {
            problems.warn("starface", "ignored, because sink.type is " + sink);
        }
        if (sourceSection.equals(sinkSection)) {
            problems.add("sink.type", "must differ from source.type, both read the section \"" + sinkSection + "\"");
        }

        UsersConfig users = users(root.section("users"));
        MappingConfig mapping = mapping(root.section("mapping"), teams.map(TeamsConfig::pollInterval));
        StateConfig state = state(root.section("state"));
        ServerConfig server = server(root.section("server"));

        Map<String, ProviderConfig> sections = new HashMap<>();
        sections.put(sourceSection, providerSection(root, sourceSection));
        sections.put(sinkSection, providerSection(root, sinkSection));

        if (!problems.list().isEmpty()) {
            return null;
        }
        return new ServiceConfig(source, sink, teams, starface, users, mapping, state, server, sections, problems.warnings());
    }

    private String pluginId(ConfigSection s, String fallback) {
        s.rejectUnknownKeys(KnownKeys.PLUGIN);
        Optional<String> id = s.string("type");
        if (id.isPresent() && !PLUGIN_ID.matcher(id.get()).matches()) {
            problems.add(s.path("type"), "must be a plugin id in lower case like \"" + fallback + "\", but was \"" + id.get() + "\"");
            return fallback;
        }
        return id.orElse(fallback);
    }

    private TeamsConfig teams(ConfigSection s) {
        s.rejectUnknownKeys(KnownKeys.TEAMS);
        Optional<String> tenantId = s.required("tenantId", "(the Directory (tenant) ID of your Entra ID tenant)");
        tenantId.filter(t -> !TENANT.matcher(t).matches()).ifPresent(t ->
                problems.add(s.path("tenantId"), "must be a tenant GUID or domain like contoso.onmicrosoft.com, but was \"" + t + "\""));
        Optional<String> clientId = s.required("clientId", "(the Application (client) ID of the app registration)");
        clientId.filter(t -> !NO_SPACE.matcher(t).matches()).ifPresent(t ->
                problems.add(s.path("clientId"), "must not contain spaces, but was \"" + t + "\""));
        TeamsAuth auth = auth(s.section("auth"));
        URI authority = s.url("authorityHost", true).orElse(TeamsConfig.DEFAULT_AUTHORITY_HOST);
        URI graph = s.url("graphBaseUrl", true).orElse(TeamsConfig.DEFAULT_GRAPH_BASE_URL);
        Duration poll = s.duration("pollInterval", TeamsConfig.DEFAULT_POLL_INTERVAL, false);
        ConfigSection tls = s.section("tls");
        tls.rejectUnknownKeys(KnownKeys.TEAMS_TLS);
        // the Graph source reads the file itself (section teams); checked here so a typo is reported with the rest
        tls.readableFile("certificate");
        if (tenantId.isEmpty() || clientId.isEmpty() || auth == null) {
            return null;
        }
        return new TeamsConfig(tenantId.get(), clientId.get(), auth, authority, graph, poll);
    }

    private TeamsAuth auth(ConfigSection s) {
        s.rejectUnknownKeys(KnownKeys.TEAMS_AUTH);
        Map<String, AuthMode> modes = new LinkedHashMap<>();
        for (AuthMode m : AuthMode.values()) {
            modes.put(m.code(), m);
        }
        boolean modeOk = !s.has("mode") || s.string("mode").map(m -> modes.containsKey(m.toLowerCase(Locale.ROOT))).orElse(true);
        AuthMode mode = s.choice("mode", AuthMode.CLIENT_CREDENTIALS, modes);
        Optional<Secret> secret = s.secret("clientSecret");
        Optional<Path> certificate = s.readableFile("certificate");
        Optional<Secret> certificatePassword = s.secret("certificatePassword");
        Optional<String> username = s.string("username");
        Optional<Secret> password = s.secret("password");
        Path tokenCache = s.writableFile("tokenCache", TeamsAuth.DEFAULT_TOKEN_CACHE).orElse(TeamsAuth.DEFAULT_TOKEN_CACHE);
        if (!modeOk) {
            // the mode is already reported; checking the other keys against a guessed mode would only confuse
            return null;
        }
        switch (mode) {
            case CLIENT_CREDENTIALS -> {
                if (secret.isEmpty() && certificate.isEmpty() && !problems.has(s.path("clientSecret"))
                        && !problems.has(s.path("certificate"))) {
                    problems.add(s.path("clientSecret"), "is required for auth.mode client-credentials (or set auth.certificate"
                            + " instead), but both are missing or empty");
                } else if (secret.isPresent() && certificate.isPresent()) {
                    problems.add(s.path("certificate"), "set either auth.clientSecret or auth.certificate, not both");
                }
                ignoredIn(s, mode, "username", "password");
            }
            case PASSWORD -> {
                if (username.isEmpty()) {
                    s.required("username", "for auth.mode password");
                } else if (!username.get().contains("@")) {
                    problems.add(s.path("username"), "must be a user principal name like svc@example.com, but was \"" + username.get() + "\"");
                }
                if (password.isEmpty()) {
                    s.required("password", "for auth.mode password");
                }
                ignoredIn(s, mode, "clientSecret", "certificate");
            }
            case DEVICE_CODE -> ignoredIn(s, mode, "clientSecret", "certificate", "username", "password");
            default -> throw new IllegalStateException(mode.toString());
        }
        if (certificatePassword.isPresent() && certificate.isEmpty()) {
            problems.warn(s.path("certificatePassword"), "ignored, because auth.certificate is not set");
        }
        return new TeamsAuth(mode, secret, certificate, certificatePassword, username, password, tokenCache);
    }

    private void ignoredIn(ConfigSection s, AuthMode mode, String... keys) {
        for (String key : keys) {
            if (s.has(key)) {
                problems.warn(s.path(key), "ignored, because auth.mode is " + mode.code());
            }
        }
    }

    private StarfaceConfig starface(ConfigSection s) {
        s.rejectUnknownKeys(KnownKeys.STARFACE);
        Optional<URI> baseUrl = s.url("baseUrl", false);
        if (baseUrl.isEmpty()) {
            s.required("baseUrl", "(the address of the STARFACE appliance, e.g. https://pbx.example.com)");
        } else if (baseUrl.get().getScheme().equalsIgnoreCase("http") && !ConfigSection.isLoopback(baseUrl.get().getHost())) {
            problems.warn(s.path("baseUrl"), "uses plain http: the login travels unencrypted; prefer https");
        }
        Optional<String> loginId = s.required("loginId", "(the login ID of the STARFACE API user, e.g. \"0001\")");
        loginId.filter(t -> !NO_SPACE.matcher(t).matches()).ifPresent(t ->
                problems.add(s.path("loginId"), "must not contain spaces, but was \"" + t + "\""));
        Optional<Secret> password = s.required("password", "(the STARFACE API user's password; use ${STARFACE_PASSWORD})").map(Secret::of);
        ConfigSection tls = s.section("tls");
        tls.rejectUnknownKeys(KnownKeys.STARFACE_TLS);
        Optional<Path> certificate = tls.readableFile("certificate");
        certificate.ifPresent(f -> requirePemCertificates(tls, f));
        Optional<String> pin = tls.string("pin");
        if (pin.isPresent() && !validPin(pin.get())) {
            problems.add(tls.path("pin"), "must be a SHA-256 fingerprint, sha256/<base64> or 64 hex digits (colons allowed), but was \""
                    + pin.get() + "\"");
        }
        if (baseUrl.isEmpty() || loginId.isEmpty() || password.isEmpty()) {
            return null;
        }
        return new StarfaceConfig(baseUrl.get(), loginId.get(), password.get(), certificate, pin);
    }

    /** A trust file that exists but holds no certificate would only fail at the first TLS handshake: say so now. */
    private void requirePemCertificates(ConfigSection tls, Path file) {
        try {
            if (!Files.isRegularFile(file) || !Files.isReadable(file) || Files.size(file) == 0) {
                return; // already reported by readableFile
            }
            try (java.io.InputStream in = Files.newInputStream(file)) {
                if (java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                    problems.add(tls.path("certificate"), "file \"" + file + "\" holds no certificate; it must be a PEM file"
                            + " with -----BEGIN CERTIFICATE----- blocks");
                }
            }
        } catch (java.security.cert.CertificateException | IOException e) {
            problems.add(tls.path("certificate"), "file \"" + file + "\" is not a readable PEM certificate (" + e.getMessage()
                    + "); export the appliance's certificate as PEM");
        }
    }

    private static boolean validPin(String pin) {
        if (pin.regionMatches(true, 0, "sha256/", 0, 7)) {
            try {
                return Base64.getDecoder().decode(pin.substring(7)).length == 32;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return HEX_PIN.matcher(pin).matches();
    }

    private UsersConfig users(ConfigSection s) {
        s.rejectUnknownKeys(KnownKeys.USERS);
        Map<String, UserScope> scopes = new LinkedHashMap<>();
        for (UserScope u : UserScope.values()) {
            scopes.put(u.code(), u);
        }
        UserScope scope = s.choice("scope", UserScope.ALL, scopes);
        Optional<String> group = s.string("group");
        if (scope == UserScope.GROUP && group.isEmpty()) {
            s.required("group", "when users.scope is group (the name of the STARFACE group to sync)");
        } else if (scope == UserScope.ALL && group.isPresent()) {
            problems.warn(s.path("group"), "ignored, because users.scope is all");
            group = Optional.empty();
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        Map<String, String> byLogin = new HashMap<>();
        for (Map.Entry<String, String> e : s.stringMap("overrides").entrySet()) {
            String mail = e.getKey().strip().toLowerCase(Locale.ROOT);
            String itemPath = KeyPaths.child(s.path("overrides"), e.getKey());
            if (!mail.matches("[^@\\s]+@[^@\\s]+")) {
                problems.add(itemPath, "the key must be a Teams mail or UPN like anna@example.com, but was \"" + e.getKey() + "\"");
            } else if (overrides.containsKey(mail)) {
                problems.add(itemPath, "is given twice (keys are compared without case)");
            } else if (byLogin.containsKey(e.getValue())) {
                problems.add(itemPath, "maps to PBX login \"" + e.getValue() + "\", which is already the target of \""
                        + byLogin.get(e.getValue()) + "\"; one PBX user can mirror only one Teams user");
            } else {
                overrides.put(mail, e.getValue());
                byLogin.put(e.getValue(), mail);
            }
        }
        return new UsersConfig(scope, group, overrides);
    }

    private MappingConfig mapping(ConfigSection s, Optional<Duration> pollInterval) {
        s.rejectUnknownKeys(KnownKeys.MAPPING);
        Map<String, Language> languages = new LinkedHashMap<>();
        for (Language l : Language.values()) {
            languages.put(l.code(), l);
        }
        Language language = s.choice("language", Language.DE, languages);
        Set<PresenceCategory> dnd = MappingConfig.DEFAULT_DND;
        if (s.values().containsKey("dnd")) {
            dnd = categories(s);
        }
        boolean chatStatus = s.bool("chatStatus", true);
        Duration grace = s.duration("graceAfterCall", Duration.ZERO, true);
        Duration debounce = s.duration("debounce", Duration.ZERO, true);
        Map<String, ManualDndMode> manualModes = new LinkedHashMap<>();
        for (ManualDndMode m : ManualDndMode.values()) {
            manualModes.put(m.code(), m);
        }
        ManualDndMode manual = s.choice("manualDnd", ManualDndMode.RESPECT, manualModes);
        boolean release = s.bool("releaseOnShutdown", true);
        Duration failOpen = s.duration("failOpenAfter", MappingConfig.DEFAULT_FAIL_OPEN_AFTER, true);
        if (!failOpen.isZero() && pollInterval.isPresent() && failOpen.compareTo(pollInterval.get()) <= 0
                && !problems.has(s.path("failOpenAfter"))) {
            problems.add(s.path("failOpenAfter"), "must be longer than teams.pollInterval (" + pollInterval.get().toMillis()
                    + "ms), or 0s to turn fail-open off, but was \"" + s.string("failOpenAfter").orElse("") + "\"");
        }
        return new MappingConfig(language, dnd, chatStatus, grace, debounce, manual, release, failOpen);
    }

    private Set<PresenceCategory> categories(ConfigSection s) {
        Map<String, PresenceCategory> byCode = new LinkedHashMap<>();
        for (PresenceCategory c : PresenceCategory.values()) {
            if (c != PresenceCategory.UNKNOWN) {
                byCode.put(c.code(), c);
            }
        }
        List<String> items = s.strings("dnd");
        Set<PresenceCategory> out = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            if (item == null) {
                continue;
            }
            PresenceCategory c = byCode.get(item.toUpperCase(Locale.ROOT).replace('-', '_'));
            String itemPath = KeyPaths.index(s.path("dnd"), i);
            if (c == null) {
                String hint = KeySuggestions.closest(item, byCode.keySet()).map(n -> "; did you mean " + n + "?").orElse("");
                problems.add(itemPath, "must be one of " + String.join(", ", byCode.keySet()) + ", but was \"" + item + "\"" + hint);
            } else if (!out.add(c)) {
                problems.warn(itemPath, c.code() + " is listed twice");
            }
        }
        if (items.isEmpty() && !problems.has(s.path("dnd"))) {
            problems.warn(s.path("dnd"), "is empty: no Teams status turns DND on (only the chat status is mirrored)");
        }
        return out;
    }

    private StateConfig state(ConfigSection s) {
        s.rejectUnknownKeys(KnownKeys.STATE);
        return new StateConfig(s.writableFile("file", StateConfig.DEFAULT_FILE).orElse(StateConfig.DEFAULT_FILE));
    }

    private ServerConfig server(ConfigSection s) {
        s.rejectUnknownKeys(KnownKeys.SERVER);
        String bind = s.string("bind").orElse(ServerConfig.DEFAULT_BIND);
        if (!validBindAddress(bind)) {
            problems.add(s.path("bind"), "must be an IP address like 127.0.0.1 or a host name, but was \"" + bind + "\"");
            bind = ServerConfig.DEFAULT_BIND;
        } else if (!ConfigSection.isLoopback(bind)) {
            problems.warn(s.path("bind"), "\"" + bind + "\" makes /status (user names and presence) reachable from the network");
        }
        int port = s.integer("port", ServerConfig.DEFAULT_PORT, 0, 65535);
        return new ServerConfig(bind, port);
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

    /** The plugin's raw section with the service's documented defaults filled in, so both sides agree on them. */
    @SuppressWarnings("unchecked")
    private static ProviderConfig providerSection(ConfigSection root, String name) {
        Object raw = root.values().get(name);
        Map<String, Object> values = raw instanceof Map ? new LinkedHashMap<>((Map<String, Object>) raw) : new LinkedHashMap<>();
        if (name.equals("teams")) {
            values.putIfAbsent("authorityHost", TeamsConfig.DEFAULT_AUTHORITY_HOST.toString());
            values.putIfAbsent("graphBaseUrl", TeamsConfig.DEFAULT_GRAPH_BASE_URL.toString());
            values.putIfAbsent("pollInterval", "5s");
            Object auth = values.get("auth");
            Map<String, Object> authValues = auth instanceof Map ? new LinkedHashMap<>((Map<String, Object>) auth) : new LinkedHashMap<>();
            authValues.putIfAbsent("mode", AuthMode.CLIENT_CREDENTIALS.code());
            authValues.putIfAbsent("tokenCache", TeamsAuth.DEFAULT_TOKEN_CACHE.toString());
            values.put("auth", authValues);
        }
        return new ProviderConfig(name, values);
    }
}
