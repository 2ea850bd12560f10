package io.ratatoskr.core.durable;

import java.util.Set;

/**
 * The MQTT 5 user properties a dead letter carries (PRODUCT.md, Concepts: consumer groups). A
 * consumer group writes a failed message to its dead-letter topic with the original MQTT topic,
 * payload and properties plus these; {@link DeadLetters} reads them back and strips them when it
 * replays the message to its source topic.
 *
 * <p>Thread-safety: constants only.
 */
public final class DeadLetterHeaders {
    /** Why the message was dead-lettered: {@code max_attempts}, {@code rejected}, ... */
    public static final String REASON = "dlq-reason";
    /** Deliveries made before it was dead-lettered (decimal). */
    public static final String ATTEMPTS = "dlq-attempts";
    /** The durable topic it came from. */
    public static final String SOURCE_TOPIC = "dlq-source-topic";
    /** The partition it came from (decimal). */
    public static final String SOURCE_PARTITION = "dlq-source-partition";
    /** Its offset in that partition (decimal). */
    public static final String SOURCE_OFFSET = "dlq-source-offset";
    /** When its first delivery failed, milliseconds since the epoch (decimal). */
    public static final String FIRST_FAILURE = "dlq-first-failure";
    /** The consumer group that gave up on it. */
    public static final String GROUP = "dlq-group";

    /** Every dead-letter property name. */
    public static final Set<String> ALL =
            Set.of(REASON, ATTEMPTS, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, FIRST_FAILURE, GROUP);

    /** The suffix of a default dead-letter topic's name ({@code <topic>.dlq}, see {@link GroupConfig}). */
    public static final String TOPIC_SUFFIX = ".dlq";

    private DeadLetterHeaders() {}
}
