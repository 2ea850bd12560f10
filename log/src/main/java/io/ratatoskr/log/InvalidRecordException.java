package io.ratatoskr.log;

/**
 * An append was refused because of its content: too large a batch, an empty batch, or a record
 * without a key in a compacted log. A client mistake, not a fault of the log.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class InvalidRecordException extends LogException {

    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
