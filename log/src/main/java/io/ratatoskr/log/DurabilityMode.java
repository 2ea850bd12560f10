package io.ratatoskr.log;

/**
 * When an append counts as done.
 *
 * <p>Thread-safety: immutable.
 */
public enum DurabilityMode {
    /**
     * An append completes only after its bytes are fsync'd (fdatasync). Appends that arrive while a
     * sync runs share the next one; nothing waits on purpose. Readers see only fsync'd records.
     */
    FSYNC,
    /**
     * Like {@link #FSYNC}, but when appends come concurrently the writer lingers (at most {@code
     * groupCommitMaxDelayMs} after the oldest) to gather more of them into one fsync while they keep
     * arriving. A lone appender is not delayed. Readers see only fsync'd records.
     */
    GROUP,
    /**
     * An append completes once its bytes are written to the file (the OS page cache); the log fsyncs
     * every {@code asyncFlushIntervalMs}, on roll and on close. A crash of the machine (not of the
     * process) can lose the last interval. Readers see written records.
     */
    ASYNC
}
