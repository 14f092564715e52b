package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.TeamsSession;
import java.time.Instant;

/**
 * Tells the echo of the product's own Teams session from the user's own presence. Graph reports the aggregate of the
 * user's own presence and the app's session (the higher of the two in Graph's documented order DoNotDisturb > Busy >
 * Available > Away; graph-presence.md), and may report a cleared session late, for a time Microsoft does not
 * document. So:
 * <ul>
 *   <li>a session past its expiry is gone, whatever Graph reports (Graph ends a session that is not renewed);</li>
 *   <li>an active session: a presence of exactly its pair is its echo;</li>
 *   <li>a cleared one: its pair is still its echo until Teams shows a presence the session would have outranked
 *       (then it is gone); a presence of the same rank or above proves nothing.</li>
 * </ul>
 * Pure; the engine's loop safety rests on it (docs/architecture.md, "Both directions without loops").
 */
final class SessionEcho {

    /** What a presence says about a session. */
    enum Verdict {
        /** The presence is the session's echo: no reason for DND either way. */
        ECHO,
        /** The presence is the user's own; the session (if cleared) may still show later. */
        OWN,
        /** The cleared session is gone from Teams: its record can go. */
        GONE
    }

    private SessionEcho() {
    }

    static Verdict of(TeamsSession s, TeamsPresence p, Instant now) {
        boolean pair = p.availability() == s.availability() && p.activity() == s.activity();
        if (!now.isBefore(s.expiresAt())) {
            // expired (not renewed: a crash, pbxToTeams switched off, writes refused): Graph ended it by itself
            return Verdict.GONE;
        }
        if (s.active()) {
            return pair ? Verdict.ECHO : Verdict.OWN;
        }
        if (pair) {
            return Verdict.ECHO;
        }
        return p.availability().sessionRank() < s.availability().sessionRank() ? Verdict.GONE : Verdict.OWN;
    }
}
