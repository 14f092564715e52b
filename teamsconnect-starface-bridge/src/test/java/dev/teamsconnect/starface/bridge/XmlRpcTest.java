package dev.teamsconnect.starface.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XmlRpcTest {

    @TempDir
    Path dir;

    @Test
    void everyTypeRoundTripsThroughACallAndAResponse() throws Exception {
        Map<String, Object> struct = new LinkedHashMap<>();
        struct.put("text", "Im Gespräch <in> MS Teams & \"mehr\"\n\tzweite Zeile\r");
        struct.put("number", -42);
        struct.put("yes", true);
        struct.put("no", false);
        struct.put("ratio", 0.25);
        struct.put("none", null);
        struct.put("list", List.of(1, "zwei", List.of(3)));
        struct.put("empty", "");
        XmlRpc.Call call = XmlRpc.parseCall(XmlRpc.call("TeamsConnectBridge.version", List.of(struct, 7)));
        assertThat(call.method()).isEqualTo("TeamsConnectBridge.version");
        assertThat(call.params()).containsExactly(struct, 7);
        assertThat(XmlRpc.parseResponse(XmlRpc.response(struct))).isEqualTo(struct);
        assertThat(XmlRpc.parseResponse(XmlRpc.response(5L))).isEqualTo(5);
    }

    @Test
    void aFaultComesBackAsTheExceptionWithItsCode() {
        assertThatThrownBy(() -> XmlRpc.parseResponse(XmlRpc.fault(401, "secret refused")))
                .isInstanceOfSatisfying(XmlRpcFault.class, f -> {
                    assertThat(f.code()).isEqualTo(401);
                    assertThat(f.getMessage()).isEqualTo("secret refused");
                });
    }

    @Test
    void valuesOfOtherServersParse() throws Exception {
        String xml = "<?xml version=\"1.0\"?>\n<methodResponse>\n <params>\n  <param>\n   <value><struct>\n"
                + "    <member><name>a</name><value><i4> 12 </i4></value></member>\n"
                + "    <member><name>b</name><value>untyped</value></member>\n"
                + "    <member><name>c</name><value><boolean>1</boolean></value></member>\n"
                + "   </struct></value>\n  </param>\n </params>\n</methodResponse>";
        assertThat(XmlRpc.parseResponse(xml)).isEqualTo(Map.of("a", 12, "b", "untyped", "c", true));
    }

    @Test
    void malformedInputSaysWhatAndWhereWithoutEchoingIt() {
        assertThatThrownBy(() -> XmlRpc.parseResponse("{\"json\": \"secret-4711\"}"))
                .isInstanceOf(XmlRpc.MalformedXmlRpcException.class).hasMessageContaining("not well-formed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-4711"));
        assertThatThrownBy(() -> XmlRpc.parseResponse("<methodCall><methodName>x</methodName></methodCall>"))
                .hasMessageContaining("expected <methodResponse>, found <methodCall>");
        assertThatThrownBy(() -> XmlRpc.parseResponse(response("<struct><member><name>n</name><value><int>x-4711</int>"
                + "</value></member></struct>")))
                .hasMessageContaining("not a 32-bit int at the answer.n").satisfies(e -> assertThat(e.getMessage()).doesNotContain("x-4711"));
        assertThatThrownBy(() -> XmlRpc.parseResponse(response("<dateTime.iso8601>20261202T10:00:00</dateTime.iso8601>")))
                .hasMessageContaining("type <dateTime.iso8601> is not supported");
        assertThatThrownBy(() -> XmlRpc.parseResponse(response("<boolean>yes</boolean>"))).hasMessageContaining("0 or 1");
        assertThatThrownBy(() -> XmlRpc.parseResponse("<methodResponse><params></params></methodResponse>"))
                .hasMessageContaining("exactly one param");
        assertThatThrownBy(() -> XmlRpc.parseResponse("<methodResponse><fault><value><string>x</string></value></fault>"
                + "</methodResponse>")).hasMessageContaining("faultCode");
    }

    @Test
    void externalEntitiesAreNeverReadAndDoctypesAreRefused() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "file-secret-4711");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"" + secret.toUri() + "\">]>"
                + "<methodResponse><params><param><value><string>&e;</string></value></param></params></methodResponse>";
        assertThatThrownBy(() -> XmlRpc.parseResponse(xxe)).isInstanceOf(XmlRpc.MalformedXmlRpcException.class)
                .hasMessageContaining("DOCTYPE").satisfies(e -> assertThat(e.getMessage()).doesNotContain("file-secret-4711"));
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">"
                + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;\">]><methodCall><methodName>&c;</methodName></methodCall>";
        assertThatThrownBy(() -> XmlRpc.parseCall(laughs)).isInstanceOf(XmlRpc.MalformedXmlRpcException.class)
                .hasMessageContaining("DOCTYPE");
    }

    @Test
    void nestingAndTheNumberOfValuesAreBounded() {
        String deep = "<array><data><value>".repeat(XmlRpc.MAX_DEPTH + 2) + "<int>1</int>"
                + "</value></data></array>".repeat(XmlRpc.MAX_DEPTH + 2);
        assertThatThrownBy(() -> XmlRpc.parseResponse(response(deep))).hasMessageContaining("nested deeper than");
        String many = "<array><data>" + "<value><int>1</int></value>".repeat(XmlRpc.MAX_VALUES + 1) + "</data></array>";
        assertThatThrownBy(() -> XmlRpc.parseResponse(response(many))).hasMessageContaining("more than " + XmlRpc.MAX_VALUES);
        Object v = 1;
        for (int i = 0; i < XmlRpc.MAX_DEPTH + 2; i++) {
            v = List.of(v);
        }
        Object tooDeep = v;
        assertThatThrownBy(() -> XmlRpc.response(tooDeep)).hasMessageContaining("nested deeper than");
    }

    @Test
    void whatXmlRpcCannotCarryIsRefusedWhenWriting() {
        assertThatThrownBy(() -> XmlRpc.response(1L << 40)).hasMessageContaining("does not fit");
        assertThatThrownBy(() -> XmlRpc.response("bell\u0007")).hasMessageContaining("U+0007");
        assertThatThrownBy(() -> XmlRpc.response(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> XmlRpc.response(new Object())).hasMessageContaining("no XML-RPC type");
    }

    private static String response(String typed) {
        return "<methodResponse><params><param><value>" + typed + "</value></param></params></methodResponse>";
    }
}
