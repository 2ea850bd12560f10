package io.ratatoskr.client;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link MessageHandler} answers for a message.
 *
 * <ul>
 *   <li>{@link #ACK}: done; a consumer group will not deliver it again.</li>
 *   <li>{@link #nack()} / {@link #nack(Duration)}: failed for now; the group redelivers it after the
 *       delay (or its own exponential backoff) until its max attempts, then dead-letters it.</li>
 *   <li>{@link #reject(String)}: cannot be processed; straight to the group's dead-letter topic.</li>
 * </ul>
 *
 * <p>Live subscriptions ({@link RatatoskrClient#subscribe}) have no redelivery: their answer is only
 * counted and logged when it is not {@link #ACK}.
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface Ack permits Ack.Accept, Ack.Nack, Ack.Reject {
    /** Done with the message. */
    Ack ACK = new Accept();

    /** Redeliver after the group's backoff. */
    static Ack nack() {
        return Nack.GROUP_BACKOFF;
    }

    /** Redeliver after {@code delay} (at least one millisecond; shorter means the group's backoff). */
    static Ack nack(Duration delay) {
        return new Nack(delay);
    }

    /** Send to the dead-letter topic, recording {@code reason} in its {@code dlq-reason} header. */
    static Ack reject(String reason) {
        return new Reject(reason);
    }

    /** The message is done. Use {@link Ack#ACK}. */
    record Accept() implements Ack {
    }

    /**
     * The message failed for now.
     *
     * @param delay how long to wait before redelivering; {@link Duration#ZERO}: the group's backoff
     */
    record Nack(Duration delay) implements Ack {
        private static final Nack GROUP_BACKOFF = new Nack(Duration.ZERO);

        /** Validates the delay. */
        public Nack {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("nack delay must not be negative: " + delay);
            }
        }
    }

    /**
     * The message cannot be processed.
     *
     * @param reason why, for the dead letter's headers
     */
    record Reject(String reason) implements Ack {
        /** Validates the reason. */
        public Reject {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
