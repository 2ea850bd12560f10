package io.ratatoskr.log;

/**
 * What one compaction pass did.
 *
 * <p>Thread-safety: immutable.
 *
 * @param segmentsRewritten sealed segments replaced by cleaned ones
 * @param recordsRemoved records dropped (superseded, or expired tombstones)
 * @param bytesBefore bytes of the rewritten segments before the pass
 * @param bytesAfter bytes of the cleaned segments
 * @param dirtyEndOffset the offset up to which keys were mapped; the next pass starts there
 */
public record CompactionResult(
        int segmentsRewritten, long recordsRemoved, long bytesBefore, long bytesAfter, long dirtyEndOffset) {

    public static CompactionResult none(long dirtyEndOffset) {
        return new CompactionResult(0, 0, 0, 0, dirtyEndOffset);
    }
}
