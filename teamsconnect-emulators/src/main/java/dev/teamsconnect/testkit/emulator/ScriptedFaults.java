package dev.teamsconnect.testkit.emulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Faults a test scripted for the next requests, each under a key (see {@link RouteTable#checkKey}): a path or
 * template alone for any method, or a method with a path or template. A request takes the oldest fault whose key
 * names it, so faults for one key are answered in the order they were scripted. The fault type is the emulator's
 * own (a status, a raw body, a dropped connection, ...). Thread-safe.
 *
 * @param <F> the emulator's fault type
 */
public final class ScriptedFaults<F> {

    private final List<Scripted<F>> scripted = new ArrayList<>();

    private static final class Scripted<F> {
        final String key;
        final F fault;
        int remaining;

        Scripted(String key, F fault, int remaining) {
            this.key = key;
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    /**
     * Scripts {@code fault} for the next {@code count} requests that {@code key} names; {@code hook} names the test
     * hook in the message if the key or count is wrong.
     */
    public void add(String key, int count, F fault, String hook) {
        String k = RouteTable.checkKey(key, hook);
        if (count < 1) {
            throw new IllegalArgumentException(hook + " needs count >= 1, but was " + count);
        }
        synchronized (scripted) {
            scripted.add(new Scripted<>(k, fault, count));
        }
    }

    /** The oldest fault scripted for this request, used up by taking it; empty if there is none. */
    public Optional<F> take(RouteTable.Match<?> request) {
        synchronized (scripted) {
            for (Iterator<Scripted<F>> it = scripted.iterator(); it.hasNext(); ) {
                Scripted<F> s = it.next();
                if (request.isNamedBy(s.key)) {
                    if (--s.remaining == 0) {
                        it.remove();
                    }
                    return Optional.of(s.fault);
                }
            }
            return Optional.empty();
        }
    }

    /** Forgets every fault not used up yet. */
    public void clear() {
        synchronized (scripted) {
            scripted.clear();
        }
    }
}
