package io.ratatoskr.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps a method and a path to a handler. Patterns are literal segments and {@code {name}}
 * parameters, e.g. {@code /api/v1/topics/{name}}; a parameter matches one non-empty segment.
 *
 * <p>Thread-safety: routes are added at wiring time, before the server starts; afterwards read-only.
 */
public final class Router {

    /** Handles one API call. May throw {@link io.ratatoskr.core.error.RatatoskrException}. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    private record Route(String method, String pattern, String[] segments, Handler handler) {}

    /** A route as it was added: its method and pattern (e.g. {@code GET /api/v1/topics/{name}}). */
    public record Entry(String method, String pattern) {}

    /** The outcome of a lookup. */
    public sealed interface Match {
        record Found(Handler handler, Map<String, String> params) implements Match {}

        record WrongMethod(Set<String> allowed) implements Match {}

        record NotFound() implements Match {}
    }

    private final List<Route> routes = new ArrayList<>();
    private Handler fallback;

    public Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(method, pattern, split(pattern), handler));
        return this;
    }

    public Router get(String pattern, Handler handler) {
        return add("GET", pattern, handler);
    }

    public Router post(String pattern, Handler handler) {
        return add("POST", pattern, handler);
    }

    public Router put(String pattern, Handler handler) {
        return add("PUT", pattern, handler);
    }

    public Router patch(String pattern, Handler handler) {
        return add("PATCH", pattern, handler);
    }

    public Router delete(String pattern, Handler handler) {
        return add("DELETE", pattern, handler);
    }

    /**
     * Handles every path no route matches (instead of 404), e.g. 503 for API calls while the node
     * is starting.
     */
    public Router fallback(Handler handler) {
        this.fallback = handler;
        return this;
    }

    /** Every route, in the order added (for the OpenAPI document's test). */
    public List<Entry> routes() {
        return routes.stream().map(r -> new Entry(r.method, r.pattern)).toList();
    }

    /**
     * The route of {@code method} on {@code rawPath}, the path as sent (percent-encoded): it is split
     * at '/' first, then each segment is decoded, so that a parameter may hold an encoded '/'
     * ({@code /api/v1/clients/site%2Fdevice-7} names client {@code site/device-7}).
     *
     * @throws IllegalArgumentException a segment's percent-encoding is malformed
     */
    public Match match(String method, String rawPath) {
        String[] actual = split(rawPath);
        for (int i = 0; i < actual.length; i++) {
            // RFC 3986: '+' is itself in a path; only the query's form encoding makes it a space.
            actual[i] = QueryStringDecoder.decodeComponent(actual[i].replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = bind(r.segments, actual);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method) || (method.equals("HEAD") && r.method.equals("GET"))) {
                return new Match.Found(r.handler, params);
            }
            allowed.add(r.method);
        }
        if (!allowed.isEmpty()) {
            return new Match.WrongMethod(allowed);
        }
        return fallback == null ? new Match.NotFound() : new Match.Found(fallback, Map.of());
    }

    private static Map<String, String> bind(String[] pattern, String[] actual) {
        if (pattern.length != actual.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (actual[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>(2);
                }
                params.put(p.substring(1, p.length() - 1), actual[i]);
            } else if (!p.equals(actual[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
