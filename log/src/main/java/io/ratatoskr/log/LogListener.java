package io.ratatoskr.log;

/**
 * Told how long a log's writes take, so that the process around it can measure them (the broker
 * binds it to Micrometer timers; this module has no metrics dependency of its own).
 *
 * <p>Thread-safety: called on the log's writer thread; implementations must be thread-safe (one
 * listener usually serves many logs) and must not block.
 */
public interface LogListener {
    /** Listens to nothing. */
    LogListener NONE = new LogListener() {};

    /**
     * An append became durable as the log's {@link DurabilityMode} says (written, and synced unless
     * ASYNC), {@code nanos} after it was submitted: queueing, group-commit wait, write and sync.
     */
    default void appended(long nanos) {}

    /** One fsync (fdatasync) of the active segment took {@code nanos}. */
    default void synced(long nanos) {}
}
