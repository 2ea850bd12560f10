package io.ratatoskr.server.cli;

import io.ratatoskr.client.ReceivedMessage;
import java.util.Map;

/**
 * A message as {@code sub} and {@code consume} print it, from either protocol. Optional fields are null
 * when the protocol or the message has none.
 *
 * <p>Thread-safety: immutable (the payload array is not copied; nobody modifies it).
 *
 * @param topic        the topic it was published on
 * @param payload      its bytes
 * @param qos          the QoS it was delivered at (MQTT), or null (gRPC)
 * @param retain       whether it came from the retained store
 * @param properties   MQTT 5 user properties or gRPC metadata; never null
 * @param key          the message key, or null
 * @param contentType  the content type, or null
 * @param messageId    the broker's message id, or null
 * @param durableTopic the durable topic it was read from, or null
 * @param partition    the partition in {@code durableTopic}, or null
 * @param offset       the offset in that partition, or null
 * @param attempt      the delivery attempt of a consumer group, or null
 */
record Delivery(String topic, byte[] payload, Integer qos, boolean retain, Map<String, String> properties, String key,
        String contentType, String messageId, String durableTopic, Integer partition, Long offset, Integer attempt) {

    /** A message received from the gRPC API. */
    static Delivery of(ReceivedMessage m) {
        boolean durable = m.durableTopic() != null;
        return new Delivery(m.topic(), m.payload(), null, m.retained(), m.metadata(), m.key(), m.contentType(),
                m.messageId(), m.durableTopic(), durable ? m.partition() : null, durable ? m.offset() : null,
                m.attempt() > 0 ? m.attempt() : null);
    }
}
