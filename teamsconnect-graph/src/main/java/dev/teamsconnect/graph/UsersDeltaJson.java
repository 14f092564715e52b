package dev.teamsconnect.graph;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams one page of {@code GET /users/delta} ({@code {"value":[...], "@odata.nextLink"|"@odata.deltaLink": ...}})
 * into the fields TeamsConnect keeps. A changed user carries "at least the updated properties" (Microsoft's delta
 * query overview), so each property is read together with whether it was present at all; a removed user carries
 * only its id and {@code @removed}. Thread-safe.
 */
final class UsersDeltaJson {

    private static final JsonFactory JSON = new JsonFactory();

    /** One page: its entries and the link to go on with (exactly one of them is set when Graph behaves). */
    record Page(List<Entry> entries, String nextLink, String deltaLink) {
    }

    /**
     * One entry. {@code removed} is the {@code @removed.reason} ("changed": soft-deleted, "deleted": gone for good;
     * an empty string when the reason is missing), or {@code null} for a new or changed user. A property that was
     * not in the entry is marked absent in {@code present} and must be kept from what was known before.
     */
    record Entry(String id, String removed, String displayName, String mail, String userPrincipalName,
                 Boolean accountEnabled, boolean hasDisplayName, boolean hasMail, boolean hasUserPrincipalName) {
    }

    private UsersDeltaJson() {
    }

    /** @throws com.fasterxml.jackson.core.JsonProcessingException for malformed JSON or a body that is not an object */
    static Page parse(InputStream in) throws IOException {
        List<Entry> entries = new ArrayList<>();
        String next = null;
        String delta = null;
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "users delta answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "value" -> {
                        if (t != JsonToken.START_ARRAY) {
                            throw new JsonParseException(p, "users delta \"value\" is not an array");
                        }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            entries.add(entry(p));
                        }
                    }
                    case "@odata.nextLink" -> next = PresenceJson.text(p, t);
                    case "@odata.deltaLink" -> delta = PresenceJson.text(p, t);
                    default -> p.skipChildren();
                }
            }
        }
        return new Page(entries, next, delta);
    }

    private static Entry entry(JsonParser p) throws IOException {
        String id = null;
        String removed = null;
        String displayName = null;
        String mail = null;
        String upn = null;
        Boolean enabled = null;
        boolean hasName = false;
        boolean hasMail = false;
        boolean hasUpn = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> id = PresenceJson.text(p, t);
                case "displayName" -> {
                    displayName = PresenceJson.text(p, t);
                    hasName = true;
                }
                case "mail" -> {
                    mail = PresenceJson.text(p, t);
                    hasMail = true;
                }
                case "userPrincipalName" -> {
                    upn = PresenceJson.text(p, t);
                    hasUpn = true;
                }
                case "accountEnabled" -> enabled = t == JsonToken.VALUE_TRUE ? Boolean.TRUE
                        : t == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
                case "@removed" -> removed = reason(p, t);
                default -> p.skipChildren();
            }
        }
        return new Entry(id, removed, displayName, mail, upn, enabled, hasName, hasMail, hasUpn);
    }

    private static String reason(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return "";
        }
        String reason = "";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if ("reason".equals(field)) {
                String r = PresenceJson.text(p, v);
                reason = r == null ? "" : r;
            } else {
                p.skipChildren();
            }
        }
        return reason;
    }
}
