package dev.teamsconnect.testkit.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What reached an emulator: counts per endpoint ({@code "METHOD template"}, e.g.
 * {@code "GET /rest/users/{id}/phoneconfig"}) and per concrete path (without the query), and the requests no
 * endpoint answered. Counters only, so a long benchmark run stays small. Thread-safe.
 */
public final class RequestLog {

    private final ConcurrentMap<String, AtomicInteger> byEndpoint = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> byPath = new ConcurrentHashMap<>();
    private final List<String> unhandled = new ArrayList<>();

    /** Records one request, whatever its answer will be. */
    public void record(RouteTable.Match<?> match) {
        byEndpoint.computeIfAbsent(match.endpoint(), k -> new AtomicInteger()).incrementAndGet();
        byPath.computeIfAbsent(match.path(), k -> new AtomicInteger()).incrementAndGet();
    }

    /** Records a request that no endpoint answers ({@code "METHOD path"}). */
    public void unhandled(String method, String path) {
        synchronized (unhandled) {
            unhandled.add(method + " " + path);
        }
    }

    /** Requests to an endpoint, e.g. {@code "PUT /rest/users/{id}/phoneconfig"}. */
    public int count(String endpoint) {
        AtomicInteger n = byEndpoint.get(endpoint);
        return n == null ? 0 : n.get();
    }

    /** Requests to a concrete path (without the query), any method. */
    public int countByPath(String path) {
        AtomicInteger n = byPath.get(path);
        return n == null ? 0 : n.get();
    }

    /** Counts by endpoint, a snapshot. */
    public Map<String, Integer> counts() {
        return snapshot(byEndpoint);
    }

    /** Counts by concrete path, a snapshot. */
    public Map<String, Integer> countsByPath() {
        return snapshot(byPath);
    }

    /** Requests no endpoint answered, in order ({@code "METHOD path"}). */
    public List<String> unhandledRequests() {
        synchronized (unhandled) {
            return List.copyOf(unhandled);
        }
    }

    private static Map<String, Integer> snapshot(Map<String, AtomicInteger> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
