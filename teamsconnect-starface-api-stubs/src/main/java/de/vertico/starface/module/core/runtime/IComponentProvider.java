package de.vertico.starface.module.core.runtime;

/**
 * Compile-only stub. Hands out the PBX's components ({@code context.provider().fetch(X.class)}, starface-api.md).
 * The type's real name and package are not in the public sources: a build against a PBX's jars says what to rename.
 */
public interface IComponentProvider {

    <T> T fetch(Class<T> type);
}
