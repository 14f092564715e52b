package dev.teamsconnect.service.http;

import dev.teamsconnect.core.model.PresenceCategory;
import dev.teamsconnect.service.status.DndReason;
import dev.teamsconnect.service.status.UserStatus;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The filters and the page of a {@code /status} request, from its query string. Every parameter is either
 * understood or refused with a message naming it: a filter is never silently ignored.
 *
 * <pre>
 * user=TEXT          name, e-mail, PBX login or id contains TEXT (case-insensitive)
 * held=true|false    the state file holds the user (kind held or manual) or not
 * hold=held|manual|none
 * dnd=on|off|not-read-yet
 * category=IN_A_CALL|BUSY|DO_NOT_DISTURB|AWAY|OFFLINE|AVAILABLE|UNKNOWN|none
 * problem=true|false the last decision for the user failed or skipped them
 * offset=N           skip the first N matching users (default 0)
 * limit=N            at most N users (1..1000; default: all)
 * </pre>
 */
final class StatusQuery {

    static final int MAX_LIMIT = 1000;
    static final int MAX_QUERY_LENGTH = 2000;
    private static final Set<String> KNOWN = Set.of("user", "held", "hold", "dnd", "category", "problem", "offset",
            "limit");

    final Predicate<UserStatus> filter;
    final int offset;
    final int limit;
    final boolean paged;

    private StatusQuery(Predicate<UserStatus> filter, int offset, int limit, boolean paged) {
        this.filter = filter;
        this.offset = offset;
        this.limit = limit;
        this.paged = paged;
    }

    /**
     * @param rawQuery the URI's raw query, or {@code null}
     * @throws IllegalArgumentException naming the parameter that is unknown or has a wrong value
     */
    static StatusQuery parse(String rawQuery) {
        Map<String, String> params = params(rawQuery);
        List<Predicate<UserStatus>> all = new ArrayList<>();
        String user = params.get("user");
        if (user != null && !user.isBlank()) {
            String needle = user.strip().toLowerCase(Locale.ROOT);
            all.add(u -> contains(u.displayName(), needle) || contains(u.teamsUser(), needle)
                    || contains(u.pbxLogin(), needle) || contains(u.pbxUserId(), needle));
        }
        if (params.containsKey("held")) {
            boolean held = bool(params, "held");
            all.add(u -> u.held() == held);
        }
        if (params.containsKey("problem")) {
            boolean problem = bool(params, "problem");
            all.add(u -> (u.problem() != null) == problem);
        }
        String hold = params.get("hold");
        if (hold != null) {
            switch (hold) {
                case "held", "manual" -> all.add(u -> hold.equals(u.holdKind()));
                case "none" -> all.add(u -> !u.held());
                default -> throw new IllegalArgumentException("hold must be held, manual or none, but was \"" + hold + "\"");
            }
        }
        String dnd = params.get("dnd");
        if (dnd != null) {
            if (dnd.equals("on")) {
                all.add(u -> Boolean.TRUE.equals(u.pbxDnd()));
            } else if (dnd.equals("off")) {
                all.add(u -> Boolean.FALSE.equals(u.pbxDnd()));
            } else if (dnd.equals(DndReason.NOT_READ_YET.code())) {
                all.add(u -> u.pbxDnd() == null);
            } else {
                throw new IllegalArgumentException("dnd must be on, off or not-read-yet, but was \"" + dnd + "\"");
            }
        }
        String category = params.get("category");
        if (category != null) {
            if (category.equals("none")) {
                all.add(u -> u.category() == null);
            } else {
                PresenceCategory c;
                try {
                    c = PresenceCategory.fromCode(category.toUpperCase(Locale.ROOT).replace('-', '_'));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("category must be one of IN_A_CALL, BUSY, DO_NOT_DISTURB, AWAY,"
                            + " OFFLINE, AVAILABLE, UNKNOWN or none, but was \"" + category + "\"");
                }
                all.add(u -> u.category() == c);
            }
        }
        int offset = number(params, "offset", 0, 0, Integer.MAX_VALUE);
        boolean paged = params.containsKey("limit");
        int limit = number(params, "limit", Integer.MAX_VALUE, 1, MAX_LIMIT);
        Predicate<UserStatus> filter = u -> true;
        for (Predicate<UserStatus> p : all) {
            filter = filter.and(p);
        }
        return new StatusQuery(filter, offset, limit, paged);
    }

    private static boolean contains(String value, String needle) {
        return value != null && value.toLowerCase(Locale.ROOT).contains(needle);
    }

    private static boolean bool(Map<String, String> params, String name) {
        String v = params.get(name);
        if ("true".equals(v)) {
            return true;
        }
        if ("false".equals(v)) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false, but was \"" + v + "\"");
    }

    private static int number(Map<String, String> params, String name, int fallback, int min, int max) {
        String v = params.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", but was \""
                + v + "\"");
    }

    /** The parameters of a raw query; an unknown or repeated one is refused. */
    static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        if (rawQuery.length() > MAX_QUERY_LENGTH) {
            throw new IllegalArgumentException("the query is longer than " + MAX_QUERY_LENGTH + " characters");
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown parameter \"" + name + "\"; known are user, held, hold, dnd,"
                        + " category, problem, offset and limit");
            }
            if (out.put(name, value) != null) {
                throw new IllegalArgumentException("parameter \"" + name + "\" is given twice");
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the query is not URL-encoded properly");
        }
    }
}
