package dev.teamsconnect.examples.webhook;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.PbxChange;

/**
 * The JSON body of one webhook event. Written by hand so the plugin needs nothing beyond the JDK:
 *
 * <pre>{@code
 * {"event":"presence.sync","at":"2026-01-05T09:00:00Z",
 *  "user":{"id":"42","login":"alice","email":"alice@example.com","name":"Alice Example"},
 *  "presence":{"availability":"Busy","activity":"InACall"},   // null when the engine releases a hold on shutdown
 *  "category":"IN_A_CALL",                                     // null when unknown
 *  "dnd":true,"chatStatus":"In a Teams call",                  // the state to show now
 *  "previous":{"dnd":false,"chatStatus":null},
 *  "reason":"Teams Busy/InACall -> DND on (policy IN_A_CALL)"}
 * }</pre>
 */
final class WebhookEvents {

    private WebhookEvents() {
    }

    static String json(PbxChange change, PbxUser user) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"event\":\"presence.sync\",\"at\":").append(str(change.at().toString()));
        b.append(",\"user\":{\"id\":").append(str(user.id()))
                .append(",\"login\":").append(str(user.login()))
                .append(",\"email\":").append(str(user.email()))
                .append(",\"name\":").append(str(user.displayName())).append('}');
        b.append(",\"presence\":");
        if (change.presence() == null) {
            b.append("null");
        } else {
            b.append("{\"availability\":").append(str(change.presence().rawAvailability()))
                    .append(",\"activity\":").append(str(change.presence().rawActivity())).append('}');
        }
        b.append(",\"category\":").append(change.category() == null ? "null" : str(change.category().code()));
        state(b, change.to());
        b.append(",\"previous\":{");
        b.append("\"dnd\":").append(change.from().dnd()).append(",\"chatStatus\":").append(str(change.from().chatStatus()));
        b.append("},\"reason\":").append(str(change.reason())).append('}');
        return b.toString();
    }

    private static void state(StringBuilder b, PbxState state) {
        b.append(",\"dnd\":").append(state.dnd()).append(",\"chatStatus\":").append(str(state.chatStatus()));
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
