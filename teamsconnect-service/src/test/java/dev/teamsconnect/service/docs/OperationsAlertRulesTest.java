package dev.teamsconnect.service.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.service.http.StatusHttpServer;
import dev.teamsconnect.service.metrics.ServiceMetrics;
import dev.teamsconnect.service.status.StatusBoard;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and metric names of docs/operations.md against what a freshly started service serves on
 * /metrics: every metric they name is there (before any error), every label they select on exists, and a
 * regular-expression matcher selects at least one series.
 */
class OperationsAlertRulesTest {

    private static final Pattern METRIC = Pattern.compile("\\bteamsconnect_[a-z_]+");
    private static final Pattern SELECTOR = Pattern.compile("(teamsconnect_[a-z_]+)\\{([a-z]+)(=~|=)\"([^\"]+)\"}");

    private static String scrapeFreshService() throws Exception {
        ServiceMetrics metrics = new ServiceMetrics();
        // as the wiring does when the source knows when its credential expires (a client certificate)
        metrics.credentialExpiry("source", Instant.now().plus(Duration.ofDays(30)), Clock.systemUTC());
        StatusBoard board = new StatusBoard("graph", "starface", Clock.systemUTC());
        try (StatusHttpServer server = new StatusHttpServer(board, metrics, Clock.systemUTC(), Duration.ofMinutes(1))) {
            InetSocketAddress at = server.start("127.0.0.1", 0);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + at.getPort() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        }
    }

    private static List<String> alertExpressions(String doc) {
        List<String> out = new ArrayList<>();
        for (String line : doc.split("\n")) {
            if (line.strip().startsWith("expr:")) {
                out.add(line.strip().substring("expr:".length()).strip());
            }
        }
        return out;
    }

    @Test
    void everyAlertRuleSelectsSeriesThatTheRealMetricsEndpointServes() throws Exception {
        String doc = Files.readString(DocsAnchors.docs().resolve("operations.md"));
        String metrics = scrapeFreshService();
        List<String> series = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        List<String> rules = alertExpressions(doc);
        assertThat(rules).as("alert rules in docs/operations.md").hasSizeGreaterThanOrEqualTo(3);

        for (String rule : rules) {
            Matcher names = METRIC.matcher(rule);
            while (names.find()) {
                String name = names.group();
                assertThat(series).as(rule + ": " + name).anyMatch(l -> l.startsWith(name + " ") || l.startsWith(name + "{"));
            }
            Matcher sel = SELECTOR.matcher(rule);
            while (sel.find()) {
                String name = sel.group(1);
                String label = sel.group(2);
                Pattern value = sel.group(3).equals("=~") ? Pattern.compile(sel.group(4)) : Pattern.compile(Pattern.quote(sel.group(4)));
                Pattern line = Pattern.compile(Pattern.quote(name) + "\\{.*\\b" + label + "=\"([^\"]*)\".*");
                assertThat(series).as(rule + ": a series of " + name + " with " + label + " matching " + value)
                        .anyMatch(l -> {
                            Matcher m = line.matcher(l);
                            return m.matches() && value.matcher(m.group(1)).matches();
                        });
            }
        }
    }

    @Test
    void everyMetricNamedInTheDocsIsServed() throws Exception {
        String doc = Files.readString(DocsAnchors.docs().resolve("operations.md"))
                + Files.readString(DocsAnchors.docs().resolve("configuration.md"));
        String metrics = scrapeFreshService();
        // the old name is mentioned only as renamed
        String current = doc.replace("teamsconnect_last_successful_cycle_seconds", "");
        Matcher m = METRIC.matcher(current);
        while (m.find()) {
            String name = m.group();
            assertThat(metrics).as("docs name " + name).containsPattern("(?m)^" + Pattern.quote(name) + "(_total|_count|_sum|_max)?[ {]");
        }
        assertThat(metrics).containsPattern("(?m)^teamsconnect_build_info\\{.*version=\"[^\"]+\".*} 1(\\.0)?$");
        assertThat(metrics).contains("teamsconnect_errors_total{kind=\"pbx_rejected\"} 0");
    }
}
