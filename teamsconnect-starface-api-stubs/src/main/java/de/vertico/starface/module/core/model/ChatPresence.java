package de.vertico.starface.module.core.model;

/**
 * Compile-only stub. A user's chat presence ({@code setChatPresence(ChatPresence.X)} in the sources). The constants
 * are not in any public source, so none are declared: the bridge uses {@code valueOf} and {@code name()} only.
 */
public enum ChatPresence {
}
