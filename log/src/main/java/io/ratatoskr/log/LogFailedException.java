package io.ratatoskr.log;

/**
 * The log stopped accepting appends after an I/O error (a failed write or fsync, a full disk). It
 * stays read-only until {@link Log#recover()} succeeds; {@link Log#status()} tells the cause.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class LogFailedException extends LogException {

    public LogFailedException(String message) {
        super(message);
    }

    public LogFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
