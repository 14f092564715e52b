package dev.teamsconnect.service.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code ha} section: whether two instances share one state database, one leading and one waiting.
 *
 * @param mode          {@link Mode#OFF} (default): one instance; {@link Mode#ACTIVE_PASSIVE}: the instance holding the
 *                      leader lock syncs, the others wait (needs {@code state.type: postgres})
 * @param takeoverAfter a standby takes over at most this long after the leader is gone (default 15 s, at least 5 s)
 */
public record HaConfig(Mode mode, Duration takeoverAfter) {

    public static final Duration DEFAULT_TAKEOVER_AFTER = Duration.ofSeconds(15);
    public static final Duration MIN_TAKEOVER_AFTER = Duration.ofSeconds(5);

    /** Persisted in config files by {@link #code()}. */
    public enum Mode {
        OFF("off"),
        ACTIVE_PASSIVE("active-passive");

        private final String code;

        Mode(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public static HaConfig off() {
        return new HaConfig(Mode.OFF, DEFAULT_TAKEOVER_AFTER);
    }

    public HaConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(takeoverAfter, "takeoverAfter");
    }

    public boolean enabled() {
        return mode == Mode.ACTIVE_PASSIVE;
    }
}
