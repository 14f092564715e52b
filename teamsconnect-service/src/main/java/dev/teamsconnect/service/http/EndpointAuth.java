package dev.teamsconnect.service.http;

import com.sun.net.httpserver.HttpExchange;
import dev.teamsconnect.service.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks the {@code Authorization} header of a request against {@code server.auth}: basic auth (user name and
 * password, checked against the password's hash) or a bearer token (checked against the token's hash). A header
 * that passed once is remembered by its SHA-256 digest (at most {@value #REMEMBERED} of them, in memory only), so the
 * page's polling does not pay for PBKDF2 on every request; checks of unknown headers run one at a time, so a flood
 * of wrong passwords uses at most one thread for hashing. Thread-safe.
 */
final class EndpointAuth {

    static final int REMEMBERED = 64;

    private final ServerConfig.Auth auth;
    private final Set<String> passed = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    EndpointAuth(ServerConfig.Auth auth) {
        this.auth = Objects.requireNonNull(auth, "auth");
    }

    /** Whether requests need credentials at all. */
    boolean required() {
        return auth.required();
    }

    /** The {@code WWW-Authenticate} challenges for a 401 answer. */
    java.util.List<String> challenges() {
        java.util.List<String> c = new java.util.ArrayList<>();
        if (auth.passwordHash().isPresent()) {
            c.add("Basic realm=\"TeamsConnect\", charset=\"UTF-8\"");
        }
        if (auth.tokenHash().isPresent()) {
            c.add("Bearer realm=\"TeamsConnect\"");
        }
        return c;
    }

    /** Whether the request may be answered. */
    boolean allows(HttpExchange exchange) {
        if (!auth.required()) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.length() > 4096) {
            return false;
        }
        String digest = digest(header);
        synchronized (passed) {
            if (passed.contains(digest)) {
                return true;
            }
        }
        boolean ok;
        synchronized (this) {
            ok = check(header.strip());
        }
        if (ok) {
            synchronized (passed) {
                passed.add(digest);
            }
        }
        return ok;
    }

    private boolean check(String header) {
        int space = header.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = header.substring(0, space).toLowerCase(Locale.ROOT);
        String value = header.substring(space + 1).strip();
        if (scheme.equals("bearer")) {
            return auth.tokenHash().map(h -> h.matches(value)).orElse(false);
        }
        if (scheme.equals("basic") && auth.passwordHash().isPresent()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return false;
            }
            String user = decoded.substring(0, colon);
            String password = decoded.substring(colon + 1);
            // the hash is checked whatever the user name, so a wrong name takes as long as a wrong password
            boolean passwordOk = auth.passwordHash().get().matches(password);
            return passwordOk && MessageDigest.isEqual(user.getBytes(StandardCharsets.UTF_8),
                    auth.username().orElse("").getBytes(StandardCharsets.UTF_8));
        }
        return false;
    }

    private static String digest(String header) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(header.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
