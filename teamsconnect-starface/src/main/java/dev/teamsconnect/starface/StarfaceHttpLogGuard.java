package dev.teamsconnect.starface;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JDK HTTP client's own log switch {@code -Djdk.httpclient.HttpClient.log} from printing credentials:
 * its levels {@code headers}, {@code content}, {@code frames}, {@code trace} and {@code all} print request headers
 * and bodies, i.e. STARFACE's {@code authToken} (and the login secret). Only {@code errors} and {@code requests}
 * (method and URI, which hold no secret here) are kept.
 *
 * <p>The JDK reads the switch once, at the first exchange of any {@code HttpClient} in the process, so this must run
 * before that: {@link StarfaceRestClient} calls it when its class loads, before its first request. If an exchange
 * has already happened (seen from the JDK client's worker threads), the rewrite may come too late, and the
 * warning says so.
 */
final class StarfaceHttpLogGuard {

    static final String PROPERTY = "jdk.httpclient.HttpClient.log";
    private static final Set<String> SAFE = Set.of("errors", "requests");
    private static final Pattern JDK_WORKER = Pattern.compile("HttpClient-\\d+-Worker-\\d+");
    private static final Logger log = LoggerFactory.getLogger(StarfaceHttpLogGuard.class);
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private StarfaceHttpLogGuard() {
    }

    /** Rewrites the property once per process (later calls do nothing) and warns if it dropped a level. */
    static void apply() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            return;
        }
        String safe = safeLevels(value);
        if (safe.equals(value.trim())) {
            return;
        }
        boolean late = Thread.getAllStackTraces().keySet().stream().anyMatch(t -> JDK_WORKER.matcher(t.getName()).matches());
        System.setProperty(PROPERTY, safe);
        log.warn("-D{}={} would print request headers and bodies, including the STARFACE authToken; changed to {}={}."
                        + " For request logs set TEAMSCONNECT_LOG_LEVEL=DEBUG instead (no secrets).{}",
                PROPERTY, abbreviate(value), PROPERTY, safe,
                late ? " An HttpClient has already sent requests in this process, so the JDK may have read the old value"
                        + " already: restart without that -D option." : "");
    }

    /** The levels of {@code value} that print no secret ({@code errors}, {@code requests}); {@code errors} if none. */
    static String safeLevels(String value) {
        Set<String> kept = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            String level = part.trim().toLowerCase(Locale.ROOT);
            if (level.equals("all")) {
                kept.addAll(SAFE);
            } else if (SAFE.contains(level)) {
                kept.add(level);
            }
        }
        if (kept.isEmpty()) {
            kept.add("errors");
        }
        return String.join(",", kept);
    }

    private static String abbreviate(String v) {
        return v.length() > 60 ? v.substring(0, 60) + "..." : v;
    }
}
