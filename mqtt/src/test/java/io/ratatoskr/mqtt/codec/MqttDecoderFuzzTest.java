package io.ratatoskr.mqtt.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the MQTT codec (Jazzer). Without {@code JAZZER_FUZZ=1} each method runs only
 * its inputs under {@code src/test/resources/io/ratatoskr/mqtt/codec/MqttDecoderFuzzTestInputs/<method>/}
 * (seeds and every finding kept as a regression input); with it, the fuzzer mutates them (docs/security.md,
 * "Fuzzing").
 *
 * <p>The contract checked, for any byte stream cut anywhere: the decoder emits packets and then at most one
 * {@link DecodeFailure}, never an exception and never a failure that stands for a bug of ours (a runtime
 * exception other than the codec's own); its buffer stays within the maximum packet size plus the chunk
 * being read; and every packet it accepts survives encode and decode unchanged.
 */
class MqttDecoderFuzzTest {
    /** Small, so that the fuzzer reaches the too-large path as well as whole packets. */
    private static final int MAX_PACKET_BYTES = 4096;
    private static final int MAX_CHUNKS = 16;

    @FuzzTest
    void serverDecoderHandlesAnyStream(FuzzedDataProvider data) {
        int[] cuts = cuts(data);
        decodeAndCheck(MqttDecoder.forServer(MAX_PACKET_BYTES), data.consumeRemainingAsBytes(), cuts);
    }

    @FuzzTest
    void clientDecoderHandlesAnyStream(FuzzedDataProvider data) {
        MqttVersion version = data.pickValue(MqttVersion.values());
        int[] cuts = cuts(data);
        decodeAndCheck(MqttDecoder.forClient(version, MAX_PACKET_BYTES), data.consumeRemainingAsBytes(), cuts);
    }

    @FuzzTest
    void packetReaderThrowsOnlyItsOwnException(FuzzedDataProvider data) {
        MqttVersion version = data.pickValue(MqttVersion.values());
        int firstByte = data.consumeInt(0, 255);
        byte[] frame = data.consumeRemainingAsBytes();
        MqttPacket packet;
        try {
            packet = PacketReader.read(firstByte, Unpooled.wrappedBuffer(frame), version);
        } catch (MalformedPacketException expected) {
            return;
        }
        assertRoundTrips(packet, version);
    }

    private static int[] cuts(FuzzedDataProvider data) {
        int n = data.consumeInt(0, MAX_CHUNKS - 1);
        int[] cuts = new int[n];
        for (int i = 0; i < n; i++) {
            cuts[i] = data.consumeInt(1, 1 << 13);
        }
        java.util.Arrays.sort(cuts);
        return cuts;
    }

    private static void decodeAndCheck(MqttDecoder decoder, byte[] stream, int[] cuts) {
        EmbeddedChannel channel = Frames.untrackedChannel(decoder);
        List<Object> out = new ArrayList<>();
        try {
            int largestChunk = 0;
            for (byte[] chunk : Frames.split(stream, cuts)) {
                largestChunk = Math.max(largestChunk, chunk.length);
                channel.writeInbound(Unpooled.wrappedBuffer(chunk));
                out.addAll(Frames.drain(channel));
                assertThat(decoder.cumulationCapacity()).as("cumulation buffer")
                        .isLessThanOrEqualTo(Math.max(MAX_PACKET_BYTES, 4096) + largestChunk);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        for (int i = 0; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof DecodeFailure failure) {
                assertThat(i).as("a failure is the last thing emitted").isEqualTo(out.size() - 1);
                assertThat(failure.reason()).as("a failure from a bug of the decoder, not the input")
                        .doesNotContain("could not be decoded");
                assertThat(decoder.failed()).isTrue();
            } else {
                assertThat(o).isInstanceOf(MqttPacket.class);
                assertRoundTrips((MqttPacket) o, decoder.version());
            }
        }
    }

    /** decode(encode(p)) == p for every packet the decoder accepted. */
    private static void assertRoundTrips(MqttPacket packet, MqttVersion version) {
        byte[] encoded = Frames.encode(packet, version);
        MqttVersion readAs = packet instanceof MqttPacket.Connect ? null : version;
        assertThat(Frames.read(encoded, readAs)).as("re-decoded %s", packet).isEqualTo(packet);
    }
}
