package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No trust-all TLS and no disabled hostname verification anywhere in the repository: every Java source under
 * {@code src/main} and {@code src/test} of every module is scanned; a finding fails the build naming file:line.
 * The scanner itself is checked against insecure snippets so that it can fail.
 */
class InsecureTlsScanTest {

    /** What is refused, with why. Patterns run over the source text with comments removed. */
    private static final List<Rule> RULES = List.of(
            new Rule("empty checkServerTrusted (trusts every certificate)",
                    "checkServerTrusted\\s*\\([^)]*\\)\\s*(throws\\s+[\\w.,\\s]+)?\\{\\s*\\}"),
            new Rule("getAcceptedIssuers returning null next to a trust manager", "getAcceptedIssuers\\s*\\(\\s*\\)\\s*\\{\\s*return\\s+null"),
            new Rule("HostnameVerifier that accepts every host", "HostnameVerifier[^;{]*\\{[^}]*return\\s+true\\s*;"),
            new Rule("hostname verifier lambda that accepts every host",
                    "(?i)hostname\\s*verifier\\s*\\(?\\s*\\(\\s*\\w*\\s*,\\s*\\w*\\s*\\)\\s*->\\s*true"),
            new Rule("lambda accepting every host", "\\(\\s*\\w+\\s*,\\s*\\w+\\s*\\)\\s*->\\s*true\\s*[;)]"),
            new Rule("setHostnameVerifier / setDefaultHostnameVerifier", "set(Default)?HostnameVerifier\\s*\\("),
            new Rule("disabling the JDK HttpClient's hostname verification", "jdk\\.internal\\.httpclient\\.disableHostnameVerification"),
            new Rule("Apache TrustAllStrategy / TrustSelfSignedStrategy", "Trust(All|SelfSigned)Strategy"),
            new Rule("Netty InsecureTrustManagerFactory", "InsecureTrustManagerFactory"),
            new Rule("NoopHostnameVerifier / ALLOW_ALL_HOSTNAME_VERIFIER", "NoopHostnameVerifier|ALLOW_ALL_HOSTNAME_VERIFIER|AllowAllHostnameVerifier"),
            new Rule("a trust-all helper", "(?i)\\btrust_?all\\w*\\b|\\binsecure_?(ssl|tls|trust)\\w*\\b"),
            new Rule("endpoint identification switched off", "setEndpointIdentificationAlgorithm\\s*\\(\\s*(null|\"\")\\s*\\)"));

    private record Rule(String why, String regex) {
        Pattern pattern() {
            return Pattern.compile(regex);
        }
    }

    @Test
    void noSourceOfTheRepositoryTrustsAllCertificatesOrSkipsHostnameVerification() throws IOException {
        Path root = repositoryRoot();
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/") || p.toString().contains("/src/test/java/"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .filter(p -> !p.getFileName().toString().equals(InsecureTlsScanTest.class.getSimpleName() + ".java"))
                    .forEach(sources::add);
        }
        List<String> findings = new ArrayList<>();
        for (Path p : sources) {
            findings.addAll(scan(root.relativize(p).toString(), Files.readString(p)));
        }
        assertThat(sources).as("the scan must see the modules' sources").hasSizeGreaterThan(100);
        assertThat(findings).as("insecure TLS in the sources").isEmpty();
    }

    @Test
    void theScannerFindsEachInsecurePatternAndNamesTheLine() {
        List<String> snippets = List.of(
                "class T implements X509TrustManager { public void checkServerTrusted(X509Certificate[] c, String a) {} }",
                "class T { public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { } }",
                "X509Certificate[] getAcceptedIssuers() { return null; }",
                "HostnameVerifier v = new HostnameVerifier() { public boolean verify(String h, SSLSession s) { return true; } };",
                "builder.hostnameVerifier((host, session) -> true);",
                "HttpsURLConnection.setDefaultHostnameVerifier(v);",
                "conn.setHostnameVerifier(v);",
                "System.setProperty(\"jdk.internal.httpclient.disableHostnameVerification\", \"true\");",
                "ssl.loadTrustMaterial(null, TrustAllStrategy.INSTANCE);",
                "SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE);",
                "new NoopHostnameVerifier();",
                "SSLContext ctx = trustAllContext();",
                "params.setEndpointIdentificationAlgorithm(null);");
        for (String snippet : snippets) {
            assertThat(scan("X.java", "// line one\n" + snippet)).as(snippet).isNotEmpty()
                    .allSatisfy(f -> assertThat(f).startsWith("X.java:2"));
        }
        assertThat(scan("X.java", "// trustAll() in a comment is fine\n/* setHostnameVerifier( */ int x = 1;")).isEmpty();
        assertThat(scan("X.java", "tm.checkServerTrusted(chain, authType); // delegating is fine")).isEmpty();
    }

    static List<String> scan(String name, String text) {
        String code = stripComments(text);
        List<String> out = new ArrayList<>();
        for (Rule r : RULES) {
            Matcher m = r.pattern().matcher(code);
            while (m.find()) {
                out.add(name + ":" + line(code, m.start()) + ": " + r.why() + ": " + m.group().strip());
            }
        }
        return out;
    }

    /** Removes comments but keeps the line breaks, so that line numbers stay right. String literals stay. */
    private static String stripComments(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' ) {
                int j = i + 1;
                while (j < text.length() && text.charAt(j) != '"' && text.charAt(j) != '\n') {
                    j += text.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j + 1, text.length());
                sb.append(text, i, j);
                i = j;
            } else if (text.startsWith("//", i)) {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (text.startsWith("/*", i)) {
                int j = text.indexOf("*/", i + 2);
                j = j < 0 ? text.length() : j + 2;
                for (int k = i; k < j; k++) {
                    if (text.charAt(k) == '\n') {
                        sb.append('\n');
                    }
                }
                i = j;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    private static int line(String text, int offset) {
        int n = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    static Path repositoryRoot() {
        String configured = System.getProperty("it.repositoryRoot");
        Path start = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("teamsconnect-core")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + start);
    }
}
