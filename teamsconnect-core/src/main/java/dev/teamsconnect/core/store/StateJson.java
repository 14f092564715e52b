package dev.teamsconnect.core.store;

import dev.teamsconnect.core.spi.Hold;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
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
 * has no {@code pbx} and is read as well.
 * The reader is strict (RFC 8259 only, no duplicate keys, no unknown fields, nothing after the document) so that
 * a damaged file is never mistaken for a valid one.
 */
final class StateJson {

    static final String FORMAT = "teamsconnect-state";
    static final int VERSION = 2;
    /** The oldest version this reads: 1 had no "pbx". */
    static final int OLDEST_VERSION = 1;

    /** A whole state document. */
    record Document(String pbx, Map<String, Hold> holds, int version) {
    }

    private static final Set<String> HOLD_FIELDS = Set.of("pbxUserId", "kind", "priorDnd", "writtenDnd",
            "priorChatStatus", "writtenChatStatus", "confirmed", "since");

    private StateJson() {
    }

    /** A problem in the document; {@code where} is "line L, column C" or a JSON path. */
    static final class FormatException extends Exception {
        FormatException(String message) {
            super(message);
        }
    }

    static String write(String pbx, Collection<Hold> holds) {
        StringBuilder sb = new StringBuilder(128 + holds.size() * 200);
        sb.append("{\"format\":\"").append(FORMAT).append("\",\"version\":").append(VERSION).append(",\"pbx\":");
        string(sb, pbx);
        sb.append(",\"holds\":[");
        boolean first = true;
        for (Hold h : holds) {
            sb.append(first ? "\n  " : ",\n  ");
            first = false;
            sb.append("{\"pbxUserId\":");
            string(sb, h.pbxUserId());
            sb.append(",\"kind\":");
            string(sb, h.kind().code());
            sb.append(",\"priorDnd\":").append(h.priorDnd());
            sb.append(",\"writtenDnd\":").append(h.writtenDnd());
            sb.append(",\"priorChatStatus\":");
            string(sb, h.priorChatStatus());
            sb.append(",\"writtenChatStatus\":");
            string(sb, h.writtenChatStatus());
            sb.append(",\"confirmed\":").append(h.confirmed());
            sb.append(",\"since\":");
            string(sb, h.since().toString());
            sb.append('}');
        }
        sb.append(first ? "]}\n" : "\n]}\n");
        return sb.toString();
    }

    private static void string(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** Parses and validates a whole state document. */
    static Document read(String text) throws FormatException {
        Object root = new Parser(text).document();
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
        Set<String> fields = fileVersion == 1 ? Set.of("format", "version", "holds") : Set.of("format", "version", "pbx", "holds");
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
        return new Document(pbx, holds, fileVersion);
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

    /** A strict RFC 8259 parser: objects become LinkedHashMap, arrays List, numbers BigDecimal. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Object document() throws FormatException {
            skipWhitespace();
            if (pos >= s.length()) {
                throw error("the file is empty");
            }
            Object v = value(0);
            skipWhitespace();
            if (pos < s.length()) {
                throw error("unexpected content after the end of the document");
            }
            return v;
        }

        private Object value(int depth) throws FormatException {
            if (depth > 64) {
                throw error("nesting too deep");
            }
            skipWhitespace();
            if (pos >= s.length()) {
                throw error("the file ends too early (truncated?)");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + printable(c) + "'");
                }
            };
        }

        private Map<String, Object> object(int depth) throws FormatException {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++; // {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (peek() != '"') {
                    throw errorOrEnd("expected a field name in quotes");
                }
                int keyPos = pos;
                String key = string();
                skipWhitespace();
                if (peek() != ':') {
                    throw errorOrEnd("expected ':' after a field name");
                }
                pos++;
                Object v = value(depth + 1);
                if (map.containsKey(key)) {
                    pos = keyPos;
                    throw error("field \"" + key + "\" appears twice");
                }
                map.put(key, v);
                skipWhitespace();
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c == '}') {
                    pos++;
                    return map;
                } else {
                    throw errorOrEnd("expected ',' or '}' in an object");
                }
            }
        }

        private List<Object> array(int depth) throws FormatException {
            List<Object> list = new ArrayList<>();
            pos++; // [
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth + 1));
                skipWhitespace();
                char c = peek();
                if (c == ',') {
                    pos++;
                } else if (c == ']') {
                    pos++;
                    return list;
                } else {
                    throw errorOrEnd("expected ',' or ']' in a list");
                }
            }
        }

        private String string() throws FormatException {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("the file ends inside a string (truncated?)");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw error("the file ends inside a string (truncated?)");
                    }
                    char e = s.charAt(pos++);
                    switch (e) {
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case '/' -> sb.append('/');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            if (pos + 4 > s.length()) {
                                throw error("the file ends inside a \\u escape (truncated?)");
                            }
                            int cp = 0;
                            for (int i = 0; i < 4; i++) {
                                int d = Character.digit(s.charAt(pos + i), 16);
                                if (d < 0) {
                                    throw error("bad \\u escape");
                                }
                                cp = cp * 16 + d;
                            }
                            pos += 4;
                            sb.append((char) cp);
                        }
                        default -> {
                            pos--;
                            throw error("bad escape '\\" + printable(e) + "'");
                        }
                    }
                } else if (c < 0x20) {
                    pos--;
                    throw error("control character inside a string");
                } else {
                    sb.append(c);
                }
            }
        }

        private Object literal(String word, Object v) throws FormatException {
            if (!s.startsWith(word, pos)) {
                throw errorOrEnd("expected " + word);
            }
            pos += word.length();
            return v;
        }

        private BigDecimal number() throws FormatException {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            if (peek() == '0') {
                pos++;
            } else if (isAsciiDigit(peek()) && peek() != '0') {
                digits();
            } else {
                throw errorOrEnd("bad number");
            }
            if (peek() == '.') {
                pos++;
                if (!isAsciiDigit(peek())) {
                    throw errorOrEnd("bad number");
                }
                digits();
            }
            if (peek() == 'e' || peek() == 'E') {
                pos++;
                if (peek() == '+' || peek() == '-') {
                    pos++;
                }
                if (!isAsciiDigit(peek())) {
                    throw errorOrEnd("bad number");
                }
                digits();
            }
            return new BigDecimal(s.substring(start, pos));
        }

        private static boolean isAsciiDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void digits() {
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private FormatException errorOrEnd(String message) {
            return pos >= s.length() ? error("the file ends too early (truncated?)") : error(message);
        }

        private FormatException error(String message) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < Math.min(pos, s.length()); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new FormatException("line " + line + ", column " + col + ": " + message);
        }

        private static String printable(char c) {
            return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        }
    }
}
