/**
 * Compile-only stubs of the PBX's user state, events and event service. The class names are those of the public
 * sources (starface-api.md, "Inside the PBX": {@code Fabian95qw/SF-Modulefunctions} ChangeUserPresence.java,
 * GetUserPresence.java, SetUserTelephonyState.java; SFWiki {@code Tutorial-für-Entwickler/dev_eventsubscriber.md});
 * their <b>package</b> is not, so this one is a placeholder: a build against a PBX's jars
 * ({@code -Dstarface.lib=DIR}) names each import to correct.
 */
package de.vertico.starface.module.core.model;
