package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.PbxSink;
import org.junit.jupiter.api.Test;

class ForwardingPbxSinkTest {

    @Test
    void declaresEveryMethodOfPbxSinkDefaultOnesIncluded() {
        ForwardingContract.assertDeclaresEveryMethod(PbxSink.class, ForwardingPbxSink.class);
    }

    @Test
    void handsEveryCallItsArgumentsAndItsAnswerThrough() throws Exception {
        ForwardingContract.assertForwardsEveryCall(PbxSink.class, d -> new ForwardingPbxSink(d) {
        });
    }
}
