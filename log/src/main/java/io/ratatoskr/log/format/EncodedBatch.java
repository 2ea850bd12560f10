package io.ratatoskr.log.format;

import java.nio.ByteBuffer;

/**
 * A batch encoded by {@link BatchEncoder}, CRC included, waiting for its base offset.
 *
 * <p>Thread-safety: not thread-safe; handed from the appending thread to the log's writer thread
 * through a queue (which publishes it safely), then used by that thread alone.
 *
 * @param buffer the whole batch, position 0, limit its size
 * @param recordCount records in the batch
 * @param lastOffsetDelta offset delta of the last record
 * @param baseTimestampMs the batch's base timestamp
 * @param maxTimestampMs the batch's largest record timestamp
 */
public record EncodedBatch(
        ByteBuffer buffer,
        int recordCount,
        int lastOffsetDelta,
        long baseTimestampMs,
        long maxTimestampMs) {

    /** Writes {@code baseOffset} into the batch header (outside the CRC). */
    public void assignBaseOffset(long baseOffset) {
        buffer.putLong(BatchFormat.BASE_OFFSET_OFFSET, baseOffset);
    }

    /** Size of the whole batch in bytes. */
    public int sizeInBytes() {
        return buffer.limit();
    }
}
