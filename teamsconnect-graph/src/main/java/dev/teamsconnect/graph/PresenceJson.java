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
 * Streams the answer of {@code POST /communications/getPresencesByUserId} ({@code {"value":[presence...]}}) into
 * the few fields TeamsConnect uses; every other field (and any Graph adds later) is skipped. Thread-safe.
 */
final class PresenceJson {

    private static final JsonFactory JSON = new JsonFactory();

    /** The fields of one presence that matter here; absent ones are {@code null} / {@code false}. */
    record Item(String id, String availability, String activity, String statusMessage, boolean outOfOffice,
                String sequenceNumber) {
    }

    private PresenceJson() {
    }

    /**
     * @throws com.fasterxml.jackson.core.JsonProcessingException for malformed JSON or a body that is not an object
     *                     (the caller reports the chunk's users as unreadable this cycle)
     * @throws IOException when reading the body fails
     */
    static List<Item> parse(InputStream in) throws IOException {
        List<Item> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(p, "presence answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("value".equals(field) && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        out.add(item(p));
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return out;
    }

    private static Item item(JsonParser p) throws IOException {
        String id = null;
        String availability = null;
        String activity = null;
        String message = null;
        boolean ooo = false;
        String sequence = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "id" -> id = text(p, t);
                case "availability" -> availability = text(p, t);
                case "activity" -> activity = text(p, t);
                case "sequenceNumber" -> sequence = text(p, t);
                case "statusMessage" -> message = statusMessage(p, t);
                case "outOfOfficeSettings" -> ooo = outOfOffice(p, t);
                default -> p.skipChildren();
            }
        }
        return new Item(id, availability, activity, message, ooo, sequence);
    }

    /** The text of a scalar value; null for null or for an object or array (skipped). Shared by the Graph readers. */
    static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (!t.isScalarValue()) {
            p.skipChildren();
            return null;
        }
        return p.getText();
    }

    /** {@code statusMessage.message.content}. */
    private static String statusMessage(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String content = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if ("message".equals(field) && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String inner = p.currentName();
                    JsonToken w = p.nextToken();
                    if ("content".equals(inner)) {
                        content = text(p, w);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return content;
    }

    /** {@code outOfOfficeSettings.isOutOfOffice}. */
    private static boolean outOfOffice(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return false;
        }
        boolean ooo = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if ("isOutOfOffice".equals(field)) {
                ooo = v == JsonToken.VALUE_TRUE;
            } else {
                p.skipChildren();
            }
        }
        return ooo;
    }
}
