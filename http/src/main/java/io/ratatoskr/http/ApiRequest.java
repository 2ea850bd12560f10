package io.ratatoskr.http;

import io.ratatoskr.core.error.ErrorCode;
import java.util.List;
import java.util.Map;

/**
 * One API call as a handler sees it: method, path parameters, query parameters, body, and who calls
 * ({@link Caller}: handlers that change one durable topic check {@link Caller#requireAdminister}).
 *
 * <p>Thread-safety: immutable.
 */
public record ApiRequest(String method, String path, Map<String, String> pathParams,
                         Map<String, List<String>> query, byte[] body, Caller caller) {

    public ApiRequest {
        caller = caller == null ? Caller.UNRESTRICTED : caller;
    }

    /** A call by an unrestricted caller. */
    public ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                      byte[] body) {
        this(method, path, pathParams, query, body, Caller.UNRESTRICTED);
    }

    /** A path parameter (from a {@code {name}} segment of the route). */
    public String param(String name) {
        return pathParams.get(name);
    }

    /** The first value of a query parameter, or {@code fallback}. */
    public String query(String name, String fallback) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    /** A numeric query parameter; a non-number is the client's mistake (400). */
    public long queryLong(String name, long fallback) {
        String v = query(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ErrorCode.INVALID_ARGUMENT.exception("query parameter '" + name + "' must be a number, was '"
                    + v + "'");
        }
    }
}
