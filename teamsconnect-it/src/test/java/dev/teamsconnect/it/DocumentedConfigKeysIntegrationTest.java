package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.ConfigException;
import dev.teamsconnect.core.error.ConfigProblem;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.service.UnwiredServiceRuntime;
import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.service.config.ConfigLoader;
import dev.teamsconnect.service.runtime.EngineWiring;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented config keys and the code agree, through the shipped command line ({@code check --config-only},
 * in-process):
 *
 * <ul>
 *   <li>every key in a key table of the docs (a Markdown table whose first column is {@code key} and whose cells
 *       there are one backquoted key path) is accepted with its documented example value, on top of a minimal valid
 *       config;</li>
 *   <li>every key that the validating code asks for (recorded by {@link ProviderConfig#askedKeyPaths()}) is
 *       documented;</li>
 *   <li>a key documented in two places has the same default in both;</li>
 *   <li>no config message ever shows a value that came from {@code ${NAME}}, whatever the key.</li>
 * </ul>
 *
 * <p>Example values that are file paths ({@code /etc/teamsconnect/pbx.pem}) are replaced by real temporary files
 * with suitable content: a PEM certificate for {@code *.tls.certificate}, a PKCS#12 file (with its password in
 * {@code teams.auth.certificatePassword}) for {@code teams.auth.certificate}, a CSV file for {@code file.path}, and
 * a path in an existing directory for files the service writes. A few keys need a companion to be valid on their
 * own ({@code users.scope: group} needs {@code users.group}; {@code teams.auth.certificate} replaces the client
 * secret; {@code starface.login: oauth} needs {@code starface.oauth.clientSecret}); those are listed in
 * {@link #companions}.
 */
class DocumentedConfigKeysIntegrationTest {

    private static final Path ROOT = Path.of(System.getProperty("it.repositoryRoot", ".."));
    private static final List<String> DOCS = List.of("docs/configuration.md", "docs/starface.md", "docs/azure-setup.md",
            "docs/plugins.md", "docs/outputs.md");
    /** The sections whose keys are documented (the service's, the shipped plugins' and the example plugins'). */
    private static final Set<String> SECTIONS = Set.of("source", "sink", "teams", "starface", "users", "mapping",
            "state", "ha", "server", "outputs", "file");
    /**
     * A key of a list entry of {@code outputs}: {@code outputs[].key} for a key of every entry, {@code outputs[TYPE].key}
     * for a key of an entry of that type; the code records both as {@code outputs[].key}.
     */
    private static final Pattern OUTPUT_KEY = Pattern.compile("outputs\\[([a-z0-9-]*)\\]\\.(.+)");
    /** The keys an entry of each output type needs to be valid, as YAML flow-map items. */
    private static final Map<String, Map<String, String>> OUTPUT_COMPANIONS = Map.of(
            "webhook", Map.of("url", "\"https://hooks.example.com/teams\"", "secret", "\"${TEAMSCONNECT_WEBHOOK_SECRET}\""),
            "mqtt", Map.of("url", "\"ssl://broker.example.com:8883\"", "username", "teamsconnect"));
    /** The type an {@code outputs[].key} (a key of every entry) is tried with. */
    private static final String ANY_OUTPUT = "webhook";
    private static final Pattern ONE_KEY = Pattern.compile("`([A-Za-z][A-Za-z0-9.\\[\\]]*)`");
    private static final Pattern FIRST_CODE = Pattern.compile("`([^`]+)`");
    private static final String CERTIFICATE_PASSWORD = "p12-password-0815";
    private static final String LEAKED = "leaked 4711 :/*x";
    private static final String EXAMPLE_HASH = dev.teamsconnect.service.config.SecretHash.of("example password 4711").encoded();

    @TempDir
    static Path dir;
    static Path pem;
    static Path p12;
    static Path csv;

    record DocumentedKey(String key, String defaultValue, String example, String where) {
    }

    @BeforeAll
    static void files() throws IOException {
        pem = SelfSignedCertificate.forLocalhost().writePem(dir.resolve("trusted.pem"));
        p12 = dir.resolve("app.p12");
        try (GraphEmulator emulator = GraphEmulator.builder().start()) {
            emulator.registerCertificateClient("11111111-1111-1111-1111-111111111111", p12, CERTIFICATE_PASSWORD.toCharArray());
        }
        csv = Files.writeString(dir.resolve("presence.csv"), "id,mail,name,availability,activity\n"
                + "t-1,alice@example.com,Alice Example,Busy,InACall\n");
    }

    @Test
    void everyDocumentedKeyIsAcceptedWithItsExampleAndEveryKeyTheCodeReadsIsDocumented() throws IOException {
        List<DocumentedKey> documented = documentedKeys();
        assertThat(documented).extracting(DocumentedKey::key).contains("teams.chunkSize", "teams.presenceRequestsPer30s",
                "starface.parallelism", "starface.connectTimeout", "starface.requestTimeout", "starface.maxRetries",
                "starface.recheckInterval", "users.refreshInterval", "outputs[webhook].url", "outputs[].type", "file.path")
                .doesNotContain("teams.userRefreshInterval");

        List<String> failures = new ArrayList<>();
        for (DocumentedKey k : documented) {
            Map<String, Object> config = minimalConfig(k.key());
            set(config, k.key(), exampleValue(k));
            companions(config, k.key(), k.example());
            Run run = check(render(config));
            if (run.code != 0) {
                failures.add(k.key() + " = " + k.example() + " (" + k.where() + "): exit " + run.code + "\n" + run.err);
            }
        }
        assertThat(failures).as("documented keys with their documented examples must pass check --config-only").isEmpty();

        Set<String> keys = new TreeSet<>();
        documented.forEach(k -> keys.add(k.key()));
        Set<String> undocumented = new TreeSet<>();
        Set<String> asked = ProviderConfig.askedKeyPaths();
        assertThat(asked).as("the validating code records what it reads").contains("starface.recheckInterval",
                "teams.auth.tokenCache", "users.refreshInterval", "outputs[].url", "outputs[].type", "file.path");
        for (String path : asked) {
            String section = path.split("[.\\[]", 2)[0];
            if (!SECTIONS.contains(section) || path.equals(section)) {
                continue;
            }
            // an entry's key is documented for every entry (outputs[].x) or for its type (outputs[webhook].x)
            String folded = path;
            boolean known = keys.contains(path) || keys.stream().map(k -> {
                Matcher m = OUTPUT_KEY.matcher(k);
                return m.matches() ? "outputs[]." + m.group(2) : k;
            }).anyMatch(k -> k.equals(folded) || k.startsWith(folded + ".") || k.startsWith(folded + "[]"));
            if (!known) {
                undocumented.add(path);
            }
        }
        assertThat(undocumented).as("keys the code reads but no doc's key table lists").isEmpty();
    }

    @Test
    void aKeyDocumentedTwiceHasTheSameDefaultEverywhere() throws IOException {
        Map<String, DocumentedKey> first = new LinkedHashMap<>();
        List<String> conflicts = new ArrayList<>();
        for (DocumentedKey k : documentedKeys()) {
            DocumentedKey earlier = first.putIfAbsent(k.key(), k);
            if (earlier != null && !normalise(earlier.defaultValue()).equals(normalise(k.defaultValue()))) {
                conflicts.add(k.key() + ": " + earlier.defaultValue() + " (" + earlier.where() + ") vs " + k.defaultValue()
                        + " (" + k.where() + ")");
            }
        }
        assertThat(conflicts).isEmpty();
    }

    @Test
    void noConfigMessageShowsASubstitutedValueWhateverTheKey() throws IOException {
        int rejected = 0;
        List<DocumentedKey> documented = documentedKeys();
        for (DocumentedKey k : documented) {
            Map<String, Object> config = minimalConfig(k.key());
            set(config, k.key(), "\"${LEAKED}\"");
            companions(config, k.key(), "");
            String yaml = render(config);
            Run run = check(yaml);
            assertThat(run.out + run.err).as(k.key() + "\n" + yaml).doesNotContain(LEAKED).doesNotContain("leaked 4711");
            rejected += run.code == 2 ? 1 : 0;
            // and the exceptions themselves, before the command line prints them
            try {
                new EngineWiring(new ConfigLoader(env()).parse(yaml, "t.yaml"), PluginLookup.discover()).validate()
                        .forEach(w -> assertThat(w).as(k.key()).doesNotContain(LEAKED));
            } catch (ConfigException e) {
                assertThat(e.getMessage()).as(k.key()).doesNotContain(LEAKED);
                for (ConfigProblem p : e.problems()) {
                    assertThat(p.message()).as(k.key()).doesNotContain(LEAKED);
                }
            }
        }
        // the value is invalid for most keys, so most runs print problems: the check above had something to look at
        assertThat(rejected).isGreaterThan(documented.size() / 2);
    }

    @Test
    void theReportedLeaksStayHidden() throws IOException {
        Map<String, Object> config = minimalConfig("teams.tenantId");
        set(config, "teams.tenantId", "${TEAMS_CLIENT_SECRET}");
        set(config, "starface.loginId", "\"${STARFACE_PASSWORD} x\"");
        Map<String, String> env = new LinkedHashMap<>(env());
        env.put("TEAMS_CLIENT_SECRET", "cs~4711~secret");
        Run run = check(render(config), env);

        assertThat(run.code).isEqualTo(2);
        assertThat(run.err).contains("teams.tenantId: must be a tenant GUID or domain").contains("starface.loginId")
                .doesNotContain("cs~4711~secret").doesNotContain("pbx-password-0815");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<DocumentedKey> documentedKeys() throws IOException {
        List<DocumentedKey> out = new ArrayList<>();
        for (String doc : DOCS) {
            List<String> lines = Files.readAllLines(ROOT.resolve(doc));
            for (int i = 0; i + 1 < lines.size(); i++) {
                List<String> header = cells(lines.get(i));
                if (header.isEmpty() || !header.get(0).equalsIgnoreCase("key") || !lines.get(i + 1).startsWith("|---")) {
                    continue;
                }
                int example = header.indexOf("example");
                int defaults = header.indexOf("default");
                assertThat(example).as(doc + " line " + (i + 1) + ": a key table needs an example column").isPositive();
                for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
                    List<String> row = cells(lines.get(j));
                    Matcher key = ONE_KEY.matcher(row.get(0));
                    assertThat(key.matches()).as(doc + " line " + (j + 1) + ": one backquoted key path").isTrue();
                    Matcher code = FIRST_CODE.matcher(row.get(example));
                    assertThat(code.find()).as(doc + " line " + (j + 1) + ": a backquoted example").isTrue();
                    out.add(new DocumentedKey(key.group(1), defaults < 0 ? "" : row.get(defaults), code.group(1),
                            doc + " line " + (j + 1)));
                }
            }
        }
        return out;
    }

    private static List<String> cells(String line) {
        if (!line.startsWith("|")) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String c : line.substring(1, line.lastIndexOf('|')).split("\\|")) {
            out.add(c.strip());
        }
        return out;
    }

    private static String normalise(String defaultValue) {
        return defaultValue.replace("`", "").replaceAll("\\s*\\(.*\\)$", "").strip().toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> env() {
        return Map.of("TEAMS_CLIENT_SECRET", "client-secret-4711", "STARFACE_PASSWORD", "pbx-password-0815",
                "TEAMS_CERTIFICATE_PASSWORD", CERTIFICATE_PASSWORD, "TEAMS_PASSWORD", "teams-password-0816",
                "TEAMSCONNECT_WEBHOOK_SECRET", "webhook-secret-at-least-16", "STARFACE_CLIENT_SECRET", "pbx-client-secret-0817",
                "MQTT_PASSWORD", "mqtt-password-0818", "TEAMSCONNECT_DB_PASSWORD", "db-password-0819",
                "STARFACE_BRIDGE_SECRET", "bridge-secret-0820-long", "LEAKED", LEAKED);
    }

    /** teams + starface, or the example plugin that {@code key} belongs to; the state file in the temp directory. */
    private static Map<String, Object> minimalConfig(String key) {
        Map<String, Object> c = new LinkedHashMap<>();
        set(c, "teams.tenantId", "contoso.onmicrosoft.com");
        set(c, "teams.clientId", "\"11111111-1111-1111-1111-111111111111\"");
        set(c, "teams.auth.clientSecret", "${TEAMS_CLIENT_SECRET}");
        set(c, "starface.baseUrl", "https://pbx.example.com");
        set(c, "starface.loginId", "\"0001\"");
        set(c, "starface.password", "${STARFACE_PASSWORD}");
        set(c, "state.file", quoted(dir.resolve("state.json")));
        if (key.startsWith("file.")) {
            fileSource(c);
        }
        return c;
    }

    private static void fileSource(Map<String, Object> c) {
        set(c, "source.type", "file");
        set(c, "file.path", quoted(csv));
    }

    /** What a key needs besides itself to be valid (see the class comment). */
    private static void companions(Map<String, Object> c, String key, String example) {
        switch (key) {
            case "users.scope" -> set(c, "users.group", "Sales");
            // the bridge's two keys come together
            case "starface.bridge.instance" -> set(c, "starface.bridge.secret", "${STARFACE_BRIDGE_SECRET}");
            case "starface.bridge.secret" -> set(c, "starface.bridge.instance", "TeamsConnectBridge");
            case "starface.login" -> {
                if (example.equals("oauth")) {
                    set(c, "starface.oauth.clientSecret", "${STARFACE_CLIENT_SECRET}");
                }
            }
            // beyond loopback the page and /status need credentials; basic auth needs both halves
            case "server.bind" -> set(c, "server.auth.tokenHash", "\"" + EXAMPLE_HASH + "\"");
            case "server.auth.username" -> set(c, "server.auth.passwordHash", "\"" + EXAMPLE_HASH + "\"");
            case "server.auth.passwordHash" -> set(c, "server.auth.username", "admin");
            case "teams.auth.certificate" -> {
                remove(c, "teams.auth.clientSecret");
                set(c, "teams.auth.certificatePassword", "${TEAMS_CERTIFICATE_PASSWORD}");
            }
            // the keys of the postgres store come with it, and ha.mode active-passive needs it
            case "state.url", "state.user", "state.password", "ha.mode" -> postgresState(c, key);
            case "state.type" -> {
                if (example.equals("postgres")) {
                    postgresState(c, key);
                }
            }
            case "source.type" -> {
                if (example.equals("file")) {
                    fileSource(c);
                }
            }
            default -> {
            }
        }
    }

    /** state.type postgres with the required keys, except {@code key} (which the caller sets). */
    private static void postgresState(Map<String, Object> c, String key) {
        remove(c, "state.file");
        for (String k : List.of("state.type", "state.url", "state.user")) {
            if (!k.equals(key)) {
                set(c, k, switch (k) {
                    case "state.type" -> "postgres";
                    case "state.url" -> "jdbc:postgresql://db.example.com:5432/teamsconnect";
                    default -> "teamsconnect";
                });
            }
        }
    }

    /** The documented example as YAML text, file paths replaced by real files. */
    private static String exampleValue(DocumentedKey k) throws IOException {
        String v = k.example();
        if (v.startsWith("/")) {
            if (k.key().endsWith("tls.certificate")) {
                return quoted(pem);
            }
            if (k.key().equals("teams.auth.certificate")) {
                return quoted(p12);
            }
            if (k.key().equals("file.path")) {
                return quoted(csv);
            }
            // a file the service writes: its directory must exist
            return quoted(dir.resolve(Path.of(v).getFileName()));
        }
        if (v.matches("[^\\s:{\\[]+: .*")) {
            return "{" + v + "}"; // a map entry, e.g. users.overrides
        }
        if (v.contains(" ") && !v.startsWith("\"") && !v.startsWith("[") && !v.startsWith("{")) {
            return "\"" + v + "\"";
        }
        return v;
    }

    private static String quoted(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\") + "\"";
    }

    /** Sets a dotted key to raw YAML text; {@code x.items[].field} makes a one-item list of maps. */
    @SuppressWarnings("unchecked")
    private static void set(Map<String, Object> c, String key, String yaml) {
        Matcher output = OUTPUT_KEY.matcher(key);
        if (output.matches()) {
            // one entry of the type (or of ANY_OUTPUT for a key of every entry) with what it needs, plus the key
            String type = output.group(1).isEmpty() ? ANY_OUTPUT : output.group(1);
            String field = output.group(2);
            if (!yaml.startsWith("\"") && yaml.matches(".*[{},\\[\\]].*")) {
                yaml = "\"" + yaml + "\""; // ${NAME} and the like inside a flow map
            }
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("type", field.equals("type") ? yaml : type);
            entry.putAll(OUTPUT_COMPANIONS.getOrDefault(type, Map.of()));
            int dot = field.indexOf('.');
            if (dot > 0) {
                // a key of a nested section of the entry, e.g. tls.certificate: a nested flow map
                entry.put(field.substring(0, dot), "{" + field.substring(dot + 1) + ": " + yaml + "}");
            } else {
                entry.put(field, yaml);
            }
            List<String> items = new ArrayList<>();
            entry.forEach((k, v) -> items.add(k + ": " + v));
            c.put("outputs", "[{" + String.join(", ", items) + "}]");
            return;
        }
        int list = key.indexOf("[].");
        if (list > 0) {
            String field = key.substring(list + 3);
            String item = field.equals("id") ? "{id: " + yaml + "}" : "{id: \"42\", " + field + ": " + yaml + "}";
            set(c, key.substring(0, list), "[" + item + "]");
            return;
        }
        String[] parts = key.split("\\.");
        Map<String, Object> m = c;
        for (int i = 0; i < parts.length - 1; i++) {
            Object next = m.get(parts[i]);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                m.put(parts[i], next);
            }
            m = (Map<String, Object>) next;
        }
        m.put(parts[parts.length - 1], yaml);
    }

    @SuppressWarnings("unchecked")
    private static void remove(Map<String, Object> c, String key) {
        String[] parts = key.split("\\.");
        Map<String, Object> m = c;
        for (int i = 0; i < parts.length - 1; i++) {
            m = (Map<String, Object>) m.get(parts[i]);
        }
        m.remove(parts[parts.length - 1]);
    }

    private static String render(Map<String, Object> c) {
        StringBuilder sb = new StringBuilder();
        render(c, "", sb);
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static void render(Map<String, Object> m, String indent, StringBuilder sb) {
        m.forEach((k, v) -> {
            if (v instanceof Map) {
                sb.append(indent).append(k).append(":\n");
                render((Map<String, Object>) v, indent + "  ", sb);
            } else {
                sb.append(indent).append(k).append(": ").append(v).append('\n');
            }
        });
    }

    private record Run(int code, String out, String err) {
    }

    private static Run check(String yaml) throws IOException {
        return check(yaml, env());
    }

    private static Run check(String yaml, Map<String, String> env) throws IOException {
        Path file = Files.writeString(Files.createTempFile(dir, "teamsconnect", ".yaml"), yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TeamsConnectMain.execute(new String[] {"check", "--config", file.toString(), "--config-only"}, env,
                new UnwiredServiceRuntime(), Clock.systemUTC(), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString() + "\n--- config ---\n" + yaml);
    }
}
