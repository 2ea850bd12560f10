package io.ratatoskr.bench.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttVersion;
import io.ratatoskr.mqtt.codec.PacketReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishTemplateTest {

    static Stream<Arguments> layouts() {
        return Stream.of(MqttVersion.V3_1_1, MqttVersion.V5).flatMap(v -> Stream.of(0, 1).flatMap(qos ->
                Stream.of(16, 64, 1024, 200_000).flatMap(payload -> Stream.of("b/x1/0", "bench/ünïcødé/12")
                        .map(topic -> Arguments.of(v, qos, payload, topic)))));
    }

    @ParameterizedTest(name = "{0} QoS {1} {2} B on {3}")
    @MethodSource("layouts")
    void patchedFramesDecodeAsPublishWithTheirHeader(MqttVersion version, int qos, int payloadBytes, String topic) {
        PublishTemplate template = PublishTemplate.of(version, topic, qos, payloadBytes, 7);
        ByteBuf buf = Unpooled.buffer();
        template.writeTo(buf, 0xBEEF, 0x0102_0304_0506_0708L, 41);
        template.writeTo(buf, 3, -5L, 42);
        assertThat(buf.readableBytes()).isEqualTo(2 * template.frameBytes());

        Publish first = read(buf, version);
        Publish second = read(buf, version);

        assertThat(first.topic()).isEqualTo(topic);
        assertThat(first.qos()).isEqualTo(qos);
        assertThat(first.packetId()).isEqualTo(qos > 0 ? 0xBEEF : 0);
        assertThat(second.packetId()).isEqualTo(qos > 0 ? 3 : 0);
        assertThat(first.payload()).hasSize(payloadBytes);
        ByteBuf p1 = Unpooled.wrappedBuffer(first.payload());
        ByteBuf p2 = Unpooled.wrappedBuffer(second.payload());
        assertThat(PublishTemplate.sentNanos(p1, 0)).isEqualTo(0x0102_0304_0506_0708L);
        assertThat(PublishTemplate.publisher(p1, 0)).isEqualTo(7);
        assertThat(PublishTemplate.sequence(p1, 0)).isEqualTo(41);
        assertThat(PublishTemplate.sentNanos(p2, 0)).isEqualTo(-5L);
        assertThat(PublishTemplate.sequence(p2, 0)).isEqualTo(42);
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void payloadTooSmallForTheHeaderIsRefused(MqttVersion version, int qos, int ignored, String topic) {
        assertThatThrownBy(() -> PublishTemplate.of(version, topic, qos, PublishTemplate.HEADER_BYTES - 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16 bytes");
    }

    private static Publish read(ByteBuf buf, MqttVersion version) {
        int firstByte = buf.readUnsignedByte();
        int remainingLength = PacketReader.remainingLength(buf, buf.readerIndex());
        buf.skipBytes(PacketReader.packetBytes(remainingLength) - 1 - remainingLength);
        MqttPacket packet = PacketReader.read(firstByte, buf.readSlice(remainingLength), version);
        assertThat(packet).isInstanceOf(Publish.class);
        return (Publish) packet;
    }
}
