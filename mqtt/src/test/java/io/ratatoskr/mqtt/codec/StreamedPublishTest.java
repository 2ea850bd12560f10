package io.ratatoskr.mqtt.codec;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.ratatoskr.mqtt.codec.Frames.encode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large PUBLISH payloads are copied from each read straight into their array ({@link MqttDecoder}): however the
 * bytes are cut, every packet comes out whole and byte-exact, in order, and the decoder does not gather a large
 * frame in its buffer first.
 */
class StreamedPublishTest {
    private static final int MAX_PACKET_BYTES = 1 << 20;

    private static Publish publish(SplittableRandom random, MqttVersion version, int payloadBytes, int packetId) {
        byte[] payload = new byte[payloadBytes];
        random.nextBytes(payload);
        MqttProperties properties = version.isV5()
                ? MqttProperties.builder().contentType("application/octet-stream")
                        .addUserProperty("k", "v".repeat(random.nextInt(1, 300))).build()
                : MqttProperties.EMPTY;
        int qos = packetId == 0 ? 0 : 1;
        return new Publish("big/" + "t".repeat(random.nextInt(1, 200)), qos, random.nextBoolean(), false, packetId,
                payload, properties);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MqttVersion.class)
    void largePublishesCutAnywhereDecodeByteExactAndInOrder(MqttVersion version) {
        SplittableRandom random = Seeds.random("StreamedPublishTest." + version, 0x57AE_A11DL);
        for (int trial = 0; trial < 25; trial++) {
            List<MqttPacket> expected = new ArrayList<>();
            byte[] stream = new byte[0];
            for (int i = 0; i < 5; i++) {
                // Around and above both thresholds: 4 KiB (streamed at all) and 128 KiB (streamed at once).
                int payloadBytes = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0, 200);
                    case 1 -> random.nextInt(3_900, 4_300);
                    case 2 -> random.nextInt(16_000, 70_000);
                    default -> random.nextInt(120_000, 300_000);
                };
                MqttPacket p = publish(random, version, payloadBytes, random.nextBoolean() ? 0 : i + 1);
                if (random.nextInt(3) == 0) {
                    p = random.nextBoolean() ? PingReq.INSTANCE : new PubAck(i + 1, 0, MqttProperties.EMPTY);
                }
                expected.add(p);
                stream = Frames.concat(stream, encode(p, version));
            }
            int[] cuts = random.ints(random.nextInt(1, 60), 1, stream.length).sorted().toArray();
            EmbeddedChannel channel = Frames.untrackedChannel(MqttDecoder.forClient(version, MAX_PACKET_BYTES));
            try {
                List<Object> out = Frames.feed(channel, Frames.split(stream, cuts).toArray(byte[][]::new));
                assertThat(out).as("trial %d, cuts %s", trial, Arrays.toString(cuts))
                        .containsExactlyElementsOf(expected);
            } finally {
                channel.finishAndReleaseAll();
            }
        }
    }

    @Test
    void largePublishIsNotGatheredInTheDecodersBuffer() {
        SplittableRandom random = Seeds.random("StreamedPublishTest.gather", 0x6A7E_0001L);
        Publish publish = publish(random, MqttVersion.V5, 64 * 1024, 7);
        byte[] bytes = encode(publish, MqttVersion.V5);
        MqttDecoder decoder = MqttDecoder.forClient(MqttVersion.V5, MAX_PACKET_BYTES);
        EmbeddedChannel channel = Frames.untrackedChannel(decoder);
        try {
            int chunk = 4 * 1024;
            for (int from = 0; from < bytes.length; from += chunk) {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, from, Math.min(chunk, bytes.length - from)));
                // Each chunk is copied into the payload and let go: the buffer never grows towards the frame.
                assertThat(decoder.cumulationCapacity()).as("after %d bytes", from).isLessThanOrEqualTo(2 * chunk);
            }
            assertThat(Frames.drain(channel)).containsExactly(publish);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void heldDecoderEmitsAStreamedPublishOnlyAfterRelease() {
        SplittableRandom random = Seeds.random("StreamedPublishTest.hold", 0x6A7E_0002L);
        Publish first = publish(random, MqttVersion.V3_1_1, 50_000, 1);
        Publish second = publish(random, MqttVersion.V3_1_1, 50_000, 2);
        byte[] a = encode(first, MqttVersion.V3_1_1);
        byte[] b = encode(second, MqttVersion.V3_1_1);
        MqttDecoder decoder = MqttDecoder.forClient(MqttVersion.V3_1_1, MAX_PACKET_BYTES);
        EmbeddedChannel channel = Frames.untrackedChannel(decoder);
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(a, 0, 20_000)); // the first one is streaming
            decoder.hold();
            channel.writeInbound(Unpooled.wrappedBuffer(Frames.concat(Arrays.copyOfRange(a, 20_000, a.length), b)));
            assertThat(Frames.drain(channel)).as("nothing while held").isEmpty();

            decoder.release(channel.pipeline().context(decoder));

            assertThat(Frames.drain(channel)).containsExactly(first, second);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void malformedHeaderOfALargePublishIsRefusedBeforeItsPayloadArrives() {
        // QoS 1 with packet identifier 0 [MQTT-2.2.1-3], in a frame claiming 100,000 bytes of which 60,000 are here.
        byte[] frame = encode(new Publish("t", 1, false, false, 1, new byte[100_000], MqttProperties.EMPTY),
                MqttVersion.V3_1_1);
        int idAt = 1 + 3 + 2 + 1; // type, three length bytes, topic length, "t"
        frame[idAt] = 0;
        frame[idAt + 1] = 0;
        List<Object> out = Frames.decodeAll(MqttDecoder.forClient(MqttVersion.V3_1_1, MAX_PACKET_BYTES),
                Arrays.copyOf(frame, 60_000));
        assertThat(out).singleElement().isInstanceOf(DecodeFailure.class);
    }
}
