package io.ratatoskr.core.durable;

/**
 * The headers (MQTT 5 user properties) a message carries in a dead-letter topic: why it was
 * dead-lettered and where it came from.
 *
 * <p>Thread-safety: constants only.
 */
public final class DeadLetterHeaders {
    /** Why: the consumer's reject reason, or the retry policy's verdict (e.g. max attempts reached). */
    public static final String REASON = "dlq-reason";
    /** Deliveries made before it was dead-lettered (decimal). */
    public static final String ATTEMPTS = "dlq-attempts";
    /** The durable topic it was consumed from. */
    public static final String SOURCE_TOPIC = "dlq-source-topic";
    /** Its partition in the source topic (decimal). */
    public static final String SOURCE_PARTITION = "dlq-source-partition";
    /** Its offset in that partition (decimal). */
    public static final String SOURCE_OFFSET = "dlq-source-offset";
    /** When its first delivery failed, milliseconds since the epoch (decimal). */
    public static final String FIRST_FAILURE = "dlq-first-failure";
    /** The consumer group that gave up on it. */
    public static final String GROUP = "dlq-group";

    private DeadLetterHeaders() {
    }
}
