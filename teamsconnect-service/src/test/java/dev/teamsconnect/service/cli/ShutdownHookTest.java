package dev.teamsconnect.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.teamsconnect.service.StopSignal;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShutdownHookTest {

    @Test
    void signalsStopAndKeepsTheJvmUntilCleanUpIsDone() throws Exception {
        StopSignal stop = new StopSignal();
        ShutdownHook hook = ShutdownHook.install(true, stop);
        try {
            // run the hook's thread as the JVM would on SIGTERM
            Thread sigterm = hook.thread();
            sigterm.start();

            assertThat(stop.await(java.time.Duration.ofSeconds(5))).isTrue();
            sigterm.join(200);
            assertThat(sigterm.isAlive()).as("the hook waits for the command's clean-up").isTrue();

            hook.close();
            sigterm.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(sigterm.isAlive()).isFalse();
        } finally {
            hook.close();
        }
    }
}
