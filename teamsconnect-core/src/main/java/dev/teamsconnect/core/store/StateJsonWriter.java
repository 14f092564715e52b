package dev.teamsconnect.core.store;

import dev.teamsconnect.core.spi.Hold;
import dev.teamsconnect.core.spi.TeamsSession;
import java.util.Collection;

/**
 * Writes the current version of the state file format ({@link StateJson} describes it): one hold per line, fields
 * in a fixed order, strings escaped so that any RFC 8259 parser reads them back. The output is part of the format:
 * change it only together with {@link StateJson#VERSION}.
 */
final class StateJsonWriter {

    private StateJsonWriter() {
    }

    /** The whole document for {@code pbx} (may be null) and {@code holds}, without sessions. */
    static String write(String pbx, Collection<Hold> holds) {
        return write(pbx, holds, java.util.List.of());
    }

    /**
     * The whole document for {@code pbx} (may be null), {@code holds} and {@code sessions}, ending in a line break:
     * version {@link StateJson#VERSION_WITHOUT_SESSIONS} when there are no sessions, else {@link StateJson#VERSION}.
     */
    static String write(String pbx, Collection<Hold> holds, Collection<TeamsSession> sessions) {
        StringBuilder sb = new StringBuilder(128 + holds.size() * 200 + sessions.size() * 200);
        int version = sessions.isEmpty() ? StateJson.VERSION_WITHOUT_SESSIONS : StateJson.VERSION;
        sb.append("{\"format\":\"").append(StateJson.FORMAT).append("\",\"version\":").append(version).append(",\"pbx\":");
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
        sb.append(first ? "]" : "\n]");
        if (!sessions.isEmpty()) {
            sb.append(",\"sessions\":[");
            first = true;
            for (TeamsSession t : sessions) {
                sb.append(first ? "\n  " : ",\n  ");
                first = false;
                sb.append("{\"pbxUserId\":");
                string(sb, t.pbxUserId());
                sb.append(",\"teamsUserId\":");
                string(sb, t.teamsUserId());
                sb.append(",\"cause\":");
                string(sb, t.cause().code());
                sb.append(",\"availability\":");
                string(sb, t.availability().wireValue());
                sb.append(",\"activity\":");
                string(sb, t.activity().wireValue());
                sb.append(",\"since\":");
                string(sb, t.since().toString());
                sb.append(",\"expiresAt\":");
                string(sb, t.expiresAt().toString());
                sb.append(",\"clearedAt\":");
                string(sb, t.clearedAt() == null ? null : t.clearedAt().toString());
                sb.append('}');
            }
            sb.append("\n]");
        }
        sb.append("}\n");
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
}
