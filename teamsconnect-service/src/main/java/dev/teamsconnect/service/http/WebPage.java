package dev.teamsconnect.service.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read-only admin page: {@code index.html} with its texts filled in, and its script, style sheet and icon, all
 * from the jar's resources under {@code dev/teamsconnect/service/web/} (no build chain). The texts come from
 * {@code web/messages.properties} (English) and {@code web/messages_de.properties} (German), read as UTF-8; the
 * language is {@code ?lang=de|en} (which also sets a cookie), else the {@code tc_lang} cookie, else the first of
 * German or English in {@code Accept-Language}, else English. Immutable after construction; thread-safe.
 */
final class WebPage {

    static final List<String> LANGUAGES = List.of("en", "de");
    static final String COOKIE = "tc_lang";
    private static final String BASE = "/dev/teamsconnect/service/web/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-zA-Z0-9_.]+)}}");
    private static final Pattern LANG_PARAM = Pattern.compile("(?:^|&)lang=([a-z]{2})(?:&|$)");

    /** A static file of the page. */
    record Asset(String contentType, byte[] body) {
    }

    private final Map<String, Map<String, String>> messages = new LinkedHashMap<>();
    private final Map<String, byte[]> pages = new LinkedHashMap<>();
    private final Map<String, byte[]> messagesJson = new LinkedHashMap<>();
    private final Map<String, Asset> assets = new LinkedHashMap<>();

    WebPage() {
        Map<String, String> english = load("messages.properties");
        String template = new String(read("index.html"), StandardCharsets.UTF_8);
        ObjectMapper json = new ObjectMapper();
        for (String lang : LANGUAGES) {
            Map<String, String> m = new TreeMap<>(english);
            if (!lang.equals("en")) {
                Map<String, String> own = load("messages_" + lang + ".properties");
                if (!own.keySet().equals(english.keySet())) {
                    throw new IllegalStateException("web/messages_" + lang + ".properties and web/messages.properties"
                            + " must have the same keys");
                }
                m.putAll(own);
            }
            messages.put(lang, Map.copyOf(m));
            pages.put(lang, render(template, m, lang).getBytes(StandardCharsets.UTF_8));
            try {
                messagesJson.put(lang, json.writeValueAsBytes(m));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assets.put("/ui/app.js", new Asset("text/javascript; charset=utf-8", read("app.js")));
        assets.put("/ui/app.css", new Asset("text/css; charset=utf-8", read("app.css")));
        assets.put("/ui/icon.svg", new Asset("image/svg+xml", read("icon.svg")));
    }

    /** The page in {@code lang}. */
    byte[] page(String lang) {
        return pages.get(lang);
    }

    /** The page's texts in {@code lang} as one JSON object, for its script. */
    byte[] messagesJson(String lang) {
        return messagesJson.get(lang);
    }

    /** One text, for tests. */
    String message(String lang, String key) {
        return messages.get(lang).get(key);
    }

    Optional<Asset> asset(String path) {
        return Optional.ofNullable(assets.get(path));
    }

    /** The language explicitly asked for with {@code ?lang=}, if it is one of {@link #LANGUAGES}. */
    static Optional<String> requested(HttpExchange exchange) {
        String q = exchange.getRequestURI().getRawQuery();
        if (q == null) {
            return Optional.empty();
        }
        Matcher m = LANG_PARAM.matcher(q);
        return m.find() && LANGUAGES.contains(m.group(1)) ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The language of this request (see the class comment). */
    static String language(HttpExchange exchange) {
        Optional<String> asked = requested(exchange);
        if (asked.isPresent()) {
            return asked.get();
        }
        for (String cookieHeader : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String cookie : cookieHeader.split(";")) {
                String c = cookie.strip();
                if (c.startsWith(COOKIE + "=") && LANGUAGES.contains(c.substring(COOKIE.length() + 1))) {
                    return c.substring(COOKIE.length() + 1);
                }
            }
        }
        return fromAcceptLanguage(exchange.getRequestHeaders().getFirst("Accept-Language"));
    }

    /** The first of German or English by preference ({@code q}) in an {@code Accept-Language} header; English else. */
    static String fromAcceptLanguage(String header) {
        if (header == null || header.length() > 500) {
            return "en";
        }
        String best = "en";
        double bestQ = -1;
        for (String part : header.split(",")) {
            String[] pieces = part.strip().split(";");
            String tag = pieces[0].strip().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < pieces.length; i++) {
                String p = pieces[i].strip();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            String primary = tag.split("-", 2)[0];
            if (LANGUAGES.contains(primary) && q > bestQ && q > 0) {
                best = primary;
                bestQ = q;
            }
        }
        return best;
    }

    private static String render(String template, Map<String, String> m, String lang) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String key = matcher.group(1);
            String value = key.equals("lang") ? lang : m.get(key);
            if (value == null) {
                throw new IllegalStateException("web/index.html uses {{" + key + "}}, which web/messages.properties lacks");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(escape(value)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static Map<String, String> load(String name) {
        Properties p = new Properties();
        try (InputStream in = open(name); InputStreamReader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read web/" + name, e);
        }
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private static byte[] read(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read web/" + name, e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = WebPage.class.getResourceAsStream(BASE + name);
        if (in == null) {
            throw new IllegalStateException("the jar lacks web/" + name);
        }
        return in;
    }
}
