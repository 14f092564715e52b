package dev.teamsconnect.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.Activity;
import dev.teamsconnect.core.model.Availability;
import dev.teamsconnect.core.model.TeamsPresence;
import dev.teamsconnect.core.spi.TeamsSession;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One row per rule of {@link SessionEcho}: what a presence says about the product's own session. */
class SessionEchoTest {

    private static final Instant SINCE = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant EXPIRES = Instant.parse("2026-12-01T11:00:00Z");
    private static final Instant CLEARED = Instant.parse("2026-12-01T10:30:00Z");

    @ParameterizedTest(name = "{0} session {1}/{2}, Teams shows {3}/{4} at {5}: {6}")
    @CsvSource({
            // an active session: exactly its pair is its echo, anything else is the user's own
            "active,  BUSY,           IN_A_CALL,  BUSY,           IN_A_CALL,   10:40, ECHO",
            "active,  BUSY,           IN_A_CALL,  BUSY,           IN_A_MEETING, 10:40, OWN",
            "active,  BUSY,           IN_A_CALL,  DO_NOT_DISTURB, PRESENTING,  10:40, OWN",
            "active,  DO_NOT_DISTURB, PRESENTING, DO_NOT_DISTURB, PRESENTING,  10:40, ECHO",
            // an active session not renewed (a crash, pbxToTeams switched off): Graph ended it at its expiry
            "active,  BUSY,           IN_A_CALL,  BUSY,           IN_A_CALL,   11:00, GONE",
            // a cleared session: still its echo while Graph reports it late
            "cleared, BUSY,           IN_A_CALL,  BUSY,           IN_A_CALL,   10:40, ECHO",
            // a presence it would have outranked proves it gone
            "cleared, BUSY,           IN_A_CALL,  AVAILABLE,      AVAILABLE,   10:40, GONE",
            "cleared, BUSY,           IN_A_CALL,  AWAY,           AWAY,        10:40, GONE",
            "cleared, DO_NOT_DISTURB, PRESENTING, BUSY,           IN_A_CALL,   10:40, GONE",
            // the same rank or above proves nothing: the late session may show again
            "cleared, BUSY,           IN_A_CALL,  BUSY,           IN_A_MEETING, 10:40, OWN",
            "cleared, BUSY,           IN_A_CALL,  DO_NOT_DISTURB, PRESENTING,  10:40, OWN",
            // past its expiry it is gone whatever Graph reports
            "cleared, BUSY,           IN_A_CALL,  BUSY,           IN_A_CALL,   11:00, GONE",
            "cleared, BUSY,           IN_A_CALL,  DO_NOT_DISTURB, PRESENTING,  11:30, GONE",
    })
    void verdict(String state, Availability sa, Activity sact, Availability pa, Activity pact, String at,
                 SessionEcho.Verdict expected) {
        TeamsSession s = new TeamsSession("1", "t1", TeamsSession.Cause.PBX_DND, sa, sact, SINCE, EXPIRES);
        if (state.equals("cleared")) {
            s = s.clearedAt(CLEARED);
        }
        Instant now = Instant.parse("2026-12-01T" + at + ":00Z");
        TeamsPresence p = TeamsPresence.of("t1", pa, pact, now);
        assertThat(SessionEcho.of(s, p, now)).isEqualTo(expected);
    }
}
