package io.ratatoskr.http;

/**
 * What a handler answers: a status and a JSON body (any object Jackson can write, or null for no
 * body).
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

    public static ApiResponse noContent() {
        return new ApiResponse(204, null);
    }
}
