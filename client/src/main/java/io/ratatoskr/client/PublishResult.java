package io.ratatoskr.client;

import io.ratatoskr.api.v1.PublishResponse;

/**
 * Where a published message was stored.
 *
 * <p>Thread-safety: immutable.
 *
 * @param messageId   the broker's id (UUIDv7); empty when not stored
 * @param topic       the durable topic the position refers to; empty when not stored
 * @param partition   the partition in {@code topic}
 * @param offset      the offset in that partition
 * @param timestampMs when the broker stored it, ms since the epoch
 * @param duplicate   the idempotency key was seen within the dedupe window: this is the original's position
 * @param stored      false only for a live-only publish that no durable topic captured
 */
public record PublishResult(String messageId, String topic, int partition, long offset, long timestampMs,
        boolean duplicate, boolean stored) {

    static PublishResult from(PublishResponse r) {
        return new PublishResult(r.getMessageId(), r.getTopic(), r.getPartition(), r.getOffset(), r.getTimestampMs(),
                r.getDuplicate(), r.getStored());
    }
}
