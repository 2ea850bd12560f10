package io.ratatoskr.client;

import java.time.Instant;

/**
 * A message in a dead-letter topic, with why it failed and where it came from
 * ({@link DeadLetterAdmin#inspect}).
 *
 * <p>Thread-safety: immutable (see {@link ReceivedMessage} for the payload array).
 *
 * @param message         the dead letter as stored (its metadata carries the {@code dlq-*} headers)
 * @param reason          why: {@code max-attempts}, {@code rejected: <reason>}, ...
 * @param attempts        deliveries made before it was dead-lettered
 * @param sourceTopic     the durable topic it came from
 * @param sourcePartition its partition there
 * @param sourceOffset    its offset there
 * @param firstFailure    when its first delivery failed
 * @param group           the consumer group that dead-lettered it
 * @param replayed        whether it was replayed already
 */
public record DeadLetter(ReceivedMessage message, String reason, int attempts, String sourceTopic,
        int sourcePartition, long sourceOffset, Instant firstFailure, String group, boolean replayed) {

    static DeadLetter from(io.ratatoskr.api.v1.DeadLetter d) {
        return new DeadLetter(ReceivedMessage.from(d.getMessage()), d.getReason(), d.getAttempts(),
                d.getSourceTopic(), d.getSourcePartition(), d.getSourceOffset(),
                Instant.ofEpochMilli(d.getFirstFailureMs()), d.getGroup(), d.getReplayed());
    }
}
