package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. Published to light BLF keys ({@code new TelephonyStateChangedEvent(accountId, state)},
 * SF-Modulefunctions SetUserTelephonyState.java), and heard when a user's telephony state changes (SFWiki
 * dev_eventsubscriber.md). The getters' names are assumed.
 */
public class TelephonyStateChangedEvent {

    public TelephonyStateChangedEvent(int accountId, TelephonyState state) {
        throw new UnsupportedOperationException("compile-only stub");
    }

    public int getAccountId() {
        throw new UnsupportedOperationException("compile-only stub");
    }

    public TelephonyState getTelephonyState() {
        throw new UnsupportedOperationException("compile-only stub");
    }
}
