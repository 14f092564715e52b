package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. Heard when a user's DND setting changes; STARFACE's own spelling (SFWiki
 * dev_eventsubscriber.md). The getters' names are assumed.
 */
public class DoNotDistrubSettingChangedEvent {

    public int getAccountId() {
        throw new UnsupportedOperationException("compile-only stub");
    }

    public boolean isDoNotDisturb() {
        throw new UnsupportedOperationException("compile-only stub");
    }
}
