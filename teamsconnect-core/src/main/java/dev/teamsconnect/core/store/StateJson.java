package dev.teamsconnect.core.store;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.TeamsSession;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state file format, written and read by hand because core has no JSON library:
 * <pre>{@code
 * {"format":"teamsconnect-state","version":2,"pbx":"starface https://pbx.example.com/",
 *   "holds":[{"pbxUserId":"17","kind":"held","priorDnd":false,"writtenDnd":true,"priorChatStatus":null,
 *   "writtenChatStatus":null,"confirmed":true,"since":"2026-01-01T10:00:00Z"}]}
 * }</pre>
 * {@code pbx} names the PBX the holds belong to (null when the sink has no identity). Version 1 (TeamsConnect 0.1)
 * has no {@code pbx} and is read as well. Version 3 adds the Teams presence sessions of {@code pbxToTeams}:
 * <pre>{@code
 *   "sessions":[{"pbxUserId":"17","teamsUserId":"2f1c...","cause":"pbx-dnd","availability":"Busy",
 *   "activity":"InACall","since":"2026-01-01T10:00:00Z","expiresAt":"2026-01-01T11:00:00Z","clearedAt":null}]
 * }</pre>
 * A file without sessions is written as version 2, so that a TeamsConnect without {@code pbxToTeams} still reads
 * it (a downgrade keeps working until the first session).
 * The reader is strict (RFC 8259 only, no duplicate keys, no unknown fields, nothing after the document) so that
 * a damaged file is never mistaken for a valid one.
 *
 * <p>This class defines the format and reads and validates a document; {@link StateJsonWriter} writes it and
 * {@link StrictJsonParser} parses the JSON underneath.
 */
final class StateJson {

    static final String FORMAT = "teamsconnect-state";
    static final int VERSION = 3;
    /** The version written when there are no sessions (byte for byte what version 2 wrote). */
    static final int VERSION_WITHOUT_SESSIONS = 2;
    /** The oldest version this reads: 1 had no "pbx". */
    static final int OLDEST_VERSION = 1;

    /** A whole state document. */
    record Document(String pbx, Map<String, Hold> holds, Map<String, TeamsSession> sessions, int version) {
    }

    private static final Set<String> HOLD_FIELDS = Set.of("pbxUserId", "kind", "priorDnd", "writtenDnd",
            "priorChatStatus", "writtenChatStatus", "confirmed", "since");
    private static final Set<String> SESSION_FIELDS = Set.of("pbxUserId", "teamsUserId", "cause", "availability",
            "activity", "since", "expiresAt", "clearedAt");

    private StateJson() {
    }

    /** A problem in the document; {@code where} is "line L, column C" or a JSON path. */
    static final class FormatException extends Exception {
        FormatException(String message) {
            super(message);
        }
    }

    /** Parses and validates a whole state document. */
    static Document read(String text) throws FormatException {
        Object root = new StrictJsonParser(text).document();
        if (!(root instanceof Map<?, ?> map)) {
            throw new FormatException("the document is not a JSON object, so it is not a TeamsConnect state file");
        }
        Object format = map.get("format");
        if (!FORMAT.equals(format)) {
            throw new FormatException("\"format\" is " + describe(format) + " instead of \"" + FORMAT
                    + "\", so this is not a TeamsConnect state file");
        }
        Object version = map.get("version");
        if (!(version instanceof BigDecimal v) || v.stripTrailingZeros().scale() > 0) {
            throw new FormatException("\"version\" is " + describe(version) + " instead of a whole number");
        }
        if (v.compareTo(BigDecimal.valueOf(VERSION)) > 0) {
            throw new FormatException("the file has version " + v + ", written by a newer TeamsConnect; this version"
                    + " reads version " + VERSION + " only (upgrade TeamsConnect)");
        }
        if (v.compareTo(BigDecimal.valueOf(OLDEST_VERSION)) < 0) {
            throw new FormatException("unsupported version " + v + "; this version reads versions " + OLDEST_VERSION
                    + " to " + VERSION);
        }
        int fileVersion = v.intValueExact();
        Set<String> fields = fileVersion == 1 ? Set.of("format", "version", "holds")
                : fileVersion == 2 ? Set.of("format", "version", "pbx", "holds")
                : Set.of("format", "version", "pbx", "holds", "sessions");
        for (Object key : map.keySet()) {
            if (!fields.contains(key)) {
                throw new FormatException("unknown field \"" + key + "\" at the top level");
            }
        }
        String pbx = null;
        if (fileVersion >= 2) {
            if (!map.containsKey("pbx")) {
                throw new FormatException("\"pbx\" is missing (version " + fileVersion + " files name their PBX)");
            }
            Object p = map.get("pbx");
            if (p != null && !(p instanceof String)) {
                throw new FormatException("\"pbx\" is " + describe(p) + " instead of a string or null");
            }
            pbx = (String) p;
        }
        if (!(map.get("holds") instanceof List<?> list)) {
            throw new FormatException("\"holds\" is " + describe(map.get("holds")) + " instead of a list");
        }
        Map<String, Hold> holds = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "holds[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> h)) {
                throw new FormatException(path + " is not an object");
            }
            for (Object key : h.keySet()) {
                if (!HOLD_FIELDS.contains(key)) {
                    throw new FormatException("unknown field " + path + "." + key);
                }
            }
            String id = text(h, path, "pbxUserId", false);
            Hold.Kind kind;
            try {
                kind = Hold.Kind.fromCode(text(h, path, "kind", false));
            } catch (IllegalArgumentException e) {
                throw new FormatException(path + ".kind: " + e.getMessage());
            }
            Instant since;
            try {
                since = Instant.parse(text(h, path, "since", false));
            } catch (DateTimeParseException e) {
                throw new FormatException(path + ".since is not an ISO-8601 instant: " + describe(h.get("since")));
            }
            Hold hold;
            try {
                hold = new Hold(id, kind, bool(h, path, "priorDnd"), bool(h, path, "writtenDnd"),
                        text(h, path, "priorChatStatus", true), text(h, path, "writtenChatStatus", true),
                        bool(h, path, "confirmed"), since);
            } catch (IllegalArgumentException e) {
                throw new FormatException(path + ": " + e.getMessage());
            }
            if (holds.put(id, hold) != null) {
                throw new FormatException(path + ": a second hold for pbxUserId \"" + id + "\"");
            }
        }
        Map<String, TeamsSession> sessions = fileVersion >= 3 ? sessions(map.get("sessions")) : Map.of();
        return new Document(pbx, holds, sessions, fileVersion);
    }

    private static Map<String, TeamsSession> sessions(Object value) throws FormatException {
        if (!(value instanceof List<?> list)) {
            throw new FormatException("\"sessions\" is " + describe(value) + " instead of a list");
        }
        Map<String, TeamsSession> sessions = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "sessions[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
                throw new FormatException(path + " is not an object");
            }
            for (Object key : m.keySet()) {
                if (!SESSION_FIELDS.contains(key)) {
                    throw new FormatException("unknown field " + path + "." + key);
                }
            }
            TeamsSession s;
            try {
                Availability availability = Availability.parse(text(m, path, "availability", false));
                Activity activity = Activity.parse(text(m, path, "activity", false));
                if (availability == Availability.UNKNOWN || activity == Activity.UNKNOWN) {
                    throw new FormatException(path + ": availability/activity \"" + m.get("availability") + "/"
                            + m.get("activity") + "\" is not a presence TeamsConnect sets");
                }
                s = new TeamsSession(text(m, path, "pbxUserId", false), text(m, path, "teamsUserId", false),
                        TeamsSession.Cause.fromCode(text(m, path, "cause", false)), availability, activity,
                        instant(m, path, "since"), instant(m, path, "expiresAt"),
                        m.get("clearedAt") == null && m.containsKey("clearedAt") ? null : instant(m, path, "clearedAt"));
            } catch (IllegalArgumentException e) {
                throw new FormatException(path + ": " + e.getMessage());
            }
            if (sessions.put(s.pbxUserId(), s) != null) {
                throw new FormatException(path + ": a second session for pbxUserId \"" + s.pbxUserId() + "\"");
            }
        }
        return sessions;
    }

    private static Instant instant(Map<?, ?> m, String path, String field) throws FormatException {
        try {
            return Instant.parse(text(m, path, field, false));
        } catch (DateTimeParseException e) {
            throw new FormatException(path + "." + field + " is not an ISO-8601 instant: " + describe(m.get(field)));
        }
    }

    private static String text(Map<?, ?> h, String path, String field, boolean nullable) throws FormatException {
        if (!h.containsKey(field)) {
            throw new FormatException(path + "." + field + " is missing");
        }
        Object v = h.get(field);
        if (v == null && nullable) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new FormatException(path + "." + field + " is " + describe(v) + " instead of a string");
        }
        return s;
    }

    private static boolean bool(Map<?, ?> h, String path, String field) throws FormatException {
        if (!(h.get(field) instanceof Boolean b)) {
            throw new FormatException(path + "." + field + " is " + (h.containsKey(field) ? describe(h.get(field)) : "missing")
                    + (h.containsKey(field) ? " instead of true or false" : ""));
        }
        return b;
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null or missing";
        }
        if (v instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        return String.valueOf(v);
    }

}
