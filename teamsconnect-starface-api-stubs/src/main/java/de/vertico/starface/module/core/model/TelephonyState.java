package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. The telephony states the public sources list (SFWiki dev_eventsubscriber.md: ACTIVE, AVAILABLE,
 * QUEUE_PAUSE, RINGING, UNAVAILABLE); a real PBX may have more.
 */
public enum TelephonyState {
    ACTIVE, AVAILABLE, QUEUE_PAUSE, RINGING, UNAVAILABLE
}
