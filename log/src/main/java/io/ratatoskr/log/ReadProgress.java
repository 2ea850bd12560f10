package io.ratatoskr.log;

/**
 * The outcome of a visiting {@link Log#read(long, int, int, boolean, ReadBuffer, java.util.function.Consumer)}:
 * what {@link ReadResult} says, with the number of records visited instead of the records.
 *
 * <p>Thread-safety: immutable.
 *
 * @param records how many records the visitor received
 * @param nextOffset where the next read should start (after the last record examined)
 * @param highWatermark the readable end when the read ran (the durable end in FSYNC and GROUP mode)
 * @param logStartOffset the first offset in the log when the read ran
 */
public record ReadProgress(int records, long nextOffset, long highWatermark, long logStartOffset) {}
