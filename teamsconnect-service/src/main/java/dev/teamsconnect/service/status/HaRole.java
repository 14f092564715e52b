package dev.teamsconnect.service.status;

/** The role of an instance with {@code ha.mode: active-passive}. Shown by {@link #code()}. */
public enum HaRole {
    /** Holds the leader lock and syncs. */
    LEADER("leader"),
    /** Waits for the leader lock; writes nothing. */
    STANDBY("standby");

    private final String code;

    HaRole(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
