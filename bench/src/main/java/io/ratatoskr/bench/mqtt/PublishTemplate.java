package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttProperties;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketWriter;

import java.nio.charset.StandardCharsets;

/**
 * The wire image of one publisher's PUBLISH, encoded once by {@link PacketWriter}, then copied into the
 * outbound buffer for each message with its packet identifier, send time and sequence number patched in
 * place: no packet object and no array per message.
 *
 * <p>The payload starts with the {@link PayloadHeader} (send time, publisher, sequence number) that receivers
 * read back; the rest is filler.
 *
 * <p>Immutable after construction; {@link #writeTo} may be called from any thread.
 */
final class PublishTemplate {
    static final int HEADER_BYTES = PayloadHeader.BYTES;

    private final byte[] frame;
    private final int packetIdOffset;
    private final int payloadOffset;

    private PublishTemplate(byte[] frame, int packetIdOffset, int payloadOffset) {
        this.frame = frame;
        this.packetIdOffset = packetIdOffset;
        this.payloadOffset = payloadOffset;
    }

    /**
     * The template for {@code publisher}'s messages.
     *
     * @throws IllegalArgumentException if the payload cannot hold the header
     */
    static PublishTemplate of(MqttVersion version, String topic, int qos, int payloadBytes, int publisher) {
        byte[] payload = PayloadHeader.filled(payloadBytes);
        Publish publish = new Publish(topic, qos, false, false, qos > 0 ? 1 : 0, payload, MqttProperties.EMPTY);
        ByteBuf buf = Unpooled.buffer(PacketWriter.encodedSize(publish, version));
        PacketWriter.write(publish, version, buf);
        byte[] frame = new byte[buf.readableBytes()];
        buf.readBytes(frame);
        int payloadOffset = frame.length - payloadBytes;
        // Fixed header, topic (length-prefixed), packet identifier (QoS > 0), v5 property length 0, payload.
        int topicEnd = fixedHeaderBytes(frame) + 2 + topic.getBytes(StandardCharsets.UTF_8).length;
        int expectedPayloadOffset = topicEnd + (qos > 0 ? 2 : 0) + (version.isV5() ? 1 : 0);
        if (expectedPayloadOffset != payloadOffset) {
            throw new IllegalStateException("unexpected PUBLISH layout: payload at " + payloadOffset + ", not "
                    + expectedPayloadOffset);
        }
        Unpooled.wrappedBuffer(frame).setInt(payloadOffset + 8, publisher);
        return new PublishTemplate(frame, qos > 0 ? topicEnd : -1, payloadOffset);
    }

    private static int fixedHeaderBytes(byte[] frame) {
        int i = 1;
        while ((frame[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /** Bytes of one PUBLISH on the wire. */
    int frameBytes() {
        return frame.length;
    }

    /** Appends one PUBLISH to {@code out}; {@code packetId} is ignored at QoS 0. */
    void writeTo(ByteBuf out, int packetId, long sentNanos, int sequence) {
        int start = out.writerIndex();
        out.writeBytes(frame);
        if (packetIdOffset >= 0) {
            out.setShort(start + packetIdOffset, packetId);
        }
        out.setLong(start + payloadOffset, sentNanos);
        out.setInt(start + payloadOffset + 12, sequence);
    }

    static long sentNanos(ByteBuf buf, int payloadIndex) {
        return buf.getLong(payloadIndex);
    }

    static int publisher(ByteBuf buf, int payloadIndex) {
        return buf.getInt(payloadIndex + 8);
    }

    static int sequence(ByteBuf buf, int payloadIndex) {
        return buf.getInt(payloadIndex + 12);
    }
}
