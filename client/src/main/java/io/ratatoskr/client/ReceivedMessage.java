package io.ratatoskr.client;

import io.ratatoskr.api.v1.Message;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A message as a subscription or consumer receives it. Optional string fields are {@code null} when
 * the message has none.
 *
 * <p>Thread-safety: immutable, except that {@link #payload()} returns the array itself (do not
 * modify it if the message is shared).
 *
 * @param topic         the MQTT topic it was published on
 * @param payload       its bytes
 * @param metadata      application headers (MQTT 5 user properties); never null
 * @param key           the message key, or null
 * @param contentType   the content type, or null
 * @param messageId     the broker's id (UUIDv7), or null for a live message that no durable topic stored
 * @param durableTopic  the durable topic it was read from, or null (live)
 * @param partition     the partition in {@code durableTopic}
 * @param offset        the offset in that partition
 * @param timestampMs   when the broker stored (durable) or received (live) it, ms since the epoch
 * @param attempt       consumers: the delivery attempt, from 1; 0 for live messages
 * @param retained      whether it came from the retained store rather than a live publish
 */
public record ReceivedMessage(String topic, byte[] payload, Map<String, String> metadata, String key,
        String contentType, String messageId, String durableTopic, int partition, long offset, long timestampMs,
        int attempt, boolean retained) {

    /** The payload decoded as UTF-8. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    static ReceivedMessage from(Message m) {
        return new ReceivedMessage(m.getTopic(), m.getPayload().toByteArray(), Map.copyOf(m.getMetadataMap()),
                emptyToNull(m.getKey()), emptyToNull(m.getContentType()), emptyToNull(m.getMessageId()),
                emptyToNull(m.getDurableTopic()), m.getPartition(), m.getOffset(), m.getTimestampMs(),
                m.getAttempt(), m.getRetained());
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    @Override
    public String toString() {
        return "ReceivedMessage[topic=" + topic + ", bytes=" + payload.length + ", id=" + messageId
                + ", at=" + durableTopic + "/" + partition + "@" + offset + ", attempt=" + attempt + "]";
    }
}
