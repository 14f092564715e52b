package dev.teamsconnect.core.engine;

import dev.teamsconnect.core.decorate.RetryPolicy;
import dev.teamsconnect.core.error.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * The engine's settings; immutable and valid once built. Build with {@link #builder()}; {@link Builder#build()}
 * checks every field and names it in the message, e.g. {@code pollInterval: must be > 0, but was PT0S}.
 *
 * @param pollInterval        time between cycles when the engine schedules itself (default 10 s)
 * @param userRefreshInterval how often users are listed again on both sides and re-matched (default 1 h)
 * @param gracePeriod         keep the desired DND this long after presence stops wanting it (default 0 = off)
 * @param debounce            a new presence category must last this long before it counts (default 0 = off)
 * @param manualDndMode       what a hand-made DND change during a hold means (default {@link ManualDndMode#RESPECT})
 * @param releaseOnShutdown   whether {@code close()} gives every held user their own DND back (default true)
 * @param failOpenAfter       release a user's hold when their presence could not be read for longer than this;
 *                            re-applied when presence returns (default 10 min; {@link Duration#ZERO} = never)
 * @param dryRun              log and audit the writes, write nothing to the PBX or the state store (default false)
 * @param retry               retries of failed plugin calls within one cycle, on top of the plugin's own (default
 *                            {@link RetryPolicy#none()}: the adapters retry themselves, knowing their protocol's
 *                            {@code Retry-After} and idempotency, and the engine's next cycle is the retry of the rest;
 *                            so attempts never multiply and one plugin call is bounded by the plugin's own budget).
 *                            Give a policy here for a plugin that does not retry at all
 * @param cycleTimeout        the deadline of one cycle (default 2 min): a cycle still running then ends as failed
 *                            at its next safe point, and the users it did not reach are taken up by the next cycle.
 *                            No plugin call is waited for longer than its own deadline, so the engine makes progress
 *                            at least this often while it runs.
 * @param shutdownTimeout     how long {@code close()} may spend giving held users their own DND back (default 40 s);
 *                            holds not released by then stay in the store for the next start (or the service's
 *                            {@code release} command). With {@code pbxToTeams}, clearing the Teams sessions gets what
 *                            is left of it, at least 5 s; sessions not cleared end by themselves at their expiry
 * @param pbxToTeams          the PBX-to-Teams direction (default {@link PbxToTeams#OFF})
 *
 * <p>How often a settled user's PBX state is read again is the sink's read budget,
 * {@link dev.teamsconnect.core.spi.PbxSink#recheckInterval()}, not an engine setting.
 */
public record EngineConfig(Duration pollInterval, Duration userRefreshInterval, Duration gracePeriod,
                           Duration debounce, ManualDndMode manualDndMode, boolean releaseOnShutdown,
                           Duration failOpenAfter, boolean dryRun, RetryPolicy retry, Duration cycleTimeout,
                           Duration shutdownTimeout, PbxToTeams pbxToTeams) {

    /** Default of {@link #cycleTimeout()}. */
    public static final Duration DEFAULT_CYCLE_TIMEOUT = Duration.ofMinutes(2);
    /** Default of {@link #shutdownTimeout()}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(40);

    /** Use {@link #builder()}; the canonical constructor validates too. */
    public EngineConfig {
        requireValid(pollInterval, userRefreshInterval, gracePeriod, debounce, manualDndMode, failOpenAfter, retry);
        positive("cycleTimeout", cycleTimeout);
        positive("shutdownTimeout", shutdownTimeout);
        if (pbxToTeams == null) {
            throw new ConfigException("pbxToTeams", "must not be null (use PbxToTeams.OFF)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A config with every default. */
    public static EngineConfig defaults() {
        return builder().build();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder().pollInterval(pollInterval).userRefreshInterval(userRefreshInterval)
                .gracePeriod(gracePeriod).debounce(debounce).manualDndMode(manualDndMode)
                .releaseOnShutdown(releaseOnShutdown).failOpenAfter(failOpenAfter).dryRun(dryRun).retry(retry)
                .cycleTimeout(cycleTimeout).shutdownTimeout(shutdownTimeout).pbxToTeams(pbxToTeams);
    }

    /** Checks the config again; the engine calls it in its constructor. */
    public EngineConfig requireValid() {
        requireValid(pollInterval, userRefreshInterval, gracePeriod, debounce, manualDndMode, failOpenAfter, retry);
        positive("cycleTimeout", cycleTimeout);
        positive("shutdownTimeout", shutdownTimeout);
        return this;
    }

    private static void requireValid(Duration pollInterval, Duration userRefreshInterval, Duration gracePeriod,
                                     Duration debounce, ManualDndMode manualDndMode, Duration failOpenAfter,
                                     RetryPolicy retry) {
        positive("pollInterval", pollInterval);
        positive("userRefreshInterval", userRefreshInterval);
        notNegative("gracePeriod", gracePeriod);
        notNegative("debounce", debounce);
        notNegative("failOpenAfter", failOpenAfter);
        if (manualDndMode == null) {
            throw new ConfigException("manualDndMode", "must be RESPECT or TEAMS_LEADS, but was null");
        }
        if (retry == null) {
            throw new ConfigException("retry", "must not be null (use RetryPolicy.none() for no retries)");
        }
        if (userRefreshInterval.compareTo(pollInterval) < 0) {
            throw new ConfigException("userRefreshInterval", "must be >= pollInterval (" + pollInterval + "), but was "
                    + userRefreshInterval);
        }
    }

    private static void positive(String field, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new ConfigException(field, "must be > 0, but was " + d);
        }
    }

    private static void notNegative(String field, Duration d) {
        if (d == null || d.isNegative()) {
            throw new ConfigException(field, "must be >= 0, but was " + d);
        }
    }

    /** Collects settings; {@link #build()} validates them. Not thread-safe. */
    public static final class Builder {
        private Duration pollInterval = Duration.ofSeconds(10);
        private Duration userRefreshInterval = Duration.ofHours(1);
        private Duration gracePeriod = Duration.ZERO;
        private Duration debounce = Duration.ZERO;
        private ManualDndMode manualDndMode = ManualDndMode.RESPECT;
        private boolean releaseOnShutdown = true;
        private Duration failOpenAfter = Duration.ofMinutes(10);
        private boolean dryRun;
        private RetryPolicy retry = RetryPolicy.none();
        private Duration cycleTimeout = DEFAULT_CYCLE_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private PbxToTeams pbxToTeams = PbxToTeams.OFF;

        private Builder() {
        }

        public Builder pollInterval(Duration value) {
            this.pollInterval = value;
            return this;
        }

        public Builder userRefreshInterval(Duration value) {
            this.userRefreshInterval = value;
            return this;
        }

        public Builder gracePeriod(Duration value) {
            this.gracePeriod = value;
            return this;
        }

        public Builder debounce(Duration value) {
            this.debounce = value;
            return this;
        }

        public Builder manualDndMode(ManualDndMode value) {
            this.manualDndMode = value;
            return this;
        }

        public Builder releaseOnShutdown(boolean value) {
            this.releaseOnShutdown = value;
            return this;
        }

        public Builder failOpenAfter(Duration value) {
            this.failOpenAfter = value;
            return this;
        }

        public Builder dryRun(boolean value) {
            this.dryRun = value;
            return this;
        }

        public Builder retry(RetryPolicy value) {
            this.retry = value;
            return this;
        }

        /** See {@link EngineConfig#cycleTimeout()}; default 2 minutes. */
        public Builder cycleTimeout(Duration value) {
            this.cycleTimeout = value;
            return this;
        }

        /** See {@link EngineConfig#shutdownTimeout()}; default 40 seconds. */
        public Builder shutdownTimeout(Duration value) {
            this.shutdownTimeout = value;
            return this;
        }

        /** See {@link EngineConfig#pbxToTeams()}; default {@link PbxToTeams#OFF}. */
        public Builder pbxToTeams(PbxToTeams value) {
            this.pbxToTeams = value;
            return this;
        }

        /** @throws ConfigException naming the first invalid field and its value */
        public EngineConfig build() {
            return new EngineConfig(pollInterval, userRefreshInterval, gracePeriod, debounce, manualDndMode,
                    releaseOnShutdown, failOpenAfter, dryRun, retry, cycleTimeout, shutdownTimeout, pbxToTeams);
        }
    }

    @Override
    public String toString() {
        return "EngineConfig[pollInterval=" + pollInterval + ", userRefreshInterval=" + userRefreshInterval
                + ", gracePeriod=" + gracePeriod + ", debounce=" + debounce + ", manualDndMode=" + manualDndMode
                + ", releaseOnShutdown=" + releaseOnShutdown + ", failOpenAfter=" + failOpenAfter + ", dryRun=" + dryRun
                + ", retry=" + Objects.toString(retry) + ", cycleTimeout=" + cycleTimeout
                + ", shutdownTimeout=" + shutdownTimeout + ", pbxToTeams=" + pbxToTeams + "]";
    }
}
