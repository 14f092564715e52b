package de.vertico.starface.module.core.runtime;

/**
 * Compile-only stub. A STARFACE function block: a class annotated {@code @Function} with an
 * {@code execute(IRuntimeEnvironment)} method. Source: shared/reference/starface-api.md, "Inside the PBX", after the
 * public working code {@code 1qubit-org/starface-modules}, {@code src/module-reloader/src/ModuleReloader.java}. The
 * {@code throws Exception} clause is a guess (the source's method declares one; whether the interface does is not
 * visible there).
 */
public interface IBaseExecutable {

    void execute(IRuntimeEnvironment context) throws Exception;
}
