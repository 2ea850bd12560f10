package io.ratatoskr.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.ratatoskr.api.v1.Message;
import io.ratatoskr.core.durable.DurableMessage;
import io.ratatoskr.core.durable.PublishOptions;
import io.ratatoskr.core.message.Header;
import io.ratatoskr.core.message.MessageProperties;
import java.nio.charset.StandardCharsets;

/**
 * Converts the core's messages to the API's {@link Message}: one mapping for live deliveries,
 * durable reads, consumer-group deliveries and dead letters, so every stream shows a message alike.
 *
 * <p>MQTT user properties become {@code metadata} (a repeated name keeps its last value), except
 * the two the broker interprets: {@value PublishOptions#MESSAGE_KEY} becomes {@code key} and
 * {@value PublishOptions#IDEMPOTENCY_KEY} is left out. Payloads are wrapped, not copied: the core's
 * arrays are never modified once a message is published.
 *
 * <p>Thread-safety: stateless.
 */
public final class ProtoMessages {
    private ProtoMessages() {
    }

    /** A live message (Subscribe): topic, payload, metadata, key, content type, when it was received. */
    public static Message.Builder live(io.ratatoskr.core.message.Message m) {
        Message.Builder b = Message.newBuilder()
                .setTopic(m.topic())
                .setPayload(wrap(m.payload()))
                .setTimestampMs(m.receivedAtMillis());
        properties(b, m.properties());
        return b;
    }

    /** A message read from a durable topic, with its id and position (Fetch, Consume, dead letters). */
    public static Message.Builder durable(DurableMessage d) {
        return durable(d, d.id().toString());
    }

    /** As {@link #durable(DurableMessage)}, with the message's id as a string already made ({@code id}). */
    static Message.Builder durable(DurableMessage d, String id) {
        Message.Builder b = live(d.message())
                .setMessageId(id)
                .setDurableTopic(d.topic())
                .setPartition(d.partition())
                .setOffset(d.offset())
                .setTimestampMs(d.timestampMs());
        if (d.key() != null) {
            b.setKey(new String(d.key(), StandardCharsets.UTF_8));
        }
        return b;
    }

    private static void properties(Message.Builder b, MessageProperties p) {
        if (p.contentType() != null) {
            b.setContentType(p.contentType());
        }
        for (Header h : p.userProperties()) {
            if (h.name().equals(PublishOptions.MESSAGE_KEY)) {
                b.setKey(h.value());
            } else if (!h.name().equals(PublishOptions.IDEMPOTENCY_KEY)) {
                b.putMetadata(h.name(), h.value());
            }
        }
    }

    private static ByteString wrap(byte[] payload) {
        return payload.length == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(payload);
    }
}
