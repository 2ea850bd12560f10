package io.ratatoskr.log;

/**
 * Where an appended batch landed.
 *
 * <p>Thread-safety: immutable.
 *
 * @param baseOffset offset of the first record
 * @param lastOffset offset of the last record
 * @param firstTimestampMs timestamp of the first record (as stored)
 * @param maxTimestampMs largest record timestamp in the batch
 * @param appendTimeMs the log clock when the writer wrote the batch
 * @param segmentBaseOffset base offset of the segment that holds the batch
 * @param position byte position of the batch in that segment file
 * @param sizeInBytes stored size of the batch
 */
public record AppendResult(
        long baseOffset,
        long lastOffset,
        long firstTimestampMs,
        long maxTimestampMs,
        long appendTimeMs,
        long segmentBaseOffset,
        int position,
        int sizeInBytes) {

    /** Number of offsets the batch took. */
    public int recordCount() {
        return (int) (lastOffset - baseOffset + 1);
    }
}
