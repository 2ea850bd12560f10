package io.ratatoskr.log;

/**
 * The root of the storage engine's exceptions. Every failed append future and every failed call
 * ends in one of its subclasses, with a message that names the log directory.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class LogException extends RuntimeException {

    public LogException(String message) {
        super(message);
    }

    public LogException(String message, Throwable cause) {
        super(message, cause);
    }
}
