package io.ratatoskr.core.durable;

import java.util.List;

/**
 * What a cursor read of one partition returns.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic       the durable topic
 * @param partition   the partition
 * @param messages    the messages read, in offset order (expired ones left out)
 * @param nextOffset  where the next read should start
 * @param endOffset   the partition's durable end when the read ran ({@code nextOffset == endOffset}:
 *                    caught up)
 * @param startOffset the first offset the partition still kept
 */
public record ReadBatch(String topic, int partition, List<DurableMessage> messages, long nextOffset, long endOffset,
                        long startOffset) {

    public ReadBatch {
        messages = List.copyOf(messages);
    }

    /** Messages between the read position and the end: how far the reader lags. */
    public long lag() {
        return Math.max(0, endOffset - nextOffset);
    }
}
