package io.ratatoskr.log;

/**
 * The log's bounded queue of pending appends is full: the append was refused at once, not queued.
 * The caller should push back on its producer (MQTT reason code Quota exceeded, gRPC
 * RESOURCE_EXHAUSTED) and count it.
 *
 * <p>Thread-safety: immutable once thrown.
 */
public class LogOverloadedException extends LogException {

    public LogOverloadedException(String message) {
        super(message);
    }

    public LogOverloadedException(String message, Throwable cause) {
        super(message, cause);
    }
}
