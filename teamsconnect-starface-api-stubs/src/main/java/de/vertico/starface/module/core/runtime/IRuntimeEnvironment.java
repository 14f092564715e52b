package de.vertico.starface.module.core.runtime;

/**
 * Compile-only stub. What a function block gets when it runs. Source: starface-api.md ("components via
 * {@code context.provider().fetch(X.class)}"), after {@code 1qubit-org/starface-modules} ModuleReloader.java. The
 * name of the provider's type is not in the source; {@link IComponentProvider} is a placeholder name.
 */
public interface IRuntimeEnvironment {

    IComponentProvider provider();
}
