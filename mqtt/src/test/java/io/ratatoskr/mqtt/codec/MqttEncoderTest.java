package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import org.junit.jupiter.api.Test;

import static io.ratatoskr.mqtt.codec.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;

class MqttEncoderTest {

    private static byte[] written(EmbeddedChannel channel, MqttPacket packet) {
        assertThat(channel.writeOutbound(packet)).isTrue();
        ByteBuf buf = channel.readOutbound();
        try {
            assertThat(buf.capacity()).as("allocated exactly").isEqualTo(buf.readableBytes());
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void writesInV311UntilTheVersionIsSet() {
        MqttEncoder encoder = new MqttEncoder();
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        try {
            PubAck ack = new PubAck(1, ReasonCode.NO_MATCHING_SUBSCRIBERS, MqttProperties.EMPTY);
            assertThat(encoder.version()).isEqualTo(MqttVersion.V3_1_1);
            assertThat(written(channel, ack)).isEqualTo(hex("40 02 00 01"));
            encoder.version(MqttVersion.V5);
            assertThat(written(channel, ack)).isEqualTo(hex("40 03 00 01 10"));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void buffersAreExactlyTheEncodedSizeForEveryType() {
        for (MqttVersion version : new MqttVersion[] {MqttVersion.V3_1_1, MqttVersion.V5}) {
            EmbeddedChannel channel = new EmbeddedChannel(new MqttEncoder(version));
            try {
                for (PacketType type : SamplePackets.typesOf(version)) {
                    MqttPacket packet = SamplePackets.of(type, version,
                            version.isV5() ? SamplePackets.allPropertiesOf(type) : MqttProperties.EMPTY);
                    byte[] bytes = written(channel, packet);
                    assertThat(bytes).isEqualTo(Frames.encode(packet, version));
                    assertThat(Frames.read(bytes, version)).isEqualTo(packet);
                }
            } finally {
                channel.finishAndReleaseAll();
            }
        }
    }

    @Test
    void packetThatCannotBeEncodedFailsItsWriteAndWritesNothing() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttEncoder(MqttVersion.V5));
        try {
            Publish bad = new Publish("a\u0000", 0, false, false, 0, new byte[0], MqttProperties.EMPTY);
            ChannelFuture future = channel.writeOneOutbound(bad);
            channel.flushOutbound();
            assertThat(future.isSuccess()).isFalse();
            assertThat(future.cause()).isInstanceOf(EncoderException.class)
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
            assertThat(channel.<Object>readOutbound()).isNull();
            // The channel stays usable for the packets that follow.
            assertThat(written(channel, MqttPacket.PingResp.INSTANCE)).isEqualTo(hex("D0 00"));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void encoderAndDecoderTalkToEachOther() {
        EmbeddedChannel client = new EmbeddedChannel(new MqttEncoder(MqttVersion.V5));
        EmbeddedChannel server = new EmbeddedChannel(MqttDecoder.forServer(1 << 16));
        try {
            MqttPacket connect = SamplePackets.of(PacketType.CONNECT, MqttVersion.V5,
                    SamplePackets.allPropertiesOf(PacketType.CONNECT));
            MqttPacket publish = SamplePackets.of(PacketType.PUBLISH, MqttVersion.V5,
                    SamplePackets.allPropertiesOf(PacketType.PUBLISH));
            client.writeOutbound(connect, publish);
            ByteBuf out;
            while ((out = client.readOutbound()) != null) {
                server.writeInbound(out);
            }
            assertThat(Frames.drain(server)).containsExactly(connect, publish);
        } finally {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }
}
