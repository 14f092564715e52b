package dev.teamsconnect.core.decorate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.teamsconnect.core.model.PbxState;
import dev.teamsconnect.core.spi.BatchResult;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The check behind the forwarding classes' tests: every method of the SPI interface, the {@code default} ones and
 * {@code close()} included, is declared by the forwarding class and hands the same arguments to the delegate and its
 * answer back. A method added to the interface later fails here until the forwarding class forwards it.
 */
final class ForwardingContract {

    private ForwardingContract() {
    }

    /** The interface's instance methods: declared, inherited ({@code close} from AutoCloseable) and default. */
    static List<Method> spiMethods(Class<?> spi) {
        return Arrays.stream(spi.getMethods()).filter(m -> !Modifier.isStatic(m.getModifiers())).toList();
    }

    static void assertDeclaresEveryMethod(Class<?> spi, Class<?> forwarding) {
        List<String> missing = new ArrayList<>();
        for (Method m : spiMethods(spi)) {
            try {
                Method own = forwarding.getDeclaredMethod(m.getName(), m.getParameterTypes());
                if (Modifier.isAbstract(own.getModifiers())) {
                    missing.add(m.getName() + " (abstract)");
                }
            } catch (NoSuchMethodException e) {
                missing.add(m.toGenericString());
            }
        }
        assertThat(missing).as("methods of %s that %s does not forward", spi.getSimpleName(), forwarding.getSimpleName())
                .isEmpty();
    }

    /** Calls every method on {@code wrap(delegate)} and checks that the delegate got the call, its arguments and its answer back. */
    static <T> void assertForwardsEveryCall(Class<T> spi, Function<T, ? extends T> wrap) throws Exception {
        List<String> calls = new ArrayList<>();
        List<Object[]> arguments = new ArrayList<>();
        T delegate = spi.cast(Proxy.newProxyInstance(spi.getClassLoader(), new Class<?>[] {spi}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "delegate";
                };
            }
            calls.add(method.getName());
            arguments.add(args == null ? new Object[0] : args);
            return answer(method.getReturnType());
        }));
        T forwarding = wrap.apply(delegate);
        for (Method m : spiMethods(spi)) {
            calls.clear();
            arguments.clear();
            Object[] args = Arrays.stream(m.getParameterTypes()).map(ForwardingContract::argument).toArray();
            Object result;
            try {
                result = m.invoke(forwarding, args);
            } catch (InvocationTargetException e) {
                throw new AssertionError(m.getName() + " threw", e.getCause());
            }
            assertThat(calls).as("delegate calls of %s", m.getName()).containsExactly(m.getName());
            assertThat(arguments.get(0)).as("arguments of %s", m.getName()).containsExactly(args);
            if (m.getReturnType() != void.class) {
                assertThat(result).as("answer of %s", m.getName()).isEqualTo(answer(m.getReturnType()));
            }
        }
    }

    /** A distinct, recognisable answer per return type. */
    private static Object answer(Class<?> type) {
        if (type == void.class) {
            return null;
        }
        if (type == int.class) {
            return 7;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == long.class) {
            return 7L;
        }
        if (type == String.class) {
            return "answer";
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(7);
        }
        if (type == Optional.class) {
            return Optional.of("answer");
        }
        if (type == List.class) {
            return List.of("answer");
        }
        if (type == Set.class) {
            return Set.of("answer");
        }
        if (type == Map.class) {
            return Map.of("answer", "answer");
        }
        if (type == BatchResult.class) {
            return BatchResult.of(Map.of("answer", PbxState.dnd(true)));
        }
        if (type == PbxState.class) {
            return PbxState.dnd(true);
        }
        return fail("no test answer for the return type %s: add one", type.getName());
    }

    /** A distinct argument per parameter type (the forwarding class must pass it on as it is). */
    private static Object argument(Class<?> type) {
        if (type == int.class) {
            return 3;
        }
        if (type == long.class) {
            return 3L;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == String.class) {
            return "argument";
        }
        if (type == Optional.class) {
            return Optional.of("argument");
        }
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
                if (m.getName().equals("equals")) {
                    return p == a[0];
                }
                if (m.getName().equals("hashCode")) {
                    return System.identityHashCode(p);
                }
                return m.getName().equals("toString") ? "argument " + type.getSimpleName() : null;
            });
        }
        return null; // records and classes (PbxUser, PbxChange): null is passed on as it is
    }
}
