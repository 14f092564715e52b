package dev.teamsconnect.starface;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Filter;
import java.util.logging.LogManager;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JDK HTTP client's own log switch {@code -Djdk.httpclient.HttpClient.log} from printing credentials:
 * its levels {@code headers}, {@code content}, {@code frames}, {@code trace} and {@code all} print request headers
 * and bodies, i.e. STARFACE's {@code authToken} and the login secret. Only {@code errors} and {@code requests}
 * (method, URI and status, which hold no secret here) are kept, in two ways:
 * <ol>
 *   <li>the property is rewritten to those levels. The JDK reads it once per process, when its HTTP client code
 *       first logs (the first {@code HttpClient} built or used), so this only helps if it comes first;</li>
 *   <li>the JDK's {@code java.util.logging} logger {@code jdk.httpclient.HttpClient} gets a filter that lets only
 *       its {@code ERROR:}, {@code REQUEST:} and {@code RESPONSE:} lines through. This also works when the JDK had
 *       read the switch already, as long as its output goes through {@code java.util.logging} (the JDK default).</li>
 * </ol>
 * One WARN says what was changed and why, and whether the JDK had read the switch, or an HttpClient had sent
 * requests, before.
 *
 * <p>The filter is installed whenever the switch is set, also to safe levels: a {@code REQUEST:} line of the
 * bridge's XML-RPC call would print the PBX login, which STARFACE's XML-RPC interface takes in the query string;
 * such lines are dropped.
 *
 * <p>{@link StarfaceRestClient} calls {@link #apply()} when its class loads, before its first request.
 */
final class StarfaceHttpLogGuard {

    static final String PROPERTY = "jdk.httpclient.HttpClient.log";
    /** The JDK's logger for that switch. */
    static final String JDK_LOGGER = "jdk.httpclient.HttpClient";
    private static final List<String> SAFE = List.of("errors", "requests");
    private static final List<String> SAFE_PREFIXES = List.of("ERROR:", "REQUEST:", "RESPONSE:");
    private static final Pattern JDK_WORKER = Pattern.compile("HttpClient-\\d+-Worker-\\d+");
    private static final Logger LOG = LoggerFactory.getLogger(StarfaceHttpLogGuard.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();
    // held here: java.util.logging keeps loggers only weakly, and with them their filter
    private static volatile java.util.logging.Logger filtered;

    private StarfaceHttpLogGuard() {
    }

    /** Rewrites the property and filters the JDK's logger once per process (later calls do nothing). */
    static void apply() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return;
        }
        String safe = safeLevels(value);
        boolean jdkHasRead = LogManager.getLogManager().getLogger(JDK_LOGGER) != null;
        java.util.logging.Logger jdk = java.util.logging.Logger.getLogger(JDK_LOGGER);
        // also with safe levels: a REQUEST line of the bridge's XML-RPC call holds the login in its URI
        jdk.setFilter(safeRecords());
        filtered = jdk;
        if (safe.equals(value.trim().toLowerCase(Locale.ROOT).replace(" ", ""))) {
            return;
        }
        boolean requestsSent = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> JDK_WORKER.matcher(t.getName()).matches());
        System.setProperty(PROPERTY, safe);
        LOG.warn("-D{}={} would print request headers and bodies, including the STARFACE authToken; changed to {}={},"
                        + " and only the JDK client's ERROR, REQUEST and RESPONSE lines are logged."
                        + " For request logs set TEAMSCONNECT_LOG_LEVEL=DEBUG instead (no secrets).{}{}",
                PROPERTY, abbreviate(value), PROPERTY, safe,
                jdkHasRead ? " The JDK had already read the switch when this ran, so only the line filter protects"
                        + " (it needs the JDK's default java.util.logging output): restart without that -D option." : "",
                requestsSent ? " An HttpClient had already sent requests in this process before this ran: what the JDK"
                        + " logged until then was not filtered." : "");
    }

    /** The levels of {@code value} that print no secret ({@code errors}, {@code requests}); {@code errors} if none. */
    static String safeLevels(String value) {
        Set<String> asked = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            asked.add(part.trim().toLowerCase(Locale.ROOT));
        }
        List<String> kept = SAFE.stream().filter(l -> asked.contains(l) || asked.contains("all")).toList();
        return kept.isEmpty() ? "errors" : String.join(",", kept);
    }

    /**
     * Lets through only the JDK client's lines that carry no header or body, and of those none that names the
     * XML-RPC login parameters ({@code de.vertico.starface.auth} or {@code .jwt} in a request's URI), in the message
     * or in its parameters.
     */
    static Filter safeRecords() {
        return r -> {
            String m = r.getMessage();
            if (m == null || SAFE_PREFIXES.stream().noneMatch(m::startsWith) || m.contains(XML_RPC_LOGIN)) {
                return false;
            }
            Object[] params = r.getParameters();
            if (params != null) {
                for (Object p : params) {
                    if (p != null && String.valueOf(p).contains(XML_RPC_LOGIN)) {
                        return false;
                    }
                }
            }
            return true;
        };
    }

    /** What both XML-RPC login parameters start with. */
    static final String XML_RPC_LOGIN = "de.vertico.starface.";

    private static String abbreviate(String v) {
        return v.length() > 60 ? v.substring(0, 60) + "..." : v;
    }
}
