package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.PresenceSource;
import org.junit.jupiter.api.Test;

class ForwardingPresenceSourceTest {

    @Test
    void declaresEveryMethodOfPresenceSourceDefaultOnesIncluded() {
        ForwardingContract.assertDeclaresEveryMethod(PresenceSource.class, ForwardingPresenceSource.class);
    }

    @Test
    void handsEveryCallItsArgumentsAndItsAnswerThrough() throws Exception {
        ForwardingContract.assertForwardsEveryCall(PresenceSource.class, d -> new ForwardingPresenceSource(d) {
        });
    }
}
