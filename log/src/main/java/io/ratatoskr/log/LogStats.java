package io.ratatoskr.log;

/**
 * Counters of one log since it was opened, for metrics.
 *
 * <p>Thread-safety: immutable snapshot.
 *
 * @param appendedBatches appends completed successfully
 * @param appendedRecords records in those appends
 * @param fsyncs fsyncs of segment data
 * @param rejectedOverloaded appends refused because the queue was full
 * @param segments segments in the log
 * @param sizeInBytes bytes in all segments
 */
public record LogStats(
        long appendedBatches,
        long appendedRecords,
        long fsyncs,
        long rejectedOverloaded,
        int segments,
        long sizeInBytes) {}
