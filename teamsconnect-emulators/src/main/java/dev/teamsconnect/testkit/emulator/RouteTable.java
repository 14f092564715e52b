package dev.teamsconnect.testkit.emulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An emulator's endpoints: method and path template ({@code "/rest/users/{id}/phoneconfig"}) to a handler. A
 * {@code {name}} segment matches exactly one non-empty path segment (as given to {@link #match}); a literal segment beats a
 * parameter where both match ({@code /rest/users/me} before {@code /rest/users/{id}}). The handler type is the
 * emulator's own, so each keeps its way of answering.
 *
 * <p>Filled once while the emulator is built, then only read: safe for concurrent {@link #match} calls after that.
 *
 * @param <H> the emulator's handler type
 */
public final class RouteTable<H> {

    private final List<Route<H>> routes = new ArrayList<>();

    /** Adds an endpoint. A method and template may be added once. */
    public RouteTable<H> add(String method, String template, H handler) {
        Objects.requireNonNull(handler, "handler");
        Route<H> route = new Route<>(method.toUpperCase(Locale.ROOT), template, segments(template), handler);
        for (Route<H> r : routes) {
            if (r.method.equals(route.method) && r.template.equals(template)) {
                throw new IllegalArgumentException("endpoint " + route.method + " " + template + " is already defined");
            }
        }
        routes.add(route);
        return this;
    }

    /**
     * The endpoint for a request. {@link Match#found()} says whether a handler answers it; otherwise
     * {@link Match#pathKnown()} tells a wrong method (405) from an unknown path (404).
     */
    public Match<H> match(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        String[] seg = segments(path);
        Route<H> best = null;
        Route<H> bestForPath = null;
        for (Route<H> r : routes) {
            if (!r.matches(seg)) {
                continue;
            }
            if (bestForPath == null || r.moreSpecificThan(bestForPath)) {
                bestForPath = r;
            }
            if (r.method.equals(m) && (best == null || r.moreSpecificThan(best))) {
                best = r;
            }
        }
        if (best == null) {
            return new Match<>(m, path, bestForPath == null ? path : bestForPath.template, null, Map.of(),
                    bestForPath != null);
        }
        return new Match<>(m, path, best.template, best.handler, best.params(seg), true);
    }

    /**
     * The result of {@link RouteTable#match}.
     *
     * @param method    the request's method, upper case
     * @param path      the request's raw path
     * @param template  the matched template, or for an unknown path the path itself (the key of request counts)
     * @param handler   the handler, {@code null} if none answers this method and path
     * @param params    template parameters by name, as given to {@link RouteTable#match}
     * @param pathKnown whether some endpoint has this path (with another method, if {@code handler} is null)
     */
    public record Match<H>(String method, String path, String template, H handler, Map<String, String> params,
                           boolean pathKnown) {

        /** Whether a handler answers the request. */
        public boolean found() {
            return handler != null;
        }

        /** {@code "METHOD template"}, e.g. {@code "PUT /rest/users/{id}/phoneconfig"}. */
        public String endpoint() {
            return method + " " + template;
        }

        /** A template parameter, as given to {@link RouteTable#match}. */
        public String param(String name) {
            String v = params.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no parameter {" + name + "} in " + template);
            }
            return v;
        }

        /**
         * Whether a key of a fault hook names this request. A key is a path or template alone
         * ({@code "/v1.0/users"}, {@code "/rest/users/{id}"}: any method), or a method and a path or template
         * ({@code "PUT /rest/users/3/phoneconfig"}, {@code "PUT /rest/users/{id}/phoneconfig"}); see
         * {@link #checkKey}.
         */
        public boolean isNamedBy(String key) {
            if (key.startsWith("/")) {
                return key.equals(path) || key.equals(template);
            }
            int space = key.indexOf(' ');
            String rest = key.substring(space + 1);
            return key.substring(0, space).equals(method) && (rest.equals(path) || rest.equals(template));
        }

        /** A template parameter, if the route has it. */
        public Optional<String> optionalParam(String name) {
            return Optional.ofNullable(params.get(name));
        }
    }

    /**
     * A key for {@link Match#isNamedBy}, normalized (trimmed, the method in upper case), or an
     * {@link IllegalArgumentException} that names {@code hook} and says what a key looks like.
     */
    public static String checkKey(String key, String hook) {
        String k = key == null ? "" : key.trim();
        if (k.startsWith("/")) {
            return k;
        }
        String[] parts = k.split("\\s+", 2);
        if (parts.length != 2 || !parts[1].startsWith("/")) {
            throw new IllegalArgumentException(hook + " needs a path (\"/rest/users\") or a method and a path or template"
                    + " (\"PUT /rest/users/{id}/phoneconfig\"), but was \"" + key + "\"");
        }
        return parts[0].toUpperCase(Locale.ROOT) + " " + parts[1];
    }

    private static String[] segments(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("a path starts with '/', but was \"" + path + "\"");
        }
        return path.substring(1).split("/", -1);
    }

    private record Route<H>(String method, String template, String[] segments, H handler) {

        boolean matches(String[] path) {
            if (path.length != segments.length) {
                return false;
            }
            for (int i = 0; i < path.length; i++) {
                if (isParam(segments[i]) ? path[i].isEmpty() : !segments[i].equals(path[i])) {
                    return false;
                }
            }
            return true;
        }

        // both match the same path, so they have the same length: the first literal against a parameter decides
        boolean moreSpecificThan(Route<H> other) {
            for (int i = 0; i < segments.length; i++) {
                boolean mine = isParam(segments[i]);
                boolean theirs = isParam(other.segments[i]);
                if (mine != theirs) {
                    return !mine;
                }
            }
            return false;
        }

        Map<String, String> params(String[] path) {
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i < segments.length; i++) {
                if (isParam(segments[i])) {
                    out.put(segments[i].substring(1, segments[i].length() - 1), path[i]);
                }
            }
            return Map.copyOf(out);
        }

        private static boolean isParam(String segment) {
            return segment.length() > 2 && segment.charAt(0) == '{' && segment.charAt(segment.length() - 1) == '}';
        }
    }
}
