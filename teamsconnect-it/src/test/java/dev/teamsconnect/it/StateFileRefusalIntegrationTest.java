package dev.teamsconnect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teamsconnect.core.engine.SyncEngine;
import dev.teamsconnect.core.error.StateStoreException;
import dev.teamsconnect.core.store.JsonFileStateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corrupt, truncated or foreign state file stops the engine (with the real Graph source and STARFACE sink) before
 * it writes anything: the message names the file, the problem and the way out; the file is left byte for byte as it
 * was; the PBX is not touched.
 */
class StateFileRefusalIntegrationTest {

    @TempDir
    Path dir;

    static Stream<Arguments> badFiles() {
        String good = "{\"format\":\"teamsconnect-state\",\"version\":1,\"holds\":[{\"pbxUserId\":\"2\",\"kind\":\"held\","
                + "\"priorDnd\":false,\"writtenDnd\":true,\"priorChatStatus\":null,\"writtenChatStatus\":null,"
                + "\"confirmed\":true,\"since\":\"2026-11-27T08:00:00Z\"}]}";
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("truncated in the middle", good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8)),
                Arguments.of("not JSON", "holds: 2\n".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("foreign JSON", "{\"servers\":[\"a\",\"b\"]}".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("newer version", good.replace("\"version\":1", "\"version\":7").getBytes(StandardCharsets.UTF_8)),
                Arguments.of("unknown hold kind", good.replace("\"held\"", "\"frozen\"").getBytes(StandardCharsets.UTF_8)),
                Arguments.of("binary garbage", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80}),
                Arguments.of("a directory entry zeroed by a crashed file system", new byte[512]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void theEngineRefusesToStartAndLeavesTheFileAndThePbxAlone(String what, byte[] content) throws Exception {
        Path file = dir.resolve("teamsconnect-state.json");
        Files.write(file, content);
        try (Landscape l = Landscape.start(2)) {
            l.inCall(1);
            SyncEngine engine = l.engine(Landscape.config().build(), new JsonFileStateStore(file));

            assertThatThrownBy(engine::syncOnce).as(what)
                    .isInstanceOf(StateStoreException.class)
                    .hasMessageContaining(file.toAbsolutePath().toString())
                    .hasMessageContaining("Way out");

            engine.close();
            assertThat(l.pbx.dndChanges()).as("nothing written to the PBX").isEmpty();
            assertThat(l.dnd(1)).isFalse();
        }
        assertThat(Arrays.equals(Files.readAllBytes(file), content)).as("the file is untouched").isTrue();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no replacement file").containsExactly("teamsconnect-state.json");
        }
    }

    /**
     * A valid state file of another PBX: held users there must never be "restored" on this one (a user here who set
     * DND by hand would lose it). Holds written against PBX A, then an engine for PBX B on the same file.
     */
    @org.junit.jupiter.api.Test
    void aStateFileWithHoldsOfAnotherPbxIsRefusedAndItsHoldsStayForTheirOwnPbx() throws Exception {
        Path file = dir.resolve("teamsconnect-state.json");
        try (Landscape a = Landscape.start(2); Landscape b = Landscape.start(2)) {
            a.inCall(1);
            SyncEngine onA = a.engine(Landscape.config().releaseOnShutdown(false).build(), new JsonFileStateStore(file));
            onA.syncOnce();
            assertThat(a.dnd(1)).isTrue();
            onA.close();
            byte[] before = Files.readAllBytes(file);

            b.pressDnd(1, true); // on PBX B, user 1 has DND on by hand
            SyncEngine onB = b.engine(Landscape.config().build(), new JsonFileStateStore(file));
            assertThatThrownBy(onB::syncOnce)
                    .isInstanceOf(StateStoreException.class)
                    .hasMessageContaining(a.pbx.baseUrl().toString())
                    .hasMessageContaining(b.pbx.baseUrl().toString())
                    .hasMessageContaining("release");
            onB.close();
            assertThat(b.dnd(1)).as("the hand-set DND on B is untouched").isTrue();
            assertThat(b.pbx.dndChanges().stream().filter(c -> c.source() == dev.teamsconnect.testkit.starface.StarfaceEmulator.DndSource.API).count()).isZero();
            assertThat(Files.readAllBytes(file)).isEqualTo(before);

            // the way out: the engine for A gives its users their DND back
            SyncEngine releaseOnA = a.engine(Landscape.config().build(), new JsonFileStateStore(file));
            assertThat(releaseOnA.releaseAllHolds().remaining()).isZero();
            releaseOnA.close();
            assertThat(a.dnd(1)).isFalse();
        }
    }
}
