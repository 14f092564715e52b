package dev.teamsconnect.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresenceJsonTest {

    private static List<PresenceJson.Item> parse(String json) throws IOException {
        return PresenceJson.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsTheUsedFieldsAndSkipsEverythingElse() throws IOException {
        List<PresenceJson.Item> items = parse("""
                {"@odata.context":"x","value":[
                 {"id":"a","availability":"Busy","activity":"InACall","sequenceNumber":"C1",
                  "statusMessage":{"message":{"content":"Im Gespräch","contentType":"text"},"expiryDateTime":null},
                  "outOfOfficeSettings":{"message":null,"isOutOfOffice":true},"futureField":{"deep":[1,2,{"x":3}]}},
                 {"id":"b","availability":"Available","activity":"Available","statusMessage":null,
                  "outOfOfficeSettings":null}
                ],"@odata.nextLink":null}""");

        assertThat(items).containsExactly(
                new PresenceJson.Item("a", "Busy", "InACall", "Im Gespräch", true, "C1"),
                new PresenceJson.Item("b", "Available", "Available", null, false, null));
    }

    @Test
    void anAnswerWithoutValueHasNoPresences() throws IOException {
        assertThat(parse("{\"value\":[]}")).isEmpty();
        assertThat(parse("{}")).isEmpty();
    }

    @Test
    void refusesABodyThatIsNotAnObjectOrIsCutOff() {
        assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> parse("{\"value\":[{\"id\":\"a\"")).isInstanceOf(IOException.class);
    }
}
