package dev.teamsconnect.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.teamsconnect.core.discovery.Providers;
import dev.teamsconnect.core.engine.CycleReport;
import dev.teamsconnect.core.spi.PbxSinkProvider;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Follows docs/plugins.md word for word: takes every code block that starts with {@code // File:}, compiles the
 * main files with the {@code @AutoService} processor (as the guide's pom does) and the test file against the test
 * kit, runs the guide's compatibility test, discovers the sink through ServiceLoader and runs one engine cycle
 * through it from a service config file built from the guide's YAML block. Any drift between guide and code fails
 * here.
 */
class PluginGuideTest {

    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern FILE_LINE = Pattern.compile("^(?://|#|<!--) File: (\\S+)");
    private static final String GUIDE_PHONES_PATH = "/var/lib/teamsconnect/phones.csv";

    @TempDir
    static Path work;

    private static Map<String, String> files;
    private static Path classes;
    private static Path testClasses;

    @BeforeAll
    static void compileTheGuide() throws IOException {
        files = blocks(Files.readString(repositoryRoot().resolve("docs/plugins.md")));
        assertThat(files).as("files in docs/plugins.md").containsKeys(
                "src/main/java/com/example/phones/CsvPbxSink.java",
                "src/main/java/com/example/phones/CsvSinkProvider.java",
                "src/test/java/com/example/phones/CsvPbxSinkCompatibilityTest.java",
                "teamsconnect.yaml");
        Path project = work.resolve("csv-sink");
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path target = project.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, f.getValue(), StandardCharsets.UTF_8);
        }
        classes = compile(javaFiles(project.resolve("src/main/java")), work.resolve("classes"), List.of());
        testClasses = compile(javaFiles(project.resolve("src/test/java")), work.resolve("test-classes"), List.of(classes));
    }

    @Test
    void guidesPomUsesTheVersionsOfThisBuild() throws IOException {
        String rootPom = Files.readString(repositoryRoot().resolve("pom.xml"));
        String guidePom = files.get("pom.xml");
        assertThat(guidePom).as("the guide's pom block").isNotNull();
        assertThat(guidePom).contains("<version>" + tag(rootPom, "version") + "</version>")
                .contains("<version>" + tag(rootPom, "auto-service.version") + "</version>")
                .contains("<artifactId>auto-service</artifactId>")
                .contains("<annotationProcessorPaths>");
    }

    private static String tag(String xml, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(xml);
        assertThat(m.find()).as("<%s> in the root pom", name).isTrue();
        return m.group(1).trim();
    }

    @Test
    void autoServiceRegistersTheGuidesProvider() throws IOException {
        Path services = classes.resolve("META-INF/services/" + PbxSinkProvider.class.getName());
        assertThat(services).as("written by the @AutoService processor").exists();
        assertThat(Files.readString(services)).contains("com.example.phones.CsvSinkProvider");
    }

    @Test
    void guidesCompatibilityTestPassesTheWholeKit() throws Exception {
        try (URLClassLoader loader = loader(classes, testClasses)) {
            Class<?> test = Class.forName("com.example.phones.CsvPbxSinkCompatibilityTest", false, loader);
            TestExecutionSummary summary = runJUnit(test, loader);
            StringWriter failures = new StringWriter();
            summary.printFailuresTo(new PrintWriter(failures), 5);
            assertThat(summary.getTotalFailureCount()).as("failures of the guide's kit test:%n%s", failures).isZero();
            assertThat(summary.getTestsSucceededCount()).as("kit tests that passed").isGreaterThanOrEqualTo(15);
        }
    }

    @Test
    void serviceDiscoversTheGuidesSinkByIdAndRunsACycleThroughIt() throws Exception {
        Path phones = work.resolve("phones.csv");
        Files.write(phones, List.of("1,alice,alice@example.com,Alice Example,false",
                "2,bob,bob@example.com,Bob Example,false"), StandardCharsets.UTF_8);
        Path presence = work.resolve("presence.csv");
        Files.write(presence, List.of("id,mail,name,availability,activity",
                "t-alice,alice@example.com,Alice Example,Busy,InACall",
                "t-bob,bob@example.com,Bob Example,Available,Available"), StandardCharsets.UTF_8);
        String guideYaml = files.get("teamsconnect.yaml");
        assertThat(guideYaml).contains(GUIDE_PHONES_PATH);
        Path config = work.resolve("teamsconnect.yaml");
        Files.writeString(config, guideYaml.replace(GUIDE_PHONES_PATH, phones.toString()) + "\n"
                + "source:\n  type: file\nfile:\n  path: " + presence + "\nstate:\n  file: " + work.resolve("state.json") + "\n");

        // Packaged as the guide says: a plain jar of the compiled classes, next to the service's own class path.
        Path jar = jar(classes, work.resolve("csv-sink.jar"));
        try (URLClassLoader loader = loader(jar)) {
            ServiceWiring.Wired wired = ServiceWiring.fromConfigFile(config, Map.of(), loader,
                    java.time.Clock.fixed(Instant.parse("2026-01-05T09:00:00Z"), java.time.ZoneOffset.UTC));
            assertThat(wired.config().sink()).isEqualTo("csv");
            assertThat(wired.providers().sink("csv").getClass().getClassLoader()).isSameAs(loader);
            try (var engine = wired.engine()) {
                CycleReport report = engine.syncOnce();
                assertThat(report.errors()).isEmpty();
                assertThat(report.writes()).isEqualTo(1);
            }
        }
        assertThat(Files.readAllLines(phones)).containsExactly(
                "1,alice,alice@example.com,Alice Example,true",
                "2,bob,bob@example.com,Bob Example,false");
    }

    @Test
    void withoutTheAutoServiceAnnotationTheServiceWouldNotFindTheSink() throws IOException {
        // Proves the discovery check above can fail: the same provider, minus the line the guide says to add.
        Path project = work.resolve("no-annotation");
        for (String name : List.of("CsvPbxSink.java", "CsvSinkProvider.java")) {
            String text = files.get("src/main/java/com/example/phones/" + name);
            Path target = project.resolve(name);
            Files.createDirectories(project);
            Files.writeString(target, text.replace("@AutoService(PbxSinkProvider.class)\n", ""));
        }
        Path out = compile(javaFiles(project), work.resolve("no-annotation-classes"), List.of());
        try (URLClassLoader loader = loader(out)) {
            assertThat(Providers.load(loader).sinkIds()).doesNotContain("csv");
        }
    }

    // ---- helpers

    /** {@code // File: path} (or {@code # File: path}) code blocks of the guide, by path. */
    static Map<String, String> blocks(String markdown) {
        Map<String, String> result = new LinkedHashMap<>();
        Matcher m = FENCE.matcher(markdown.replace("\r\n", "\n"));
        while (m.find()) {
            String body = m.group(2);
            Matcher first = FILE_LINE.matcher(body);
            if (first.find()) {
                String path = first.group(1);
                if (result.put(path, body + "\n") != null) {
                    throw new AssertionError("docs/plugins.md has two blocks for " + path);
                }
            }
        }
        return result;
    }

    private static Path compile(List<Path> sources, Path out, List<Path> extraClassPath) throws IOException {
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK with javac").isNotNull();
        String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cp = new ArrayList<>();
        extraClassPath.forEach(p -> cp.add(p.toString()));
        cp.add(testClassPath);
        String classPath = String.join(File.pathSeparator, cp);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-d", out.toString(), "-classpath", classPath,
                    "-processorpath", testClassPath, "-Xlint:all,-processing,-serial");
            boolean ok = javac.getTask(null, fm, diagnostics, options, null,
                    fm.getJavaFileObjectsFromPaths(sources)).call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                report.append(d.getKind()).append(' ').append(d.getSource() == null ? "" : d.getSource().getName())
                        .append(':').append(d.getLineNumber()).append(' ').append(d.getMessage(Locale.ROOT)).append('\n');
            }
            assertThat(ok).as("the guide's code compiles:%n%s", report).isTrue();
            assertThat(diagnostics.getDiagnostics()).as("compiler warnings:%n%s", report)
                    .noneMatch(d -> d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING);
        }
        return out;
    }

    private static Path jar(Path classesDir, Path jarFile) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jarFile));
             Stream<Path> all = Files.walk(classesDir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classesDir.relativize(p).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(p));
                out.closeEntry();
            }
        }
        return jarFile;
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static URLClassLoader loader(Path... dirs) throws IOException {
        URL[] urls = new URL[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            urls[i] = dirs[i].toUri().toURL();
        }
        return new URLClassLoader(urls, PluginGuideTest.class.getClassLoader());
    }

    private static TestExecutionSummary runJUnit(Class<?> testClass, ClassLoader loader) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(testClass)).build();
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(request, listener);
            return listener.getSummary();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/plugins.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("repository root with docs/plugins.md").isNotNull();
        return dir;
    }
}
