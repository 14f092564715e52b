package dev.teamsconnect.starface;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.model.PbxUser;
import dev.teamsconnect.core.spi.BatchResult;
import dev.teamsconnect.core.spi.CheckNote;
import dev.teamsconnect.testkit.starface.StarfaceEmulator;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the STARFACE sink makes of bad bridge answers, through real HTTP to the emulator (whose scripted answers
 * replace the bridge's): each is a clear message naming the entry point and what is wrong, never a silent default,
 * and the DND read goes on with the chat status unknown. Also the XML-RPC login parameter and the body bound.
 */
class StarfaceBridgeAnswersIntegrationTest {

    private static final String INSTANCE = "TeamsConnectBridge";
    private static final String SECRET = "answers-test-bridge-secret-0815";
    private static final String XML_RPC = "POST /xml-rpc";

    private StarfaceEmulator pbx;
    private StarfacePbxSink sink;
    private PbxUser anna;

    @BeforeEach
    void start() throws InterruptedException {
        pbx = StarfaceEmulator.builder().user("api", "api-password-1", "api@pbx.test", "Api", "Account", false)
                .user("anna", "pw-anna", "anna@pbx.test", "Anna", "Berg", true)
                .bridge(INSTANCE, SECRET).start();
        sink = StarfacePbxSink.builder().baseUrl(pbx.baseUrl()).loginId("api").password("api-password-1")
                .requestTimeout(Duration.ofSeconds(3)).maxRetries(0).bridge(INSTANCE, SECRET)
                // the event thread reads once at open and then not within the test, so no scripted answer goes to it
                .bridgeEventInterval(Duration.ofHours(1)).build();
        sink.open();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!pbx.bridgeCalls().contains("events")) {
            assertThat(System.nanoTime()).as("the event thread's first read").isLessThan(deadline);
            Thread.sleep(10);
        }
        anna = sink.listUsers().stream().filter(u -> "anna@pbx.test".equals(u.email())).findFirst().orElseThrow();
    }

    @AfterEach
    void stop() {
        sink.close();
        pbx.close();
    }

    private String checkNoteAfter(String rawBody) {
        pbx.respondNext(XML_RPC, 200, rawBody);
        List<CheckNote> notes = sink.checkNotes();
        assertThat(notes).hasSize(1);
        return notes.get(0).level() + ": " + notes.get(0).text();
    }

    @Test
    void answersThatAreNotXmlRpcOrOfAnotherShapeAreNamed() {
        assertThat(checkNoteAfter("{\"not\": \"xml\"}")).startsWith("PROBLEM").contains("version")
                .contains("not XML-RPC");
        assertThat(checkNoteAfter("<?xml version=\"1.0\"?><methodResponse><params><param><value><string>x</string>"
                + "</value></param></params></methodResponse>")).startsWith("PROBLEM").contains("where a struct belongs");
        assertThat(checkNoteAfter("<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
                + "<member><name>protocol</name><value><string>one</string></value></member>"
                + "</struct></value></param></params></methodResponse>")).startsWith("PROBLEM")
                .contains("without protocol as an int");
        assertThat(checkNoteAfter("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<methodResponse><params><param><value>&e;</value></param></params></methodResponse>"))
                .startsWith("PROBLEM").contains("DOCTYPE").doesNotContain("root:");
        assertThat(sink.checkNotes().get(0).level()).as("the real bridge answers again").isEqualTo(CheckNote.Level.INFO);
    }

    @Test
    void aBridgeOfAnotherProtocolIsRefusedWithTheWayOut() {
        String note = checkNoteAfter("<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
                + "<member><name>protocol</name><value><int>2</int></value></member>"
                + "<member><name>bridgeVersion</name><value><string>9.9.9</string></value></member>"
                + "<member><name>pbxVersion</name><value><string>9.0.1</string></value></member>"
                + "</struct></value></param></params></methodResponse>");
        assertThat(note).startsWith("PROBLEM").contains("speaks protocol 2").contains("install the bridge module of this release");
    }

    @Test
    void aBadChatAnswerLeavesTheChatStatusUnknownAndTheDndRead() {
        pbx.respondNext(XML_RPC, 200, "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct>"
                + "<member><name>statuses</name><value><string>none</string></value></member>"
                + "</struct></value></param></params></methodResponse>");
        BatchResult<PbxState> r = sink.readStates(List.of(anna));
        assertThat(r.failures()).isEmpty();
        assertThat(r.values().get(anna.id())).isEqualTo(PbxState.chatUnknown(true));
        assertThat(sink.readStates(List.of(anna)).values().get(anna.id())).as("read again: known")
                .isEqualTo(new PbxState(true, null));
    }

    @Test
    void anOversizedAnswerIsCutAtItsBound() {
        pbx.oversizedBodyNext(XML_RPC, StarfaceRestClient.XML_RPC_LIMIT + 1024);
        assertThat(sink.checkNotes().get(0).text()).contains("more than " + StarfaceRestClient.XML_RPC_LIMIT);
    }

    @Test
    void theLoginGoesAsTheAuthParameterAndNeverIntoTheRequestLog() {
        assertThat(sink.checkNotes().get(0).level()).isEqualTo(CheckNote.Level.INFO);
        assertThat(pbx.bridgeCalls()).contains("version");
        assertThat(pbx.toString()).doesNotContain(SECRET);
    }
}
