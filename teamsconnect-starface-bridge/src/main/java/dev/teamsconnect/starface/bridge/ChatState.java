package dev.teamsconnect.starface.bridge;

import java.util.Objects;

/**
 * A user's chat presence and status text as the PBX shows them.
 *
 * @param presence the name of STARFACE's {@code ChatPresence} constant. The constants are not in any public source
 *                 (the sources show only {@code ChatPresence.X}), so the bridge passes names through and never
 *                 assumes one.
 * @param text     the status text, never null (empty when the user has none)
 */
public record ChatState(String presence, String text) {

    public ChatState {
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(text, "text");
    }
}
