package io.ratatoskr.core.durable;

import java.util.UUID;

/**
 * Where an appended message is stored.
 *
 * <p>Thread-safety: immutable.
 *
 * @param topic     the durable topic
 * @param messageId the message's identifier (UUIDv7)
 * @param partition the partition
 * @param offset    the offset in the partition
 * @param timestampMs when it was stored (the stored record's timestamp), milliseconds since the epoch
 * @param duplicate true when this publish repeated an idempotency key seen within the dedupe window:
 *                  nothing new was stored and the receipt is the first publish's
 */
public record PublishReceipt(String topic, UUID messageId, int partition, long offset, long timestampMs,
                             boolean duplicate) {

    /** This receipt, given to a repeated publish. */
    public PublishReceipt asDuplicate() {
        return duplicate ? this : new PublishReceipt(topic, messageId, partition, offset, timestampMs, true);
    }
}
