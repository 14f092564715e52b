package dev.teamsconnect.core.store;

import dev.teamsconnect.core.store.StateJson.FormatException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8259 parser for the state file: objects become LinkedHashMap, arrays List, numbers BigDecimal.
 * Duplicate field names, anything after the document and nesting deeper than 64 are errors, so that a damaged file
 * is never mistaken for a valid one. Errors name the line and column. Knows nothing of the state format itself.
 */
final class StrictJsonParser {

    private final String s;
    private int pos;

    StrictJsonParser(String s) {
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
