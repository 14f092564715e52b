package dev.teamsconnect.service.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.service.cli.TeamsConnectMain;
import dev.teamsconnect.service.runtime.EngineServiceRuntime;
import dev.teamsconnect.service.runtime.PluginLookup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code demo} in-process: both emulators over HTTPS, the real Graph source and STARFACE sink, the scripted day. */
class WorkingDayDemoIntegrationTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void playsTheDayShowingACallItsRestoreARespectedManualDndAndTheUnmatchedUser() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        EngineServiceRuntime runtime = new EngineServiceRuntime(PluginLookup::discover, new WorkingDayDemo(Duration.ZERO));

        int code = TeamsConnectMain.execute(new String[] {"demo"}, Map.of(), runtime, Clock.systemUTC(),
                new PrintWriter(out, true), new PrintWriter(err, true));

        String text = out.toString();
        assertThat(code).as(text + err).isZero();
        assertThat(text)
                .contains("28 users matched; no desk phone: [Tom Tanaka]; no Teams account: [TeamsConnect API, Reception Desk]")
                .containsPattern("Anna Berg \\(1001\\) +DND off -> on +Teams Busy/InACall -> DND on")
                .containsPattern("Anna Berg \\(1001\\) +DND on -> off +restored prior DND off")
                .containsPattern("Clara Hahn \\(1003\\) +DND off -> on +Teams Busy/InAMeeting")
                .containsPattern("David Roth \\(1004\\) +DND stays off +manual DND kept \\(off by hand")
                .containsPattern("Felix Wolf \\(1006\\) +DND off -> on")
                .containsPattern("Ida Kuhn \\(1009\\) +DND on -> off +restored prior DND off")
                .contains("DND on at the end of the day: Ben Vogel (set by hand, so left alone)")
                .contains(" 0 failures")
                .contains("Demo finished in");
        // Ben's call and Tom's call change nothing on the PBX
        assertThat(text).doesNotContainPattern("Ben Vogel \\(1002\\) +DND")
                .doesNotContain("Tom Tanaka (");
        // David's call ends without any write: his hand-made DND off stays
        assertThat(text).doesNotContainPattern("David Roth \\(1004\\) +DND off -> on.*\\n(?s).*David Roth \\(1004\\) +DND off -> on");
    }
}
