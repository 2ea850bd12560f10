package io.ratatoskr.core.durable;

import io.ratatoskr.core.message.Message;
import java.util.UUID;

/**
 * A message read back from a durable topic: its stable identifier, where it is stored, the MQTT
 * message it carries and the key it was partitioned by.
 *
 * <p>Thread-safety: immutable (the arrays inside must not be modified).
 *
 * @param id          the time-ordered identifier given at publish
 * @param topic       the durable topic
 * @param partition   the partition number
 * @param offset      the offset in the partition
 * @param timestampMs when it was stored
 * @param key         the partition/compaction key, or null
 * @param message     the message (MQTT topic, payload, QoS, properties, publisher)
 */
public record DurableMessage(UUID id, String topic, int partition, long offset, long timestampMs, byte[] key,
                             Message message) {
}
