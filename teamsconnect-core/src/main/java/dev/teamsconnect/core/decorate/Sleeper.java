package dev.teamsconnect.core.decorate;

import java.time.Duration;

/** Waits between retries. Injected so that tests need no real waits. */
@FunctionalInterface
public interface Sleeper {

    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
