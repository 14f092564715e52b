package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.spi.OutputStatus;
import java.time.Instant;

/**
 * The JSON bodies the webhook output POSTs. Written by hand so the plugin needs nothing beyond the JDK. A status
 * (sent on change and again every re-publish interval: treat it as the current state, not as an event):
 *
 * <pre>{@code
 * {"event":"presence.status","at":"2026-01-05T09:00:00Z",
 *  "user":{"id":"42","label":"Alice Example (1001)","teamsId":"3f2a..."},   // teamsId null when not matched
 *  "presence":{"availability":"Busy","activity":"InACall"},                  // null when unknown
 *  "category":"IN_A_CALL",                                                    // null when unknown
 *  "dnd":{"wanted":true,"pbx":true},                                          // each null when not known
 *  "hold":"held",                                                             // held, manual or null
 *  "reason":"Teams Busy/InACall -> DND on (policy IN_A_CALL)"}                // null when none yet
 * }</pre>
 *
 * A user who left the scope: {@code {"event":"presence.removed","at":"...","user":{"id":"42"}}}.
 */
final class WebhookEvents {

    static final String STATUS = "presence.status";
    static final String REMOVED = "presence.removed";

    private WebhookEvents() {
    }

    static String status(OutputStatus s) {
        StringBuilder b = new StringBuilder(320);
        b.append("{\"event\":\"").append(STATUS).append("\",\"at\":").append(str(s.at().toString()));
        b.append(",\"user\":{\"id\":").append(str(s.pbxUserId()))
                .append(",\"label\":").append(str(s.label()))
                .append(",\"teamsId\":").append(str(s.teamsUserId())).append('}');
        b.append(",\"presence\":");
        if (s.availability() == null && s.activity() == null) {
            b.append("null");
        } else {
            b.append("{\"availability\":").append(str(s.availability()))
                    .append(",\"activity\":").append(str(s.activity())).append('}');
        }
        b.append(",\"category\":").append(s.category() == null ? "null" : str(s.category().code()));
        b.append(",\"dnd\":{\"wanted\":").append(s.wantedDnd()).append(",\"pbx\":").append(s.pbxDnd()).append('}');
        b.append(",\"hold\":").append(s.holdKind() == null ? "null" : str(s.holdKind().code()));
        b.append(",\"reason\":").append(str(s.reason())).append('}');
        return b.toString();
    }

    static String removed(String pbxUserId, Instant at) {
        return "{\"event\":\"" + REMOVED + "\",\"at\":" + str(at.toString()) + ",\"user\":{\"id\":" + str(pbxUserId) + "}}";
    }

    /** A JSON string literal, or {@code null}. */
    static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
