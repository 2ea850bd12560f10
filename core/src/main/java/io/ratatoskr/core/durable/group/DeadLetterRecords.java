package io.ratatoskr.core.durable.group;

import io.ratatoskr.core.durable.DeadLetterHeaders;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.MessageEnvelope;
import io.ratatoskr.core.durable.Partition;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.Message;
import io.ratatoskr.core.message.MessageProperties;
import io.ratatoskr.log.Record;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds what a consumer group appends to its dead-letter topic: the original message — same id,
 * MQTT topic, key, payload and properties, with the remaining expiry interval — and the
 * {@link DeadLetterHeaders} as extra user properties (replacing any the message already carried
 * from an earlier dead-lettering).
 *
 * <p>Thread-safety: stateless.
 */
final class DeadLetterRecords {
    private DeadLetterRecords() {
    }

    static Record record(DurableMessage m, String group, int attempts, long firstFailureMs, String reason,
                         long nowMs) {
        Message original = m.message();
        MessageProperties p = original.properties();
        List<Header> headers = new ArrayList<>(p.userProperties().size() + 7);
        for (Header h : p.userProperties()) {
            if (!h.name().startsWith("dlq-")) {
                headers.add(h);
            }
        }
        headers.add(new Header(DeadLetterHeaders.REASON, reason));
        headers.add(new Header(DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts)));
        headers.add(new Header(DeadLetterHeaders.SOURCE_TOPIC, m.topic()));
        headers.add(new Header(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(m.partition())));
        headers.add(new Header(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(m.offset())));
        headers.add(new Header(DeadLetterHeaders.FIRST_FAILURE, Long.toString(firstFailureMs)));
        headers.add(new Header(DeadLetterHeaders.GROUP, group));
        long expiry = original.remainingExpirySeconds(nowMs);
        MessageProperties props = new MessageProperties(p.payloadFormat(), expiry, p.contentType(), p.responseTopic(),
                p.correlationData(), headers);
        Message dead = new Message(original.topic(), original.payload(), original.qos(), false, props,
                original.publisherId(), nowMs);
        return MessageEnvelope.toRecord(dead, m.id(), m.key(), null);
    }

    /**
     * The dead-letter partition: by key hash when the message has a key (messages of one key stay
     * together), else the source partition number, so each source partition's failures stay in
     * order.
     */
    static Partition partitionFor(List<Partition> partitions, DurableMessage m) {
        int n = partitions.size();
        int index = m.key() != null ? Math.floorMod(Arrays.hashCode(m.key()), n) : Math.floorMod(m.partition(), n);
        return partitions.get(index);
    }
}
