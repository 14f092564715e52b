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

        int code = TeamsConnectMain.execute(new String[] {"demo", "--lang", "en"}, Map.of(), runtime, Clock.systemUTC(),
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
        assertThat(text).doesNotContain("Zusammenfassung").doesNotContain("Telefonat");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void speaksGermanWithLangDe() {
        String text = demo("--lang", "de");

        assertThat(text)
                .contains("TeamsConnect-Demo: ein Arbeitstag in einem kleinen Büro, auf eingebauten Emulatoren")
                .contains("09:00  Anna beginnt ein Teams-Telefonat")
                .contains("28 Benutzer zugeordnet; ohne Tischtelefon: [Tom Tanaka]; ohne Teams-Konto: [TeamsConnect API, Reception Desk]")
                .containsPattern("Anna Berg \\(1001\\) +DND aus -> an +Teams Busy/InACall -> DND on.* \\[gehalten\\]")
                .containsPattern("Anna Berg \\(1001\\) +DND an -> aus +restored prior DND off \\[wiederhergestellt\\]")
                .containsPattern("David Roth \\(1004\\) +DND bleibt aus +manual DND kept")
                .contains("-> Offline heißt nicht DND")
                .contains("DND an am Ende des Tages: Ben Vogel (von Hand gesetzt, darum unberührt)")
                .contains(" 0 Fehler")
                .containsPattern("Demo nach \\d+,\\d s beendet");
        assertThat(text).doesNotContain("Summary:").doesNotContain("starts a Teams call").doesNotContain("DND off -> on");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void speaksEnglishWithLangEnWhateverTheSystemLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.GERMANY);
        try {
            String text = demo("--lang", "en");
            assertThat(text).contains("TeamsConnect demo: a working day in a small office, on built-in emulators")
                    .contains("09:00  Anna starts a Teams call")
                    .contains("-> Offline does not mean DND")
                    .containsPattern("Summary: \\d+ sync cycles")
                    .containsPattern("Demo finished in \\d+\\.\\d s");
            assertThat(text).doesNotContain("Zusammenfassung").doesNotContain("Telefonat");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    private static String demo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        EngineServiceRuntime runtime = new EngineServiceRuntime(PluginLookup::discover, new WorkingDayDemo(Duration.ZERO));
        String[] line = new String[args.length + 1];
        line[0] = "demo";
        System.arraycopy(args, 0, line, 1, args.length);
        int code = TeamsConnectMain.execute(line, Map.of(), runtime, Clock.systemUTC(),
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(out.toString() + err).isZero();
        return out.toString();
    }
}
