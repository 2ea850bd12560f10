package io.ratatoskr.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TopicPublisher} packs messages into {@code PublishBatch} calls. Start from {@link #DEFAULTS}
 * and change fields with the {@code with...} methods.
 *
 * <p>Thread-safety: immutable.
 *
 * @param maxCallsInFlight  the most {@code PublishBatch} calls the publisher has unanswered at once, 1..64. With 1
 *                          (the default) messages are stored in the order they were sent; with more, one call's
 *                          messages may be stored before an earlier call's
 * @param maxBatchMessages  the most messages in one call, 1..10000 (the broker's limit)
 * @param maxBatchBytes     the most bytes of messages in one call (a larger message goes alone), at least 1024,
 *                          counted as the messages' encoded sizes (a request adds a few bytes per message and the
 *                          topic); keep it well under the broker's largest request ({@code grpc.max-message-size})
 * @param linger            how long a message may wait for others to join its call while a call could be made;
 *                          zero (the default) sends at once, and messages batch only behind calls in flight
 * @param bufferBytes       the most bytes of messages sent but not yet answered; {@link TopicPublisher#send}
 *                          waits for room (see {@code maxBlock}); a message larger than this is taken when
 *                          nothing else waits
 * @param maxBlock          the longest {@link TopicPublisher#send} waits for room before its future fails with
 *                          {@code BUFFER_FULL}; zero fails at once
 * @param qos               the QoS live MQTT subscribers receive the messages at, 0..2; null: the broker's
 *                          default (1). A message may not set another
 */
public record PublisherOptions(int maxCallsInFlight, int maxBatchMessages, int maxBatchBytes, Duration linger,
                               long bufferBytes, Duration maxBlock, Integer qos) {
    /** One call in flight, up to 1,000 messages or 1 MiB a call, no linger, 32 MiB of buffer, 60 s block. */
    public static final PublisherOptions DEFAULTS = new PublisherOptions(1, 1000, 1 << 20, Duration.ZERO, 32L << 20,
            Duration.ofSeconds(60), null);

    /** Validates the ranges. */
    public PublisherOptions {
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(maxBlock, "maxBlock");
        if (maxCallsInFlight < 1 || maxCallsInFlight > 64) {
            throw new IllegalArgumentException("maxCallsInFlight must be 1..64: " + maxCallsInFlight);
        }
        if (maxBatchMessages < 1 || maxBatchMessages > 10_000) {
            throw new IllegalArgumentException("maxBatchMessages must be 1..10000: " + maxBatchMessages);
        }
        if (maxBatchBytes < 1024) {
            throw new IllegalArgumentException("maxBatchBytes must be at least 1024: " + maxBatchBytes);
        }
        if (linger.isNegative() || maxBlock.isNegative()) {
            throw new IllegalArgumentException("linger and maxBlock must not be negative: " + linger + ", " + maxBlock);
        }
        if (bufferBytes < 1) {
            throw new IllegalArgumentException("bufferBytes must be positive: " + bufferBytes);
        }
        if (qos != null && (qos < 0 || qos > 2)) {
            throw new IllegalArgumentException("qos must be 0..2: " + qos);
        }
    }

    /** With at most {@code n} calls in flight (more than 1 gives up the order between calls). */
    public PublisherOptions withMaxCallsInFlight(int n) {
        return new PublisherOptions(n, maxBatchMessages, maxBatchBytes, linger, bufferBytes, maxBlock, qos);
    }

    /** With at most {@code n} messages a call. */
    public PublisherOptions withMaxBatchMessages(int n) {
        return new PublisherOptions(maxCallsInFlight, n, maxBatchBytes, linger, bufferBytes, maxBlock, qos);
    }

    /** With at most {@code bytes} of messages a call. */
    public PublisherOptions withMaxBatchBytes(int bytes) {
        return new PublisherOptions(maxCallsInFlight, maxBatchMessages, bytes, linger, bufferBytes, maxBlock, qos);
    }

    /** With linger {@code d}. */
    public PublisherOptions withLinger(Duration d) {
        return new PublisherOptions(maxCallsInFlight, maxBatchMessages, maxBatchBytes, d, bufferBytes, maxBlock, qos);
    }

    /** With {@code bytes} of buffer. */
    public PublisherOptions withBufferBytes(long bytes) {
        return new PublisherOptions(maxCallsInFlight, maxBatchMessages, maxBatchBytes, linger, bytes, maxBlock, qos);
    }

    /** With {@code d} as the longest wait for buffer room. */
    public PublisherOptions withMaxBlock(Duration d) {
        return new PublisherOptions(maxCallsInFlight, maxBatchMessages, maxBatchBytes, linger, bufferBytes, d, qos);
    }

    /** With QoS {@code q} for live MQTT subscribers. */
    public PublisherOptions withQos(int q) {
        return new PublisherOptions(maxCallsInFlight, maxBatchMessages, maxBatchBytes, linger, bufferBytes, maxBlock,
                q);
    }
}
