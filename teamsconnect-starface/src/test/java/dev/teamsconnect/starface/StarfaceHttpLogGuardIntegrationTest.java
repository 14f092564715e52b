package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An admin debugging with {@code -Djdk.httpclient.HttpClient.log=all}: in a separate JVM (the JDK reads the switch
 * once per process), the sink's session must not put the token or the login secret on stdout or stderr.
 */
class StarfaceHttpLogGuardIntegrationTest {

    private static final String PASSWORD = "Jdk-L0g-Pa55word";
    private static final String CANARY = "canary-token-0f3c9a";

    private StarfaceEmulator pbx;

    @AfterEach
    void stop() {
        if (pbx != null) {
            pbx.close();
        }
    }

    private record Run(int exit, String output) {
    }

    private Run runChild(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djdk.httpclient.HttpClient.log=all",
                "-cp", System.getProperty("java.class.path"), StarfaceHttpLogChild.class.getName(),
                pbx.baseUrl().toString(), "0001", PASSWORD, mode, CANARY)
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println(text); // kept in the test report
        return new Run(p.exitValue(), text);
    }

    private void startPbx() {
        pbx = StarfaceEmulator.builder().user("0001", PASSWORD, "api@example.com", "Api", "Account", false)
                .user("0002", "other", "u2@example.com", "Una", "Two", false).start();
    }

    @Test
    void withTheJdkSwitchAtAllNeitherTokenNorSecretReachesTheOutput() throws Exception {
        startPbx();
        Run run = runChild("sink");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("CHILD DONE")
                // the JDK's own log is on (so the check below can see a leak) ...
                .contains("REQUEST: " + pbx.baseUrl() + "/rest/login GET")
                // ... and says why it prints less than asked for
                .contains("-Djdk.httpclient.HttpClient.log=all would print request headers and bodies")
                .contains("changed to jdk.httpclient.HttpClient.log=errors,requests")
                .contains("TEAMSCONNECT_LOG_LEVEL=DEBUG")
                .doesNotContain("had already sent requests");
        Set<String> tokens = pbx.activeTokens();
        List<String> secrets = pbx.loginSecretsSeen();
        assertThat(tokens).hasSize(1);
        assertThat(secrets).hasSize(1);
        assertThat(run.output()).doesNotContain(tokens.iterator().next()).doesNotContain(secrets.get(0))
                .doesNotContain(secrets.get(0).substring(secrets.get(0).indexOf(':') + 1)).doesNotContain(PASSWORD)
                .doesNotContainIgnoringCase("authToken:");
    }

    @Test
    void whenAnotherHttpClientMadeTheJdkReadTheSwitchFirstTheWarningSaysSoAndTheFilterStillHoldsTheToken() throws Exception {
        startPbx();
        Run run = runChild("jdk-client-first");

        assertThat(run.exit()).as(run.output()).isZero();
        // The other client's request went out with the JDK at "all": its header is printed, so a leak would show.
        assertThat(run.output()).contains("authToken: " + CANARY);
        assertThat(run.output()).contains("The JDK had already read the switch")
                .contains("had already sent requests in this process")
                .contains("restart without that -D option");
        assertThat(run.output()).doesNotContain(pbx.activeTokens().iterator().next())
                .doesNotContain(pbx.loginSecretsSeen().get(0));
    }
}
