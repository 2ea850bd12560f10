package io.ratatoskr.log;

/**
 * Stored bytes failed a check (CRC32C, magic, version, lengths) when they were read. Recovery
 * truncates such a tail; a read of sealed data that finds it reports it with this exception.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class CorruptRecordException extends LogException {

    public CorruptRecordException(String message) {
        super(message);
    }

    public CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
