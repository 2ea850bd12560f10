package io.ratatoskr.core.durable;

import java.util.concurrent.CompletableFuture;

/**
 * What became of one message handed to a durable topic.
 *
 * <p>Thread-safety: immutable (the future completes on a partition thread).
 *
 * @param receipt   completes with where the message is stored once it is durable, or fails with
 *                  the refusal ({@link io.ratatoskr.core.error.RatatoskrException})
 * @param duplicate whether its idempotency key was seen within the dedupe window: nothing new is
 *                  stored, the receipt is the original's, and the message must not be routed again
 */
public record AppendOutcome(CompletableFuture<PublishReceipt> receipt, boolean duplicate) {
}
