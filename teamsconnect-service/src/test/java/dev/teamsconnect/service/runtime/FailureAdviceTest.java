package dev.teamsconnect.service.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.error.RetryableException;
import dev.teamsconnect.core.error.TerminalException;
import dev.teamsconnect.service.docs.DocsAnchors;
import dev.teamsconnect.service.i18n.Messages;
import dev.teamsconnect.service.runtime.FailureAdvice.Problem;
import dev.teamsconnect.service.runtime.FailureAdvice.Side;
import java.net.ConnectException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class FailureAdviceTest {

    @Test
    void aWrongClientIdIsTheClientIdEvenWhenEntraCallsItInvalidClient() {
        TerminalException e = new TerminalException("Microsoft sign-in for app x in tenant y (client-credentials) was"
                + " rejected: invalid_client: AADSTS700016: Application with identifier 'x' was not found");

        assertThat(FailureAdvice.classify(Side.SOURCE, e)).isEqualTo(Problem.WRONG_CLIENT_ID);
        assertThat(FailureAdvice.fix(Side.SOURCE, "teams", e)).contains("teams.clientId").doesNotContain("clientSecret");
    }

    @Test
    void aWrongSecretIsTheSecret() {
        TerminalException e = new TerminalException("rejected: invalid_client: AADSTS7000215: Invalid client secret");

        assertThat(FailureAdvice.fix(Side.SOURCE, "teams", e)).contains("teams.auth.clientSecret");
    }

    @Test
    void readsTheJdkExceptionsAlongTheChainNotOnlyTheMessage() {
        // the JDK's HttpClient: a bare ConnectException around UnresolvedAddressException for an unknown host
        ConnectException unresolved = new ConnectException();
        unresolved.initCause(new UnresolvedAddressException());
        assertThat(FailureAdvice.classify(Side.SINK, new RetryableException("cannot reach STARFACE at"
                + " https://nohost.invalid/ for POST /rest/login: java.net.ConnectException", unresolved)))
                .isEqualTo(Problem.UNKNOWN_HOST);
        assertThat(FailureAdvice.classify(Side.SINK, new RetryableException("cannot reach STARFACE: "
                + "java.net.ConnectException", new ConnectException()))).isEqualTo(Problem.CONNECTION_REFUSED);
        assertThat(FailureAdvice.classify(Side.SINK, new TerminalException("TLS with STARFACE failed",
                new SSLException("Unsupported or unrecognized SSL message")))).isEqualTo(Problem.TLS_TO_PLAIN_PORT);
    }

    @Test
    void theRefusedTokenIsNotTakenForAMissingPermission() {
        assertThat(FailureAdvice.classify(Side.SOURCE, new TerminalException("Microsoft Graph refused the access token"
                + " (HTTP 401)"))).isEqualTo(Problem.TOKEN_REFUSED);
        assertThat(FailureAdvice.classify(Side.SOURCE, new TerminalException("listing users was refused by Microsoft"
                + " Graph (HTTP 403)"))).isEqualTo(Problem.PERMISSION_MISSING);
    }

    @Test
    void somethingUnknownGetsTheGeneralHint() {
        assertThat(FailureAdvice.fix(Side.SINK, "starface", new TerminalException("something odd")))
                .contains("TEAMSCONNECT_LOG_LEVEL=DEBUG").contains(Problem.OTHER.docs());
    }

    @Test
    void everyProblemHasAFixInBothLanguagesForBothSides() {
        for (Messages m : new Messages[] {Messages.forLanguage("en"), Messages.forLanguage("de")}) {
            for (Problem p : Problem.values()) {
                for (Side s : Side.values()) {
                    assertThat(FailureAdvice.fix(s, "x", p, m)).as(p + " " + s + " " + m.locale()).contains(p.docs());
                }
            }
        }
    }

    @Test
    void everyCitedDocsSectionExists() throws Exception {
        Path docs = DocsAnchors.docs();
        Set<String> anchors = DocsAnchors.anchors(docs.resolve("troubleshooting.md"));
        for (Problem p : Problem.values()) {
            assertThat(anchors).as("docs/troubleshooting.md has a section for " + p).contains(p.anchor());
        }
        // and any docs/x.md#y written into a text of either language
        Pattern cited = Pattern.compile("docs/([a-z-]+\\.md)#([a-z0-9-]+)");
        for (String bundle : new String[] {"messages.properties", "messages_de.properties"}) {
            String text = new String(FailureAdviceTest.class.getResourceAsStream(
                    "/dev/teamsconnect/service/i18n/" + bundle).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Matcher m = cited.matcher(text);
            while (m.find()) {
                assertThat(Files.exists(docs.resolve(m.group(1)))).as(m.group()).isTrue();
                assertThat(DocsAnchors.anchors(docs.resolve(m.group(1)))).as(m.group()).contains(m.group(2));
            }
        }
    }
}
