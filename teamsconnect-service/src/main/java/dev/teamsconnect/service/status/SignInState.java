package dev.teamsconnect.service.status;

/** Whether one side (presence source or PBX sink) is signed in. */
public enum SignInState {
    /** Not tried yet (start-up). */
    NOT_YET,
    /** The last sign-in or call succeeded. */
    SIGNED_IN,
    /** The last sign-in failed; the detail says why. */
    FAILED
}
