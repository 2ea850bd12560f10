package io.ratatoskr.core.error;

import java.util.Objects;

/**
 * A refusal the client should see, with its {@link ErrorCode}. Protocol adapters map the code to a
 * reason code or status and pass the message on as the reason string.
 *
 * <p>Thread-safety: immutable.
 */
public final class RatatoskrException extends RuntimeException {
    private final ErrorCode code;

    public RatatoskrException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public RatatoskrException(ErrorCode code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }
}
