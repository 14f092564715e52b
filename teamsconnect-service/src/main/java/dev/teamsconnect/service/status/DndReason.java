package dev.teamsconnect.service.status;

/**
 * Why a user's PBX DND is what /status and the page show: every DND has one. Serialised by {@link #code()}.
 */
public enum DndReason {
    /** TeamsConnect set it (a hold of kind held) and gives the user's own setting back afterwards. */
    TEAMSCONNECT("teamsconnect"),
    /** The user changed DND by hand during a Teams episode (a hold of kind manual): kept until the episode ends. */
    MANUAL("manual"),
    /** The user's own setting: TeamsConnect has not changed it. */
    OWN("own"),
    /**
     * Not read yet: the engine reads a user's PBX state only when Teams asks for DND or it holds the user, so for
     * most available users the PBX DND is simply not known to the service.
     */
    NOT_READ_YET("not-read-yet");

    private final String code;

    DndReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
