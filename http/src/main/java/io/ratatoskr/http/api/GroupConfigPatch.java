package io.ratatoskr.http.api;

import io.ratatoskr.core.durable.GroupConfig;

/**
 * The delivery-policy settings of a consumer-group PATCH: every field optional; absent fields keep
 * their current value.
 *
 * <p>Thread-safety: immutable.
 */
public record GroupConfigPatch(Long ackTimeoutMs, Integer maxAttempts, Long backoffInitialMs,
                               Double backoffMultiplier, Long backoffMaxMs, String deadLetterTopic,
                               Integer prefetch) {

    /** {@code base} with the fields this patch sets (validated by {@link GroupConfig}). */
    public GroupConfig applyTo(GroupConfig base) {
        return new GroupConfig(
                ackTimeoutMs != null ? ackTimeoutMs : base.ackTimeoutMs(),
                maxAttempts != null ? maxAttempts : base.maxAttempts(),
                backoffInitialMs != null ? backoffInitialMs : base.backoffInitialMs(),
                backoffMultiplier != null ? backoffMultiplier : base.backoffMultiplier(),
                backoffMaxMs != null ? backoffMaxMs : base.backoffMaxMs(),
                deadLetterTopic != null ? deadLetterTopic : base.deadLetterTopic(),
                prefetch != null ? prefetch : base.prefetch());
    }
}
