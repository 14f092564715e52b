package dev.teamsconnect.service.http;

import dev.teamsconnect.service.status.HealthSnapshot;
import dev.teamsconnect.service.status.SideStatus;
import dev.teamsconnect.service.status.SignInState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides liveness and readiness from a {@link HealthSnapshot}.
 *
 * <ul>
 *   <li>Live: the sync loop is running.</li>
 *   <li>Ready: live, both sides signed in, and the last successful cycle is at most {@code staleAfter} old.</li>
 * </ul>
 *
 * @param live     whether the loop runs
 * @param ready    whether the service does its job right now
 * @param problems why it is not ready, one readable line each (empty when ready)
 */
public record HealthCheck(boolean live, boolean ready, List<String> problems) {

    public HealthCheck {
        problems = List.copyOf(problems);
    }

    /**
     * The default staleness limit for a poll interval: three missed cycles, but at least one minute, so a slow
     * cycle on a large PBX does not flap readiness.
     */
    public static Duration staleAfter(Duration pollInterval) {
        Duration three = pollInterval.multipliedBy(3);
        return three.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : three;
    }

    public static HealthCheck evaluate(HealthSnapshot s, Instant now, Duration staleAfter) {
        Objects.requireNonNull(s, "snapshot");
        List<String> problems = new ArrayList<>();
        if (!s.running()) {
            problems.add("the sync loop is not running");
        }
        side("presence source", s.source(), problems);
        side("PBX sink", s.sink(), problems);
        if (s.lastSuccessfulCycle() == null) {
            problems.add("no successful cycle yet");
        } else {
            Duration age = Duration.between(s.lastSuccessfulCycle(), now);
            if (age.compareTo(staleAfter) > 0) {
                problems.add("the last successful cycle was " + age.toSeconds() + "s ago (limit " + staleAfter.toSeconds() + "s)");
            }
        }
        return new HealthCheck(s.running(), problems.isEmpty(), problems);
    }

    private static void side(String role, SideStatus side, List<String> problems) {
        if (side.state() == SignInState.NOT_YET) {
            problems.add(role + " " + side.providerId() + ": not signed in yet");
        } else if (side.state() == SignInState.FAILED) {
            problems.add(role + " " + side.providerId() + ": sign-in failed"
                    + (side.detail() == null ? "" : ": " + side.detail()));
        }
    }
}
