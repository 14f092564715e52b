package dev.teamsconnect.service.config;

import java.util.Objects;

/**
 * A configured secret (password, client secret). {@link #toString()} never shows the value, so a secret inside a
 * record or a log line stays hidden; only {@link #reveal()} gives it out, for the one place that sends it.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The secret value itself. Call it only where the secret is sent to the system it belongs to. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "(hidden)";
    }
}
