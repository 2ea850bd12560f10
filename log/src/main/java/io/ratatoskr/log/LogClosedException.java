package io.ratatoskr.log;

/**
 * The log has been closed or deleted.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class LogClosedException extends LogException {

    public LogClosedException(String message) {
        super(message);
    }

    public LogClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
