package dev.teamsconnect.core.decorate;

import dev.teamsconnect.core.spi.StateStore;
import org.junit.jupiter.api.Test;

class ForwardingStateStoreTest {

    @Test
    void declaresEveryMethodOfStateStoreDefaultOnesIncluded() {
        ForwardingContract.assertDeclaresEveryMethod(StateStore.class, ForwardingStateStore.class);
    }

    @Test
    void handsEveryCallItsArgumentsAndItsAnswerThrough() throws Exception {
        ForwardingContract.assertForwardsEveryCall(StateStore.class, d -> new ForwardingStateStore(d) {
        });
    }
}
