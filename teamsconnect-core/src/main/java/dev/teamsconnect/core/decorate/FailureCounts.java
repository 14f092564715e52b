package dev.teamsconnect.core.decorate;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Failure counters by kind (e.g. {@code sink.applyAll}); thread-safe. */
public final class FailureCounts {

    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    public void increment(String kind) {
        add(kind, 1);
    }

    public void add(String kind, long n) {
        if (n > 0) {
            counts.computeIfAbsent(kind, k -> new LongAdder()).add(n);
        }
    }

    public long get(String kind) {
        LongAdder a = counts.get(kind);
        return a == null ? 0 : a.sum();
    }

    /** A sorted copy. */
    public Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
