package io.ratatoskr.mqtt.codec;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.Vectors.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.FieldSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.ratatoskr.mqtt.codec.Frames.concat;
import static io.ratatoskr.mqtt.codec.Frames.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** However the bytes are cut on their way in, the same packets come out. */
class SplitDeliveryTest {
    static final List<Vector> vectors = Vectors.ALL;
    static final int MAX_PACKET_BYTES = 1 << 20;

    @ParameterizedTest(name = "{0}")
    @FieldSource("vectors")
    void vectorFedByteByByteDecodesTheSame(Vector v) {
        MqttDecoder decoder = MqttDecoder.forClient(v.version(), MAX_PACKET_BYTES);
        EmbeddedChannel channel = Frames.channel(decoder);
        try {
            byte[] b = v.bytes();
            for (int i = 0; i < b.length; i++) {
                channel.writeInbound(Unpooled.wrappedBuffer(b, i, 1));
                if (i < b.length - 1) {
                    assertThat(channel.<Object>readInbound()).as("nothing before the last byte").isNull();
                }
            }
            assertThat(Frames.drain(channel)).containsExactly(v.packet());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MqttVersion.class)
    void allVectorsOfAVersionInOneStreamDecodeTheSameUnderRandomCuts(MqttVersion version) {
        List<MqttPacket> expected = new ArrayList<>();
        byte[] stream = new byte[0];
        for (Vector v : vectors) {
            if (v.version() == version) {
                expected.add(v.packet());
                stream = concat(stream, v.bytes());
            }
        }
        SplittableRandom random = new SplittableRandom(version.ordinal());
        for (int round = 0; round < 200; round++) {
            int[] cuts = random.ints(random.nextInt(1, 40), 1, stream.length).sorted().toArray();
            EmbeddedChannel channel = Frames.channel(MqttDecoder.forClient(version, MAX_PACKET_BYTES));
            try {
                List<Object> out = Frames.feed(channel, Frames.split(stream, cuts).toArray(byte[][]::new));
                assertThat(out).as("cuts %s", Arrays.toString(cuts)).containsExactlyElementsOf(expected);
            } finally {
                channel.finishAndReleaseAll();
            }
        }
    }

    @Test
    void largePacketFedByteByByteIsCopiedAboutOnceAndStaysWithinItsSize() {
        Publish publish = new Publish("big", 1, false, false, 1, new byte[256 * 1024], MqttProperties.EMPTY);
        byte[] bytes = encode(publish, MqttVersion.V5);
        MqttDecoder decoder = MqttDecoder.forClient(MqttVersion.V5, MAX_PACKET_BYTES);
        EmbeddedChannel channel = Frames.untrackedChannel(decoder);
        try {
            // Doubling growth, or growth by each chunk, would be quadratic or overshoot the frame size.
            List<Object> out = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                int maxCapacity = 0;
                for (int i = 0; i < bytes.length; i++) {
                    channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, 1));
                    maxCapacity = Math.max(maxCapacity, decoder.cumulationCapacity());
                }
                assertThat(maxCapacity).isLessThanOrEqualTo(bytes.length + 1);
                return Frames.drain(channel);
            });
            assertThat(out).containsExactly(publish);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void claimedFrameSizeIsNotReservedBeforeItsBytesArrive() {
        // A PUBLISH header claiming 1,048,560 bytes, then 1 KiB of it in two chunks: the buffer follows
        // what arrived (a hostile peer pays for the memory it makes the broker hold), not what was claimed.
        MqttDecoder decoder = MqttDecoder.forClient(MqttVersion.V5, MAX_PACKET_BYTES);
        EmbeddedChannel channel = Frames.untrackedChannel(decoder);
        try {
            byte[] header = {0x30, (byte) 0xF0, (byte) 0xFF, 0x3F};
            channel.writeInbound(Unpooled.wrappedBuffer(header));
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[512]));
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[512]));

            assertThat(decoder.cumulationCapacity()).isLessThanOrEqualTo(8 * 1024);
            assertThat(Frames.drain(channel)).isEmpty();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void packetsSpanningChunkBoundariesKeepTheirOrder() {
        byte[] one = encode(new Publish("a", 0, false, false, 0, new byte[3000], MqttProperties.EMPTY), MqttVersion.V3_1_1);
        byte[] two = encode(new Publish("b", 0, false, false, 0, new byte[10], MqttProperties.EMPTY), MqttVersion.V3_1_1);
        byte[] stream = concat(one, two, one, two);
        for (int chunk : new int[] {1, 2, 3, 7, 100, 1000, 3004, 4096}) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < stream.length; at += chunk) {
                chunks.add(Arrays.copyOfRange(stream, at, Math.min(stream.length, at + chunk)));
            }
            List<Object> out = Frames.decodeAllChunks(MqttDecoder.forClient(MqttVersion.V3_1_1, 4096), chunks);
            assertThat(out).as("chunks of %d", chunk).extracting(o -> ((Publish) o).topic())
                    .containsExactly("a", "b", "a", "b");
        }
    }
}
