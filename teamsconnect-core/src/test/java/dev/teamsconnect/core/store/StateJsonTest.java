package dev.teamsconnect.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.core.spi.Hold;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state file format: the exact bytes {@link StateJsonWriter} writes today, and that a version 1 file reads the same. */
class StateJsonTest {

    private static final List<Hold> HOLDS = List.of(
            new Hold("17", Hold.Kind.HELD, false, true, null, null, true, Instant.parse("2026-01-01T10:00:00Z")),
            new Hold("a\"b\\c", Hold.Kind.MANUAL, true, false, "Im Gespräch\n\t\u0001\u2028", "On a call", false,
                    Instant.parse("2026-11-27T10:15:30.123456789Z")));

    private static final String HOLD_17 = "{\"pbxUserId\":\"17\",\"kind\":\"held\",\"priorDnd\":false,\"writtenDnd\":true,"
            + "\"priorChatStatus\":null,\"writtenChatStatus\":null,\"confirmed\":true,\"since\":\"2026-01-01T10:00:00Z\"}";
    private static final String HOLD_TRICKY = "{\"pbxUserId\":\"a\\\"b\\\\c\",\"kind\":\"manual\",\"priorDnd\":true,"
            + "\"writtenDnd\":false,\"priorChatStatus\":\"Im Gespräch\\n\\t\\u0001\\u2028\",\"writtenChatStatus\":\"On a call\","
            + "\"confirmed\":false,\"since\":\"2026-11-27T10:15:30.123456789Z\"}";

    @Test
    void writesTheVersionTwoFormatByteForByte() {
        assertThat(StateJsonWriter.write("starface https://pbx.example.com/", HOLDS)).isEqualTo(
                "{\"format\":\"teamsconnect-state\",\"version\":2,\"pbx\":\"starface https://pbx.example.com/\",\"holds\":["
                        + "\n  " + HOLD_17 + ",\n  " + HOLD_TRICKY + "\n]}\n");
        assertThat(StateJsonWriter.write(null, List.of()))
                .isEqualTo("{\"format\":\"teamsconnect-state\",\"version\":2,\"pbx\":null,\"holds\":[]}\n");
    }

    @Test
    void aFileWrittenTodayAndAVersionOneFileLoadBackEqual() throws StateJson.FormatException {
        StateJson.Document written = StateJson.read(StateJsonWriter.write(null, HOLDS));
        StateJson.Document v1 = StateJson.read(
                "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[" + HOLD_17 + "," + HOLD_TRICKY + "]}");

        assertThat(written.version()).isEqualTo(2);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.pbx()).isNull();
        assertThat(written.pbx()).isNull();
        assertThat(v1.holds()).isEqualTo(written.holds());
        assertThat(List.copyOf(written.holds().values())).isEqualTo(HOLDS);
    }

    @Test
    void theNamedPbxReadsBack() throws StateJson.FormatException {
        StateJson.Document d = StateJson.read(StateJsonWriter.write("starface https://pbx.example.com/", HOLDS));
        assertThat(d.pbx()).isEqualTo("starface https://pbx.example.com/");
        assertThat(List.copyOf(d.holds().values())).isEqualTo(HOLDS);
    }
}
