package de.vertico.starface.module.core.runtime.annotations;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Compile-only stub. Marks a field of a function block as its output variable (starface-api.md, after
 * {@code 1qubit-org/starface-modules} ModuleReloader.java). Its elements (label, description, type in the sources'
 * examples) are not fully visible there; only an optional {@code label} is declared.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface OutputVar {

    String label() default "";
}
