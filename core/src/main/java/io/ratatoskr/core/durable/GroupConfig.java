package io.ratatoskr.core.durable;

import io.ratatoskr.core.error.ErrorCode;

/**
 * The delivery policy of a consumer group (PRODUCT.md, Concepts: consumer groups).
 *
 * <p>Thread-safety: immutable.
 *
 * @param ackTimeoutMs       a delivery not acknowledged within this time is redelivered
 * @param maxAttempts        deliveries before a message goes to the dead-letter topic
 * @param backoffInitialMs   delay before the first redelivery after a nack
 * @param backoffMultiplier  each further redelivery waits this many times longer
 * @param backoffMaxMs       the longest redelivery delay
 * @param deadLetterTopic    the durable topic failed messages go to; null: {@code <topic>.dlq}
 * @param prefetch           the default max unacknowledged deliveries per member
 */
public record GroupConfig(long ackTimeoutMs, int maxAttempts, long backoffInitialMs, double backoffMultiplier,
                          long backoffMaxMs, String deadLetterTopic, int prefetch) {

    public static final GroupConfig DEFAULTS = new GroupConfig(30_000, 3, 1_000, 2.0, 60_000, null, 100);

    public GroupConfig {
        check(ackTimeoutMs >= 100, "ackTimeoutMs must be at least 100, was " + ackTimeoutMs);
        check(maxAttempts >= 1 && maxAttempts <= 1000, "maxAttempts must be in 1..1000, was " + maxAttempts);
        check(backoffInitialMs >= 0, "backoffInitialMs must not be negative, was " + backoffInitialMs);
        check(backoffMultiplier >= 1.0 && backoffMultiplier <= 100.0,
                "backoffMultiplier must be in 1..100, was " + backoffMultiplier);
        check(backoffMaxMs >= backoffInitialMs, "backoffMaxMs must be at least backoffInitialMs");
        check(prefetch >= 1 && prefetch <= 65_535, "prefetch must be in 1..65535, was " + prefetch);
    }

    /** The dead-letter topic of a group on {@code topic}. */
    public String deadLetterTopicFor(String topic) {
        return deadLetterTopic != null ? deadLetterTopic : topic + ".dlq";
    }

    /** The delay before redelivery after the {@code attempt}-th failed delivery (1-based). */
    public long backoffMs(int attempt) {
        double delay = backoffInitialMs * Math.pow(backoffMultiplier, Math.max(0, attempt - 1));
        return (long) Math.min(backoffMaxMs, delay);
    }

    public GroupConfig withAckTimeoutMs(long v) {
        return new GroupConfig(v, maxAttempts, backoffInitialMs, backoffMultiplier, backoffMaxMs, deadLetterTopic,
                prefetch);
    }

    public GroupConfig withMaxAttempts(int v) {
        return new GroupConfig(ackTimeoutMs, v, backoffInitialMs, backoffMultiplier, backoffMaxMs, deadLetterTopic,
                prefetch);
    }

    public GroupConfig withBackoff(long initialMs, double multiplier, long maxMs) {
        return new GroupConfig(ackTimeoutMs, maxAttempts, initialMs, multiplier, maxMs, deadLetterTopic, prefetch);
    }

    public GroupConfig withDeadLetterTopic(String v) {
        return new GroupConfig(ackTimeoutMs, maxAttempts, backoffInitialMs, backoffMultiplier, backoffMaxMs, v,
                prefetch);
    }

    public GroupConfig withPrefetch(int v) {
        return new GroupConfig(ackTimeoutMs, maxAttempts, backoffInitialMs, backoffMultiplier, backoffMaxMs,
                deadLetterTopic, v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw ErrorCode.INVALID_ARGUMENT.exception(message);
        }
    }
}
