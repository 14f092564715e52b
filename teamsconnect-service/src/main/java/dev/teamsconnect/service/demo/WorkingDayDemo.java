package dev.teamsconnect.service.demo;

import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.engine.EngineConfig;
import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.mapping.ConfigurableStatusPolicy;
import dev.teamsconnect.core.matching.MappingReport;
import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.AuditEvent;
import dev.teamsconnect.core.spi.PbxSink;
import dev.teamsconnect.core.spi.PresenceSource;
import dev.teamsconnect.core.spi.ProviderConfig;
import dev.teamsconnect.service.StopSignal;
import dev.teamsconnect.service.i18n.Messages;
import dev.teamsconnect.service.runtime.EngineServiceRuntime;
import dev.teamsconnect.service.runtime.PluginLookup;
import dev.teamsconnect.testkit.graph.EmulatedUser;
import dev.teamsconnect.testkit.graph.GraphEmulator;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * {@code teamsconnect demo}: a scripted working day on the test kit's Graph and STARFACE emulators, both started
 * in-process over HTTPS with generated certificates. The real engine, the real Graph source (msal4j sign-in, Graph
 * calls) and the real STARFACE sink run against them exactly as in production; only the people are scripted. Each
 * step changes Teams presence (or presses a phone's DND key), runs one sync cycle and prints every PBX change with
 * its reason. Needs no config and no network (everything listens on 127.0.0.1) and ends by itself.
 *
 * <p>Not thread-safe; one run at a time.
 */
public final class WorkingDayDemo implements EngineServiceRuntime.Demo {

    private static final String CLIENT_ID = "teamsconnect-demo";
    // demo-only credentials of the emulators; they protect nothing
    private static final String CLIENT_SECRET = "demo-client-secret";
    private static final String PBX_LOGIN = "0001";
    private static final String PBX_PASSWORD = "demo-api-password";
    private static final String[] FIRST = {"Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hannes", "Ida",
        "Jonas", "Katrin", "Lukas", "Mara", "Nils", "Olga", "Paul", "Rosa", "Sven", "Tanja", "Uwe", "Vera", "Wim",
        "Xenia", "Yusuf", "Zoe", "Armin", "Birte", "Carsten"};
    private static final String[] LAST = {"Berg", "Vogel", "Hahn", "Roth", "Klein", "Wolf", "Lang", "Brandt", "Kuhn",
        "Peters", "Engel", "Frank", "Sommer", "Arnold", "Busch", "Graf", "Jung", "Lorenz", "Meier", "Otto", "Pohl",
        "Ritter", "Seidel", "Thiel", "Ulrich", "Voigt", "Walter", "Ziegler"};

    private final Duration pause;

    /** The demo as {@code teamsconnect demo} runs it: a step every 0.75 s, about 20 seconds in all. */
    public WorkingDayDemo() {
        this(Duration.ofMillis(750));
    }

    /** @param pause the real time between two steps of the script (0 in tests) */
    public WorkingDayDemo(Duration pause) {
        this.pause = Objects.requireNonNull(pause, "pause");
    }

    /** One person of the demo office: Teams id (null: no Teams account) and PBX login (null: no phone). */
    private record Person(String name, String mail, String teamsId, String login) {
    }

    @Override
    public void run(PrintWriter out, StopSignal stop) throws Exception {
        run(out, stop, Messages.english());
    }

    /** The demo with its lines in the language of {@code m}; the engine's reasons (from the core) stay English. */
    @Override
    public void run(PrintWriter out, StopSignal stop, Messages m) throws Exception {
        long started = System.nanoTime();
        Path dir = Files.createTempDirectory("teamsconnect-demo");
        Quiet quiet = Quiet.engineLogs();
        try (GraphEmulator graph = GraphEmulator.builder().start();
             StarfaceEmulator pbx = office(StarfaceEmulator.builder()).https().start()) {
            graph.registerSecretClient(CLIENT_ID, CLIENT_SECRET);
            Map<String, Person> people = people(graph);
            Path graphPem = graph.writeCertificatePem(dir.resolve("graph.pem"));
            Path pbxPem = pbx.certificate().orElseThrow().writePem(dir.resolve("starface.pem"));

            PluginLookup plugins = PluginLookup.discover();
            PresenceSource source = plugins.source("graph").create(new ProviderConfig("teams", Map.of(
                    "tenantId", graph.tenantId(),
                    "clientId", CLIENT_ID,
                    "auth", Map.of("mode", "client-credentials", "clientSecret", CLIENT_SECRET),
                    "authorityHost", graph.authorityHost().toString(),
                    "graphBaseUrl", graph.graphBaseUrl().toString(),
                    "tls", Map.of("certificate", graphPem.toString()))));
            PbxSink sink = plugins.sink("starface").create(new ProviderConfig("starface", Map.of(
                    "baseUrl", pbx.baseUrl().toString(),
                    "loginId", PBX_LOGIN,
                    "password", PBX_PASSWORD,
                    "tls", Map.of("certificate", pbxPem.toString()))));
            List<AuditEvent> events = new CopyOnWriteArrayList<>();
            ConfigurableStatusPolicy policy = ConfigurableStatusPolicy.defaults();
            // the engine lives the scripted day: each scene sets its clock, so the shipped timers (the sink's
            // recheck interval, fail-open) run as they would over a real day
            DayClock day = new DayClock();
            try (SyncEngine engine = SyncEngine.builder()
                    .source(source)
                    .sink(sink)
                    .store(plugins.store("memory").create(ProviderConfig.empty("state")))
                    .policy(policy)
                    .config(EngineConfig.builder().pollInterval(Duration.ofSeconds(1)).build())
                    .listener(events::add)
                    .clock(day)
                    .build()) {
                Script script = new Script(out, m, graph, pbx, engine, events, people, stop, day);
                out.println(m.get("demo.title"));
                out.println("  " + m.get("demo.graph", graph.baseUri().toString(), graph.users().size()));
                out.println("  " + m.get("demo.starface", pbx.baseUrl().toString(), pbx.dndByLogin().size() - 1));
                out.println("  " + m.get("demo.wiring", String.valueOf(policy.dndCategories())));
                out.println();
                script.play();
                script.summary(Duration.ofNanos(System.nanoTime() - started));
            }
        } finally {
            quiet.restore();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // a temp dir left behind is harmless
            }
            Files.deleteIfExists(dir);
            out.flush();
        }
    }

    /** The office's phones: the API user, one per person with a phone, and the reception (no Teams account). */
    private static StarfaceEmulator.Builder office(StarfaceEmulator.Builder b) {
        b.user(PBX_LOGIN, PBX_PASSWORD, "teamsconnect-api@demo.example", "TeamsConnect", "API", false);
        for (int i = 0; i < FIRST.length; i++) {
            b.user(login(i), "phone-" + i, mail(i), FIRST[i], LAST[i], false);
        }
        b.user("1099", "phone-reception", "reception@demo.example", "Reception", "Desk", false);
        return b;
    }

    private static String login(int i) {
        return String.valueOf(1001 + i);
    }

    private static String mail(int i) {
        return FIRST[i].toLowerCase(Locale.ROOT) + "." + LAST[i].toLowerCase(Locale.ROOT) + "@demo.example";
    }

    /** Everybody in Teams: each person with a phone, and Tom, who has no phone. Keyed by first name. */
    private static Map<String, Person> people(GraphEmulator graph) {
        Map<String, Person> people = new LinkedHashMap<>();
        for (int i = 0; i < FIRST.length; i++) {
            EmulatedUser u = graph.addUser(mail(i), FIRST[i] + " " + LAST[i], true);
            people.put(FIRST[i], new Person(FIRST[i] + " " + LAST[i], mail(i), u.id(), login(i)));
        }
        EmulatedUser tom = graph.addUser("tom.tanaka@demo.example", "Tom Tanaka", true);
        people.put("Tom", new Person("Tom Tanaka", "tom.tanaka@demo.example", tom.id(), null));
        return people;
    }

    /** The scripted day: each step acts, runs one cycle and prints what the engine did. */
    /** The clock of the scripted day: a scene's "HH:MM" on a fixed date. */
    private static final class DayClock extends java.time.Clock {
        private static final java.time.LocalDate DATE = java.time.LocalDate.of(2026, 3, 2);
        private volatile java.time.Instant now = DATE.atTime(7, 55).toInstant(java.time.ZoneOffset.UTC);

        void set(String hhmm) {
            java.time.Instant at = DATE.atTime(java.time.LocalTime.parse(hhmm)).toInstant(java.time.ZoneOffset.UTC);
            if (at.isAfter(now)) {
                now = at;
            }
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    private final class Script {
        private final PrintWriter out;
        private final Messages m;
        private final GraphEmulator graph;
        private final StarfaceEmulator pbx;
        private final SyncEngine engine;
        private final List<AuditEvent> events;
        private final Map<String, Person> people;
        private final StopSignal stop;
        private final Map<AuditEvent.Kind, Integer> counts = new EnumMap<>(AuditEvent.Kind.class);
        private int writes;
        private int cycles;
        private int failures;

        private final DayClock day;

        Script(PrintWriter out, Messages m, GraphEmulator graph, StarfaceEmulator pbx, SyncEngine engine, List<AuditEvent> events,
               Map<String, Person> people, StopSignal stop, DayClock day) {
            this.day = day;
            this.out = out;
            this.m = m;
            this.graph = graph;
            this.pbx = pbx;
            this.engine = engine;
            this.events = events;
            this.people = people;
            this.stop = stop;
        }

        void play() throws InterruptedException {
            out.println("07:55  " + m.get("demo.step.0755"));
            pbx.pressDndKey(p("Ben").login(), true);
            step("08:00", "demo.step.0800", "",
                    () -> { });
            step("08:30", "demo.step.0830", "", () -> {
                for (Person x : people.values()) {
                    graph.setPresence(x.teamsId(), Availability.AVAILABLE, Activity.AVAILABLE);
                }
            });
            step("09:00", "demo.step.0900", "", () -> presence("Anna", Availability.BUSY, Activity.IN_A_CALL));
            step("09:25", "demo.step.0925", "demo.step.0925.note",
                    () -> presence("Anna", Availability.AVAILABLE, Activity.AVAILABLE));
            step("10:00", "demo.step.1000", "", () -> presence("Clara", Availability.BUSY, Activity.IN_A_MEETING));
            step("10:30", "demo.step.1030", "demo.step.1030.note",
                    () -> presence("Ben", Availability.BUSY, Activity.IN_A_CALL));
            step("10:50", "demo.step.1050", "demo.step.1050.note",
                    () -> presence("Ben", Availability.AVAILABLE, Activity.AVAILABLE));
            step("11:00", "demo.step.1100", "", () -> presence("Clara", Availability.AVAILABLE, Activity.AVAILABLE));
            step("13:00", "demo.step.1300", "", () -> presence("David", Availability.BUSY, Activity.IN_A_CALL));
            step("13:05", "demo.step.1305", "demo.step.1305.note",
                    () -> pbx.pressDndKey(p("David").login(), false));
            step("13:30", "demo.step.1330", "demo.step.1330.note",
                    () -> presence("David", Availability.AVAILABLE, Activity.AVAILABLE));
            step("14:00", "demo.step.1400", "demo.step.1400.note",
                    () -> presence("Tom", Availability.BUSY, Activity.IN_A_CALL));
            step("15:00", "demo.step.1500", "", () -> {
                presence("Eva", Availability.DO_NOT_DISTURB, Activity.DO_NOT_DISTURB);
                presence("Felix", Availability.DO_NOT_DISTURB, Activity.PRESENTING);
            });
            step("15:40", "demo.step.1540", "", () -> {
                presence("Eva", Availability.AVAILABLE, Activity.AVAILABLE);
                presence("Felix", Availability.AVAILABLE, Activity.AVAILABLE);
                presence("Tom", Availability.AVAILABLE, Activity.AVAILABLE);
            });
            step("16:00", "demo.step.1600", "", () -> {
                for (String n : List.of("Greta", "Hannes", "Ida")) {
                    presence(n, Availability.BUSY, Activity.IN_A_CONFERENCE_CALL);
                }
            });
            step("16:45", "demo.step.1645", "", () -> {
                for (String n : List.of("Greta", "Hannes", "Ida")) {
                    presence(n, Availability.AVAILABLE, Activity.AVAILABLE);
                }
            });
            step("17:30", "demo.step.1730", "demo.step.1730.note", () -> {
                for (Person x : people.values()) {
                    graph.setPresence(x.teamsId(), Availability.OFFLINE, Activity.OFFLINE);
                }
            });
        }

        private Person p(String first) {
            return people.get(first);
        }

        private void presence(String first, Availability availability, Activity activity) {
            graph.setPresence(p(first).teamsId(), availability, activity);
        }

        /**
         * One step of the day.
         *
         * @param what the key of the step's text
         * @param note the key of its note, or "" for none
         */
        private void step(String time, String what, String note, Runnable action) throws InterruptedException {
            if (stop.isStopRequested()) {
                return;
            }
            out.println(time + "  " + m.get(what));
            day.set(time);
            action.run();
            events.clear();
            CycleReport r = engine.syncOnce();
            cycles++;
            writes += r.writes();
            failures += r.failures();
            List<AuditEvent> happened = new ArrayList<>(events);
            happened.sort(Comparator.comparing(e -> String.valueOf(e.userLabel())));
            for (AuditEvent e : happened) {
                counts.merge(e.kind(), 1, Integer::sum);
                out.println("         " + describe(e));
            }
            MappingReport m = engine.mappingReport();
            if (cycles == 1 && m != null) {
                out.println("         " + this.m.get("demo.matched", m.matched().size(),
                        String.valueOf(m.unmatchedTeams().stream().map(u -> u.displayName()).toList()),
                        String.valueOf(m.unmatchedPbx().stream().map(u -> u.displayName()).toList())));
            } else if (happened.isEmpty()) {
                out.println("         " + this.m.get("demo.noChange"));
            }
            if (!r.errors().isEmpty()) {
                out.println("         " + this.m.get("demo.problems", String.join(" | ", r.errors())));
            }
            if (!note.isEmpty()) {
                out.println("         -> " + this.m.get(note));
            }
            out.flush();
            stop.await(pause);
        }

        private String describe(AuditEvent e) {
            String change = e.from() == null || e.to() == null || e.from().equals(e.to())
                    ? m.get("demo.dndStays", dnd(e.from(), e.to()))
                    : m.get("demo.dndChange", dnd(e.from()), dnd(e.to()));
            String kind = "demo.kind." + e.kind().name();
            // the reason is the engine's text (core), English like the log
            return String.format(Locale.ROOT, "%-24s %-18s %s [%s]", e.userLabel(), change, e.reason(),
                    m.has(kind) ? m.get(kind) : e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }

        private String dnd(PbxState s) {
            return s == null ? "?" : m.get(s.dnd() ? "demo.on" : "demo.off");
        }

        private String dnd(PbxState from, PbxState to) {
            return dnd(to != null ? to : from);
        }

        void summary(Duration took) {
            out.println();
            out.println(m.get("demo.summary", cycles, writes, counts.getOrDefault(AuditEvent.Kind.HOLD_STARTED, 0),
                    counts.getOrDefault(AuditEvent.Kind.RESTORED, 0), counts.getOrDefault(AuditEvent.Kind.MANUAL_KEPT, 0),
                    failures));
            List<String> on = pbx.dndByLogin().entrySet().stream().filter(Map.Entry::getValue)
                    .map(en -> nameOf(en.getKey())).sorted(m.collator()).toList();
            out.println(on.isEmpty() ? m.get("demo.dndAtEnd.nobody") : m.get("demo.dndAtEnd", String.join(", ", on)));
            out.println(m.get("demo.finished", took.toMillis() / 1000.0));
        }

        private String nameOf(String login) {
            return people.values().stream().filter(x -> login.equals(x.login())).map(Person::name).findFirst()
                    .orElse(login);
        }
    }

    /** Keeps the engine's INFO log off the console during the demo (the demo prints each change itself). */
    private static final class Quiet {
        private final ch.qos.logback.classic.Logger root;
        private final ch.qos.logback.classic.Level before;

        private Quiet(ch.qos.logback.classic.Logger root, ch.qos.logback.classic.Level before) {
            this.root = root;
            this.before = before;
        }

        static Quiet engineLogs() {
            boolean asked = System.getProperty("TEAMSCONNECT_LOG_LEVEL") != null || System.getenv("TEAMSCONNECT_LOG_LEVEL") != null;
            if (!asked && LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger l) {
                ch.qos.logback.classic.Level before = l.getLevel();
                l.setLevel(ch.qos.logback.classic.Level.WARN);
                return new Quiet(l, before);
            }
            return new Quiet(null, null);
        }

        void restore() {
            if (root != null) {
                root.setLevel(before);
            }
        }
    }
}
