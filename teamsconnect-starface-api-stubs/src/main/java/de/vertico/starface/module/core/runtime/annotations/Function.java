package de.vertico.starface.module.core.runtime.annotations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Compile-only stub. Marks a function block (starface-api.md, after {@code 1qubit-org/starface-modules}
 * ModuleReloader.java). Its elements, if any, are not in the source; none are declared.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Function {
}
