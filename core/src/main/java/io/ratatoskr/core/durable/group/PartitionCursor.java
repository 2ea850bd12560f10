package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.Partition;
import java.util.ArrayDeque;

/**
 * A consumer group's position in one partition.
 *
 * <p>Invariants: {@code committed <= readPosition}; every offset in {@code [committed, readPosition)}
 * is either done (acknowledged, dead-lettered, expired, or a gap) or in {@code window}; the committed
 * offset is the window's first key, or the read position when the window is empty. Messages in
 * {@code [committed, deliveredEnd)} that are not done were delivered at least once and have a
 * message record in the state log; those at or above {@code deliveredEnd} were never delivered
 * (fresh messages are dispatched in offset order).
 *
 * <p>Thread-safety: confined to its group's thread, except {@link #committed}, which gauges read.
 */
final class PartitionCursor {
    final int id;
    final Partition partition;
    /** Everything below is done. Persisted. */
    volatile long committed;
    /** Everything below was delivered at least once, or is done. Persisted. */
    long deliveredEnd;
    /** The next offset to read from the partition. */
    long readPosition;
    /** Messages read and not done, by offset. */
    final SequenceWindow<PendingMessage> window = new SequenceWindow<>();
    /** Messages read and never delivered, in offset order. */
    final ArrayDeque<PendingMessage> fresh = new ArrayDeque<>();
    /** Whether the partition record must be written. */
    boolean dirty;
    /** The delivered end the last partition record written carries (at most {@link #deliveredEnd}); -1: none yet. */
    long persistedDeliveredEnd = -1;
    AutoCloseable watch;
    /**
     * About the log bytes one record of this partition took in the last read (0: nothing read yet), so that
     * the next read asks for about as many bytes as the records it may take ({@link PendingWindow}).
     */
    int bytesPerRecord;

    PartitionCursor(int id, Partition partition, long committed, long deliveredEnd) {
        this.id = id;
        this.partition = partition;
        this.committed = committed;
        this.deliveredEnd = Math.max(committed, deliveredEnd);
        this.readPosition = this.deliveredEnd;
    }

    /** Moves the committed offset to the first message not done; returns whether it moved. */
    boolean advanceCommitted() {
        long next = window.isEmpty() ? readPosition : window.firstKey();
        if (next != committed) {
            committed = next;
            if (deliveredEnd < next) {
                deliveredEnd = next;
            }
            dirty = true;
            return true;
        }
        return false;
    }
}
