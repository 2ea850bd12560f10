package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

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

    private static Publish publish(String topic, int packetId, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + packetId);
        }
        return new Publish(topic, 1, false, false, packetId, payload, MqttProperties.EMPTY);
    }

    /** Every buffer written since the last read, in order. */
    private static List<byte[]> buffers(EmbeddedChannel channel) {
        List<byte[]> out = new ArrayList<>();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.add(ByteBufUtil.getBytes(buf));
            buf.release();
        }
        return out;
    }

    @Test
    void packetsWrittenBetweenFlushesLeaveAsOneBufferInOrder() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttEncoder(MqttVersion.V5));
        try {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            for (int i = 1; i <= 20; i++) {
                MqttPacket p = i % 3 == 0 ? new MqttPacket.PubRel(i) : publish("batch/" + (i % 2), i, 10 * i);
                expected.writeBytes(Frames.encode(p, MqttVersion.V5));
                channel.write(p, channel.voidPromise()); // as a session writes its deliveries
            }
            assertThat(channel.<Object>readOutbound()).as("nothing leaves before the flush").isNull();
            channel.flush();

            List<byte[]> written = buffers(channel);
            assertThat(written).as("one buffer for the whole flush").hasSize(1);
            assertThat(written.get(0)).isEqualTo(expected.toByteArray());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void largePacketsAndFullBatchesKeepTheOrderOfWrites() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttEncoder(MqttVersion.V3_1_1));
        try {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            int[] sizes = {5, MqttEncoder.BATCH_BYTES + 100, 7, 9000, 9000, 9000, 3, MqttEncoder.BATCH_BYTES * 3, 1};
            for (int i = 0; i < sizes.length; i++) {
                Publish p = publish("big", i + 1, sizes[i]);
                expected.writeBytes(Frames.encode(p, MqttVersion.V3_1_1));
                channel.write(p, channel.voidPromise());
            }
            channel.write(new PubAck(1, ReasonCode.SUCCESS, MqttProperties.EMPTY)); // an answer: its own buffer
            expected.writeBytes(Frames.encode(new PubAck(1, ReasonCode.SUCCESS, MqttProperties.EMPTY),
                    MqttVersion.V3_1_1));
            channel.flush();

            ByteArrayOutputStream actual = new ByteArrayOutputStream();
            List<byte[]> written = buffers(channel);
            written.forEach(actual::writeBytes);
            assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
            assertThat(written.size()).as("fewer buffers than packets").isLessThan(sizes.length);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aPacketThatCannotBeEncodedInsideABatchLeavesItsNeighboursIntact() {
        EmbeddedChannel channel = new EmbeddedChannel(new MqttEncoder(MqttVersion.V5));
        try {
            Publish before = publish("ok", 1, 40);
            Publish after = publish("ok", 2, 40);
            channel.write(before, channel.voidPromise());
            ChannelFuture bad = channel.write(new Publish("a\u0000", 1, false, false, 3, new byte[0],
                    MqttProperties.EMPTY));
            channel.write(after, channel.voidPromise());
            channel.flush();

            assertThat(bad.cause()).isInstanceOf(EncoderException.class);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(Frames.encode(before, MqttVersion.V5));
            expected.writeBytes(Frames.encode(after, MqttVersion.V5));
            ByteArrayOutputStream actual = new ByteArrayOutputStream();
            buffers(channel).forEach(actual::writeBytes);
            assertThat(actual.toByteArray()).isEqualTo(expected.toByteArray());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void theSameTopicStringFannedOutIsEncodedIdenticallyEachTime() {
        // One String, many subscribers on one loop: the thread's cached UTF-8 must be that string's.
        String topic = "fan/\u00e9t\u00e9/\ud83d\ude00";
        String other = "fan/ete/xx";
        EmbeddedChannel channel = new EmbeddedChannel(new MqttEncoder(MqttVersion.V5));
        try {
            for (String t : new String[] {topic, topic, other, topic}) {
                Publish p = new Publish(t, 0, false, false, 0, utf8(t), MqttProperties.EMPTY);
                assertThat(written(channel, p)).isEqualTo(Frames.encode(p, MqttVersion.V5));
                assertThat(Frames.read(Frames.encode(p, MqttVersion.V5), MqttVersion.V5)).isEqualTo(p);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
