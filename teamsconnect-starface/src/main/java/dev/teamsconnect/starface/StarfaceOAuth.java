package dev.teamsconnect.starface;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The wire side of STARFACE 10's OAuth (a Keycloak realm {@code pbx}): reading the discovery document and the token
 * answer, forming the token requests. No I/O; {@link StarfaceRestClient} sends.
 *
 * <p>Where the sources disagree (shared/reference/starface-api.md, "STARFACE 10 OAuth, more detail", all third-party):
 * <ul>
 *   <li><b>Token path.</b> One client posts to {@code /auth/realms/pbx/oauth2/token}; Keycloak's own path is
 *       {@code /auth/realms/pbx/protocol/openid-connect/token}; another client discovers it. So the token endpoint
 *       is never hard-coded: it is the discovery document's {@code token_endpoint}, and it must be on the PBX
 *       (scheme, host and port of {@code baseUrl}), since the password and client secret go there.</li>
 *   <li><b>Scope.</b> One client sends {@code scope=login}, another {@code scope=pbx-login}. The discovery
 *       document's {@code scopes_supported} decides: {@code login} if listed, else {@code pbx-login} if listed, else
 *       no scope at all (Keycloak then applies the client's default scopes). That order is our choice: the source
 *       that sends {@code login} is the one that also documents the client secret we use.</li>
 *   <li><b>Client id.</b> Both name {@code rest-client-headless}; it is still a setting
 *       ({@code starface.oauth.clientId}).</li>
 *   <li><b>Lifetimes.</b> 300 s (access) and 21600 s (refresh) per the sources; the token answer's
 *       {@code expires_in} and {@code refresh_expires_in} win, these are only the fallback when a field is missing.</li>
 * </ul>
 */
final class StarfaceOAuth {

    /** Below {@code baseUrl}; the realm name {@code pbx} is the same in every source. */
    static final String DISCOVERY_PATH = "/auth/realms/pbx/.well-known/openid-configuration";
    static final String DEFAULT_CLIENT_ID = "rest-client-headless";
    static final Duration DEFAULT_ACCESS_LIFETIME = Duration.ofSeconds(300);
    static final Duration DEFAULT_REFRESH_LIFETIME = Duration.ofHours(6);
    /** An OAuth {@code error} code is shown only when it looks like one (RFC 6749 codes are short ASCII words). */
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private StarfaceOAuth() {
    }

    /** What the discovery document says about the realm. */
    record Realm(URI tokenEndpoint, Optional<URI> revocationEndpoint, Optional<String> scope) {
    }

    /** A successful token answer. */
    record Tokens(String accessToken, Duration expiresIn, Optional<String> refreshToken, Duration refreshExpiresIn) {
    }

    /** The discovery answer shows no usable OAuth realm; {@code auto} then uses the nonce login. */
    static final class NotOffered extends Exception {
        NotOffered(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The discovery document is there but cannot be used safely; never a reason to fall back silently. */
    static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Reads a discovery document (an answer 200 with this JSON, {@code null} if the body was not JSON).
     *
     * @throws NotOffered when it is not an OpenID discovery document or offers no password grant
     * @throws Unusable   when its token endpoint is not on the PBX or not a URL
     */
    static Realm readDiscovery(JsonNode doc, URI baseUrl) throws NotOffered, Unusable {
        if (doc == null || !doc.isObject() || !doc.path("token_endpoint").isTextual()) {
            throw new NotOffered("HTTP 200, but with no OpenID discovery document (no token_endpoint)");
        }
        JsonNode grants = doc.path("grant_types_supported");
        if (grants.isArray() && !contains(grants, "password")) {
            throw new NotOffered("HTTP 200 with a discovery document that does not list the password grant in grant_types_supported");
        }
        URI token = onPbx(doc.get("token_endpoint").asText(), baseUrl, "token_endpoint")
                .orElseThrow(() -> new Unusable("its token_endpoint is not a URL on " + origin(baseUrl)));
        Optional<URI> revocation = Optional.empty();
        if (doc.path("revocation_endpoint").isTextual()) {
            // A revocation endpoint elsewhere is simply not used (the refresh token then expires by itself).
            revocation = onPbx(doc.get("revocation_endpoint").asText(), baseUrl, "revocation_endpoint");
        }
        Optional<String> scope = Optional.empty();
        JsonNode scopes = doc.path("scopes_supported");
        if (contains(scopes, "login")) {
            scope = Optional.of("login");
        } else if (contains(scopes, "pbx-login")) {
            scope = Optional.of("pbx-login");
        }
        return new Realm(token, revocation, scope);
    }

    /**
     * The URL if it is absolute and on the PBX (same scheme, host and port as {@code baseUrl}); empty if it is no URL.
     *
     * @throws Unusable when it is a URL somewhere else
     */
    private static Optional<URI> onPbx(String text, URI baseUrl, String field) throws Unusable {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (!u.isAbsolute() || u.getHost() == null || u.getRawFragment() != null) {
            return Optional.empty();
        }
        if (!StarfaceRestClient.sameOrigin(baseUrl, u)) {
            if (field.equals("revocation_endpoint")) {
                return Optional.empty();
            }
            throw new Unusable("its " + field + " is " + origin(u) + ", not the configured " + origin(baseUrl)
                    + "; the password and client secret are only sent to the configured PBX (if Keycloak announces"
                    + " another host name for the same appliance, use that name in starface.baseUrl)");
        }
        return Optional.of(u);
    }

    static String origin(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    }

    private static boolean contains(JsonNode array, String value) {
        if (!array.isArray()) {
            return false;
        }
        for (JsonNode n : array) {
            if (n.isTextual() && n.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** The password grant's form fields (RFC 6749 4.3; client authentication in the body, as the sources do). */
    static Map<String, String> passwordGrant(String clientId, String clientSecret, String username, String password,
                                             Optional<String> scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("username", username);
        form.put("password", password);
        scope.ifPresent(s -> form.put("scope", s));
        return form;
    }

    /** The refresh grant's form fields (RFC 6749 6). */
    static Map<String, String> refreshGrant(String clientId, String clientSecret, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("refresh_token", refreshToken);
        return form;
    }

    /** The revocation request's form fields (RFC 7009). */
    static Map<String, String> revocation(String clientId, String clientSecret, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", refreshToken);
        form.put("token_type_hint", "refresh_token");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        return form;
    }

    static byte[] encode(Map<String, String> form) {
        List<String> pairs = new ArrayList<>();
        form.forEach((k, v) -> pairs.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return String.join("&", pairs).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a token answer (HTTP 200).
     *
     * @return empty when it holds no access token or another token type than Bearer (the caller reports it)
     */
    static Optional<Tokens> readTokens(JsonNode answer) {
        if (answer == null || !answer.isObject() || !answer.path("access_token").isTextual()
                || answer.get("access_token").asText().isBlank()) {
            return Optional.empty();
        }
        if (answer.hasNonNull("token_type") && !answer.get("token_type").asText().equalsIgnoreCase("Bearer")) {
            return Optional.empty();
        }
        Optional<String> refresh = answer.path("refresh_token").isTextual() && !answer.get("refresh_token").asText().isBlank()
                ? Optional.of(answer.get("refresh_token").asText()) : Optional.empty();
        return Optional.of(new Tokens(answer.get("access_token").asText(),
                seconds(answer.path("expires_in"), DEFAULT_ACCESS_LIFETIME), refresh,
                seconds(answer.path("refresh_expires_in"), DEFAULT_REFRESH_LIFETIME)));
    }

    /** A positive number of seconds, else the fallback (Keycloak sends 0 for "no expiry of its own"; we renew anyway). */
    private static Duration seconds(JsonNode n, Duration fallback) {
        return n.isNumber() && n.asLong() > 0 ? Duration.ofSeconds(n.asLong()) : fallback;
    }

    /** The answer's OAuth {@code error} code, if it has one that looks like an RFC 6749 code; else empty. */
    static Optional<String> errorCode(JsonNode answer) {
        if (answer == null || !answer.isObject() || !answer.path("error").isTextual()) {
            return Optional.empty();
        }
        String code = answer.get("error").asText();
        return ERROR_CODE.matcher(code).matches() ? Optional.of(code) : Optional.empty();
    }
}
