package io.ratatoskr.core.durable;

/**
 * A partition's state at one moment.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic        the durable topic
 * @param partition    the partition number
 * @param startOffset  the first offset kept
 * @param endOffset    the next offset to be written (durable end)
 * @param sizeBytes    bytes on disk
 * @param segments     number of segment files
 * @param state        OPEN, FAILED (read-only after an I/O error) or CLOSED
 * @param failure      why it failed, or null
 */
public record PartitionSnapshot(String topic, int partition, long startOffset, long endOffset, long sizeBytes,
                                int segments, String state, String failure) {

    /** Messages kept (offsets, including gaps left by compaction). */
    public long messages() {
        return endOffset - startOffset;
    }
}
