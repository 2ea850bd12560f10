package io.ratatoskr.core.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * An application message as the broker routes it: the topic, the payload, the publisher's QoS and
 * retain flag, its properties, who published it and when. Immutable and shared by every
 * subscriber it is delivered to; the payload array must not be modified.
 *
 * @param publisherId      the client identifier of the publisher (for No Local), or null for
 *                         messages the broker itself publishes
 * @param receivedAtMillis wall-clock time the broker received it; the expiry interval counts from here
 */
public record Message(String topic, byte[] payload, int qos, boolean retain, MessageProperties properties,
                      String publisherId, long receivedAtMillis) {

    public Message {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(properties, "properties");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS " + qos + " is outside 0..2");
        }
    }

    /** Whether the message's expiry interval has passed at {@code nowMillis}. */
    public boolean isExpired(long nowMillis) {
        long interval = properties.expiryIntervalSeconds();
        return interval >= 0 && nowMillis - receivedAtMillis >= interval * 1000L;
    }

    /**
     * The expiry interval to send onward: the received value minus the whole seconds the message
     * has waited in the broker [MQTT-3.3.2-6], at least 1 while it has not expired; -1 when the
     * message has no expiry.
     */
    public long remainingExpirySeconds(long nowMillis) {
        long interval = properties.expiryIntervalSeconds();
        if (interval < 0) {
            return -1;
        }
        long waitedSeconds = Math.max(0, nowMillis - receivedAtMillis) / 1000L;
        return Math.max(1, interval - waitedSeconds);
    }

    /** The same message with another retain flag. */
    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this
                : new Message(topic, payload, qos, newRetain, properties, publisherId, receivedAtMillis);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && topic.equals(m.topic) && Arrays.equals(payload, m.payload) && qos == m.qos
                && retain == m.retain && properties.equals(m.properties) && Objects.equals(publisherId, m.publisherId)
                && receivedAtMillis == m.receivedAtMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, publisherId, receivedAtMillis);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos + ", retain=" + retain
                + ", properties=" + properties + ", publisherId=" + publisherId + "]";
    }
}
