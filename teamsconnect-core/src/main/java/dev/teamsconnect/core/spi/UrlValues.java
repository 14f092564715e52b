package dev.teamsconnect.core.spi;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a URL in a config section may be: http(s) with a host, never with credentials in it; a base URL also
 * without query or fragment; https only where tokens or passwords travel. An endpoint URL's path and query may
 * carry a token, so at most {@code scheme://host:port} of it is shown.
 */
final class UrlValues {

    private UrlValues() {
    }

    /** Reads and checks the URL at {@code key}, reporting on {@code c}; empty when absent or wrong. */
    static Optional<URI> read(ProviderConfig c, String key, boolean httpsOnly, boolean baseOnly) {
        Optional<String> s = c.text(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        String text = s.get();
        if (!baseOnly) {
            // shown as scheme://host:port at most
            text = text.replaceAll("^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@]*@?[^/?#]*).*$", "$1");
        }
        String expected = httpsOnly ? "an https URL like https://host.example.com" : "an http or https URL like https://host.example.com";
        URI uri;
        try {
            uri = new URI(s.get());
        } catch (URISyntaxException e) {
            c.problem(key, "must be " + expected + ", but was " + c.shown(key, text));
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            c.problem(key, "must be " + expected + ", but was " + c.shown(key, text));
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            // the value itself is not echoed: it holds credentials
            c.problem(key, "must not contain a user name or password; put credentials in their own keys");
            return Optional.empty();
        }
        if (baseOnly && (uri.getRawQuery() != null || uri.getRawFragment() != null)) {
            c.problem(key, "must be a base URL without ?query or #fragment, but was " + c.shown(key, text));
            return Optional.empty();
        }
        if (httpsOnly && scheme.equals("http")) {
            c.problem(key, "must use https (tokens are sent on this connection), but was " + c.shown(key, text));
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    /** Whether a host name is a loopback name or address ({@code localhost}, {@code 127.x}, {@code ::1}). */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }
}
