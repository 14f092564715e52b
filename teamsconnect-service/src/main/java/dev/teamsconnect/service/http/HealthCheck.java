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
 *   <li>Live: the sync loop is running and has made progress (a batch, phase or cycle completed, or a decision, see
 *       {@link dev.teamsconnect.service.status.StatusBoard#progress}) within {@code stallAfter}. A loop stuck
 *       inside one cycle is not live, so a supervisor restarts it.</li>
 *   <li>Ready: live, both sides signed in, and the last successful cycle is at most {@code staleAfter} old.</li>
 * </ul>
 *
 * @param live        whether the loop runs and gets on
 * @param ready       whether the service does its job right now
 * @param problems    why it is not ready, one readable line each (empty when ready); the liveness problem first
 * @param notLiveBecause why it is not live, or {@code null} when live
 */
public record HealthCheck(boolean live, boolean ready, List<String> problems, String notLiveBecause) {

    /** How long the loop may go without progress while live, unless told otherwise. */
    public static final Duration DEFAULT_STALL_AFTER = Duration.ofMinutes(2);

    public HealthCheck {
        problems = List.copyOf(problems);
        if (live != (notLiveBecause == null)) {
            throw new IllegalArgumentException("notLiveBecause must be given exactly when not live, but live was " + live
                    + " and notLiveBecause " + notLiveBecause);
        }
    }

    /**
     * The default staleness limit for a poll interval: three missed cycles, but at least one minute, so a slow
     * cycle on a large PBX does not flap readiness.
     */
    public static Duration staleAfter(Duration pollInterval) {
        Duration three = pollInterval.multipliedBy(3);
        return three.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : three;
    }

    /** {@link #evaluate(HealthSnapshot, Instant, Duration, Duration)} with {@link #DEFAULT_STALL_AFTER}. */
    public static HealthCheck evaluate(HealthSnapshot s, Instant now, Duration staleAfter) {
        return evaluate(s, now, staleAfter, DEFAULT_STALL_AFTER);
    }

    /**
     * @param staleAfter how old the last successful cycle may be while ready
     * @param stallAfter how long the running loop may go without progress while live (the cycle deadline)
     */
    public static HealthCheck evaluate(HealthSnapshot s, Instant now, Duration staleAfter, Duration stallAfter) {
        Objects.requireNonNull(s, "snapshot");
        Objects.requireNonNull(now, "now");
        requirePositive("staleAfter", staleAfter);
        requirePositive("stallAfter", stallAfter);
        List<String> problems = new ArrayList<>();
        String notLive = null;
        if (!s.running()) {
            notLive = "the sync loop is not running";
        } else {
            Instant progress = s.lastSignOfProgress();
            if (progress != null) {
                Duration quiet = Duration.between(progress, now);
                if (quiet.compareTo(stallAfter) > 0) {
                    notLive = "the sync loop has made no progress for " + quiet.toSeconds() + "s (limit "
                            + stallAfter.toSeconds() + "s): it is stuck";
                }
            }
        }
        if (notLive != null) {
            problems.add(notLive);
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
        return new HealthCheck(notLive == null, problems.isEmpty(), problems, notLive);
    }

    /**
     * A standby (ha.mode active-passive, not leading): live while its wait loop runs and gets on (it notes progress at
     * every try of the leader lock), ready ("ready-standby") when it can reach the database and so can take over.
     * Sign-in and cycles do not count: a standby has neither.
     *
     * @param problem why it could not take over right now, or null
     */
    public static HealthCheck evaluateStandby(HealthSnapshot s, String problem, Instant now, Duration stallAfter) {
        Objects.requireNonNull(s, "snapshot");
        List<String> problems = new ArrayList<>();
        String notLive = null;
        if (!s.running()) {
            notLive = "the standby loop is not running";
        } else if (s.lastSignOfProgress() != null
                && Duration.between(s.lastSignOfProgress(), now).compareTo(stallAfter) > 0) {
            notLive = "the standby loop has not tried the leader lock for "
                    + Duration.between(s.lastSignOfProgress(), now).toSeconds() + "s: it is stuck";
        }
        if (notLive != null) {
            problems.add(notLive);
        }
        if (problem != null) {
            problems.add("standby: " + problem);
        }
        return new HealthCheck(notLive == null, problems.isEmpty(), problems, notLive);
    }

    static Duration requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, but was " + d);
        }
        return d;
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
