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
                Script script = new Script(out, graph, pbx, engine, events, people, stop, day);
                out.println("TeamsConnect demo: a working day in a small office, on built-in emulators");
                out.println("  Microsoft Graph emulator  " + graph.baseUri() + "  (" + graph.users().size()
                        + " Teams users; HTTPS with a generated certificate)");
                out.println("  STARFACE emulator         " + pbx.baseUrl() + "  (" + (pbx.dndByLogin().size() - 1)
                        + " phones; HTTPS with a generated certificate)");
                out.println("  Real Graph source and STARFACE sink; DND for " + policy.dndCategories()
                        + ", manual DND respected");
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

        Script(PrintWriter out, GraphEmulator graph, StarfaceEmulator pbx, SyncEngine engine, List<AuditEvent> events,
               Map<String, Person> people, StopSignal stop, DayClock day) {
            this.day = day;
            this.out = out;
            this.graph = graph;
            this.pbx = pbx;
            this.engine = engine;
            this.events = events;
            this.people = people;
            this.stop = stop;
        }

        void play() throws InterruptedException {
            out.println("07:55  Ben switches DND on at his desk phone before work (his own choice)");
            pbx.pressDndKey(p("Ben").login(), true);
            step("08:00", "TeamsConnect starts: signs in to Microsoft Graph and STARFACE, matches users by e-mail", "",
                    () -> { });
            step("08:30", "Everybody signs in to Teams (Available)", "", () -> {
                for (Person x : people.values()) {
                    graph.setPresence(x.teamsId(), Availability.AVAILABLE, Activity.AVAILABLE);
                }
            });
            step("09:00", "Anna starts a Teams call", "", () -> presence("Anna", Availability.BUSY, Activity.IN_A_CALL));
            step("09:25", "Anna's call ends", "restore-after-call: Anna gets her own DND (off) back",
                    () -> presence("Anna", Availability.AVAILABLE, Activity.AVAILABLE));
            step("10:00", "Clara joins a Teams meeting", "", () -> presence("Clara", Availability.BUSY, Activity.IN_A_MEETING));
            step("10:30", "Ben starts a Teams call; his DND is already on", "nothing to do: the PBX already shows DND",
                    () -> presence("Ben", Availability.BUSY, Activity.IN_A_CALL));
            step("10:50", "Ben's call ends", "Ben's DND stays on: it was his own setting, never the engine's",
                    () -> presence("Ben", Availability.AVAILABLE, Activity.AVAILABLE));
            step("11:00", "Clara's meeting ends", "", () -> presence("Clara", Availability.AVAILABLE, Activity.AVAILABLE));
            step("13:00", "David takes a Teams call", "", () -> presence("David", Availability.BUSY, Activity.IN_A_CALL));
            step("13:05", "David switches DND off by hand at his phone during the call (he expects a delivery)",
                    "manual DND respected: the engine does not switch it back on",
                    () -> pbx.pressDndKey(p("David").login(), false));
            step("13:30", "David's call ends", "David's hand-made choice stays; nothing is written",
                    () -> presence("David", Availability.AVAILABLE, Activity.AVAILABLE));
            step("14:00", "Tom (Teams only, no desk phone) starts a call", "Tom has no STARFACE user: nothing to do",
                    () -> presence("Tom", Availability.BUSY, Activity.IN_A_CALL));
            step("15:00", "Eva sets Teams to Do not disturb; Felix starts presenting",  "", () -> {
                presence("Eva", Availability.DO_NOT_DISTURB, Activity.DO_NOT_DISTURB);
                presence("Felix", Availability.DO_NOT_DISTURB, Activity.PRESENTING);
            });
            step("15:40", "Eva is Available again; Felix stops presenting; Tom's call ends", "", () -> {
                presence("Eva", Availability.AVAILABLE, Activity.AVAILABLE);
                presence("Felix", Availability.AVAILABLE, Activity.AVAILABLE);
                presence("Tom", Availability.AVAILABLE, Activity.AVAILABLE);
            });
            step("16:00", "Greta, Hannes and Ida join a Teams conference call", "", () -> {
                for (String n : List.of("Greta", "Hannes", "Ida")) {
                    presence(n, Availability.BUSY, Activity.IN_A_CONFERENCE_CALL);
                }
            });
            step("16:45", "The conference call ends", "", () -> {
                for (String n : List.of("Greta", "Hannes", "Ida")) {
                    presence(n, Availability.AVAILABLE, Activity.AVAILABLE);
                }
            });
            step("17:30", "Everybody signs out of Teams (Offline)", "Offline does not mean DND", () -> {
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

        private void step(String time, String what, String note, Runnable action) throws InterruptedException {
            if (stop.isStopRequested()) {
                return;
            }
            out.println(time + "  " + what);
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
                out.println("         " + m.matched().size() + " users matched; no desk phone: "
                        + m.unmatchedTeams().stream().map(u -> u.displayName()).toList() + "; no Teams account: "
                        + m.unmatchedPbx().stream().map(u -> u.displayName()).toList());
            } else if (happened.isEmpty()) {
                out.println("         (no PBX change)");
            }
            if (!r.errors().isEmpty()) {
                out.println("         problems: " + String.join(" | ", r.errors()));
            }
            if (!note.isEmpty()) {
                out.println("         -> " + note);
            }
            out.flush();
            stop.await(pause);
        }

        private String describe(AuditEvent e) {
            String change = e.from() == null || e.to() == null || e.from().equals(e.to()) ? "DND stays " + dnd(e.from(), e.to())
                    : "DND " + dnd(e.from()) + " -> " + dnd(e.to());
            return String.format(Locale.ROOT, "%-24s %-18s %s [%s]", e.userLabel(), change, e.reason(),
                    e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }

        private static String dnd(PbxState s) {
            return s == null ? "?" : s.dnd() ? "on" : "off";
        }

        private static String dnd(PbxState from, PbxState to) {
            return dnd(to != null ? to : from);
        }

        void summary(Duration took) {
            out.println();
            out.println("Summary: " + cycles + " sync cycles, " + writes + " writes to STARFACE, "
                    + counts.getOrDefault(AuditEvent.Kind.HOLD_STARTED, 0) + " times DND on for Teams, "
                    + counts.getOrDefault(AuditEvent.Kind.RESTORED, 0) + " restored after the call or meeting, "
                    + counts.getOrDefault(AuditEvent.Kind.MANUAL_KEPT, 0) + " manual DND respected, "
                    + failures + " failures");
            List<String> on = pbx.dndByLogin().entrySet().stream().filter(Map.Entry::getValue)
                    .map(en -> nameOf(en.getKey())).sorted().toList();
            out.println("DND on at the end of the day: " + (on.isEmpty() ? "nobody" : String.join(", ", on))
                    + " (set by hand, so left alone)");
            out.println(String.format(Locale.ROOT, "Demo finished in %.1f s. Next: docs/getting-started.md",
                    took.toMillis() / 1000.0));
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
