package io.ratatoskr.http;

/**
 * What a handler answers: a status and a JSON body (any object Jackson can write, or null for no
 * body), or a {@link Text} body sent as it is (e.g. Prometheus' text format).
 *
 * <p>Thread-safety: immutable if the body is.
 */
public record ApiResponse(int status, Object body) {

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body);
    }

    public static ApiResponse created(Object body) {
        return new ApiResponse(201, body);
    }

    /** 503: the node cannot serve now (e.g. not ready); {@code body} says why. */
    public static ApiResponse unavailable(Object body) {
        return new ApiResponse(503, body);
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null);
    }

    /** 200 with {@code text} as the body, of type {@code contentType}. */
    public static ApiResponse text(String contentType, String text) {
        return new ApiResponse(200, new Text(contentType, text));
    }

    /** A body that is not JSON: sent as UTF-8 with its own content type. */
    public record Text(String contentType, String text) {}
}
