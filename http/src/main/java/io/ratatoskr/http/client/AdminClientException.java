package io.ratatoskr.http.client;

/**
 * An admin API call that failed: the HTTP status (0 when the broker was not reached), the stable
 * error code and the broker's message.
 *
 * <p>Thread-safety: immutable.
 */
public final class AdminClientException extends RuntimeException {
    private final int status;
    private final String code;

    public AdminClientException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
