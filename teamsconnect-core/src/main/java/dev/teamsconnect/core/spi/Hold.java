package dev.teamsconnect.core.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What the engine remembers about one PBX user whose state it changed (or whose hand-made change it is
 * respecting). Persisted in a {@link StateStore} <em>before</em> the PBX write it covers (write-ahead), so
 * a crash at any point never loses the value to restore.
 *
 * @param pbxUserId  the PBX user's id
 * @param kind       {@link Kind#HELD}: the engine owns the DND flag and must restore {@code priorDnd};
 *                   {@link Kind#MANUAL}: the user changed DND by hand during the episode, hands off until
 *                   presence stops wanting DND
 * @param priorDnd   the user's own DND value before the hold
 * @param writtenDnd the DND value the engine wrote (or is about to write)
 * @param priorChatStatus   the user's own chat status text before the hold, or {@code null}
 * @param writtenChatStatus the chat status text the engine wrote, or {@code null} when it does not manage it
 * @param confirmed  whether the PBX acknowledged the write; an unconfirmed hold whose PBX still shows
 *                   {@code priorDnd} means the write did not happen (crash or failure), not a manual change
 * @param since      when the episode began
 */
public record Hold(String pbxUserId, Kind kind, boolean priorDnd, boolean writtenDnd,
                   String priorChatStatus, String writtenChatStatus, boolean confirmed, Instant since) {

    /** Persisted by {@link #code()}, never by ordinal. */
    public enum Kind {
        HELD("held"),
        MANUAL("manual");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }

        public static Kind fromCode(String code) {
            for (Kind k : values()) {
                if (k.code.equals(code)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown hold kind \"" + code + "\"; expected held or manual");
        }
    }

    public Hold {
        if (pbxUserId == null || pbxUserId.isBlank()) {
            throw new IllegalArgumentException("Hold.pbxUserId must not be blank");
        }
        Objects.requireNonNull(kind, "Hold.kind");
        Objects.requireNonNull(since, "Hold.since");
    }
}
