package dev.teamsconnect.graph;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Microsoft Graph permissions an access token carries and which the configured features still lack.
 * Microsoft documents that an app-only token lists its application permissions in the {@code roles} claim and a
 * delegated token its delegated permissions in {@code scp} (space-separated). The payload is read without checking
 * the signature: this is a diagnosis of our own token, never a trust decision (Graph checks the token). Thread-safe.
 *
 * @param claim   {@code roles} or {@code scp}, the claim that was read
 * @param granted the permissions in it
 * @param missing each feature with the permission it needs, for those the token lacks
 */
record GraphConsent(String claim, Set<String> granted, Map<String, String> missing) {

    private static final JsonFactory JSON = new JsonFactory();

    /** A feature of the source and the permission it needs, with the broader ones that include it. */
    enum Need {
        /** {@code POST /communications/getPresencesByUserId}. */
        PRESENCE("reading Teams presence", "Presence.Read.All", Set.of("Presence.Read.All", "Presence.ReadWrite.All")),
        /** {@code GET /users} and {@code GET /users/delta}. */
        USERS("listing users", "User.Read.All",
                Set.of("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")),
        /**
         * {@code POST /users/{id}/presence/setPresence} and {@code .../clearPresence} (pbxToTeams): Microsoft lists
         * no higher privileged permission for them.
         */
        PRESENCE_WRITE("writing Teams presence (pbxToTeams)", "Presence.ReadWrite.All", Set.of("Presence.ReadWrite.All"));

        final String feature;
        final String permission;
        final Set<String> satisfiedBy;

        Need(String feature, String permission, Set<String> satisfiedBy) {
            this.feature = feature;
            this.permission = permission;
            this.satisfiedBy = satisfiedBy;
        }
    }

    /**
     * Reads the token's claims; empty when the token is not a JWT whose payload names permissions (then nothing can
     * be said from the token).
     */
    static Optional<GraphConsent> of(String accessToken, boolean delegated, List<Need> needs) {
        Optional<Set<String>> granted = permissions(accessToken, delegated ? "scp" : "roles");
        if (granted.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> missing = new LinkedHashMap<>();
        for (Need n : needs) {
            if (Collections.disjoint(granted.get(), n.satisfiedBy)) {
                missing.put(n.feature, n.permission);
            }
        }
        return Optional.of(new GraphConsent(delegated ? "scp" : "roles", granted.get(), missing));
    }

    /**
     * The tenant-wide admin consent URL of the app ({@code <authority>/<tenant>/adminconsent?client_id=<app>}, from
     * Microsoft's "Grant tenant-wide admin consent to an application"): an admin who opens it consents to every
     * permission configured on the app registration.
     */
    static String adminConsentUrl(URI authorityHost, String tenantId, String clientId) {
        return authorityHost.toString().replaceAll("/+$", "") + "/" + enc(tenantId) + "/adminconsent?client_id=" + enc(clientId);
    }

    /** The permissions in {@code claim} of the token's payload; empty when the token has no readable payload. */
    static Optional<Set<String>> permissions(String token, String claim) {
        if (token == null) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        byte[] payload;
        try {
            payload = Base64.getUrlDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        boolean found = false;
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals(claim) && t == JsonToken.START_ARRAY) {
                    found = true;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        if (p.currentToken() == JsonToken.VALUE_STRING) {
                            out.add(p.getText());
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if (field.equals(claim) && t == JsonToken.VALUE_STRING) {
                    found = true;
                    for (String s : p.getText().trim().split("\\s+")) {
                        if (!s.isEmpty()) {
                            out.add(s);
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        // a token without the claim at all has no permission granted: that is an answer too (nothing consented)
        return found || looksLikeEntraToken(payload) ? Optional.of(Collections.unmodifiableSet(out)) : Optional.empty();
    }

    private static boolean looksLikeEntraToken(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        return text.contains("\"tid\"") && text.contains("\"aud\"");
    }

    /** The granted permissions for a message, sorted; "none" when empty. */
    String grantedList() {
        List<String> list = new ArrayList<>(granted);
        return list.isEmpty() ? "none" : String.join(", ", list);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
