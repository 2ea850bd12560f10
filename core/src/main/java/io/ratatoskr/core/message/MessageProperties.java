package io.ratatoskr.core.message;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The optional attributes of a published message that travel with it to subscribers (MQTT 5.0
 * §3.3.2.3): payload format, expiry interval, content type, response topic, correlation data and
 * user properties. Immutable; the correlation data array is shared and must not be modified.
 *
 * @param payloadFormat         0 (bytes) or 1 (UTF-8), -1 when absent
 * @param expiryIntervalSeconds the publisher's Message Expiry Interval, -1 when the message never expires
 */
public record MessageProperties(int payloadFormat, long expiryIntervalSeconds, String contentType,
                                String responseTopic, byte[] correlationData, List<Header> userProperties) {
    public static final MessageProperties EMPTY = new MessageProperties(-1, -1, null, null, null, List.of());

    public MessageProperties {
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    public boolean isEmpty() {
        return payloadFormat == -1 && expiryIntervalSeconds == -1 && contentType == null && responseTopic == null
                && correlationData == null && userProperties.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageProperties p && payloadFormat == p.payloadFormat
                && expiryIntervalSeconds == p.expiryIntervalSeconds && Objects.equals(contentType, p.contentType)
                && Objects.equals(responseTopic, p.responseTopic) && Arrays.equals(correlationData, p.correlationData)
                && userProperties.equals(p.userProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(payloadFormat, expiryIntervalSeconds, contentType, responseTopic, userProperties);
    }

    @Override
    public String toString() {
        return "MessageProperties[payloadFormat=" + payloadFormat + ", expiryIntervalSeconds=" + expiryIntervalSeconds
                + ", contentType=" + contentType + ", responseTopic=" + responseTopic + ", correlationData="
                + (correlationData == null ? "null" : correlationData.length + " bytes")
                + ", userProperties=" + userProperties + "]";
    }
}
