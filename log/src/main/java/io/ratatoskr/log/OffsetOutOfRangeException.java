package io.ratatoskr.log;

/**
 * A read asked for an offset below the log start offset or above the readable end.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class OffsetOutOfRangeException extends LogException {

    public OffsetOutOfRangeException(String message) {
        super(message);
    }

    public OffsetOutOfRangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
