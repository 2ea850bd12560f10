package io.ratatoskr.mqtt.codec;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.ratatoskr.mqtt.codec.Frames.concat;
import static io.ratatoskr.mqtt.codec.Frames.encode;
import static io.ratatoskr.mqtt.codec.Frames.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Seeded randomized tests of the codec. The seed is printed; replay a failure with
 * {@code ./mvnw -pl mqtt test -Dtest=RandomizedCodecTest -Dcodec.seed=<seed>} ({@code -Dtest.seed}, the
 * project-wide override of {@link Seeds}, works too; {@code codec.seed} wins when both are set).
 */
class RandomizedCodecTest {
    static final long DEFAULT_SEED = 0x5EED_C0DEC_2024L;
    static final String SEED_PROPERTY = "codec.seed";
    static long seed;

    @BeforeAll
    static void printSeed() {
        String override = System.getProperty(SEED_PROPERTY);
        if (override == null || override.isBlank()) {
            seed = Seeds.seed("RandomizedCodecTest", DEFAULT_SEED);
        } else {
            seed = Long.parseLong(override.trim());
            System.out.println("[seed] RandomizedCodecTest uses seed " + seed + " (replay with -D" + SEED_PROPERTY
                    + "=" + seed + ")");
        }
    }

    /** A random generator for one test, derived from the seed and the test's name so tests stay independent. */
    static SplittableRandom random(String test) {
        return new SplittableRandom(seed ^ test.hashCode());
    }

    static final List<MqttVersion> VERSIONS = List.of(MqttVersion.V3_1, MqttVersion.V3_1_1, MqttVersion.V5);

    @Test
    void randomValidPacketsOfEveryTypeRoundTripThroughTheDecoderInRandomChunks() {
        SplittableRandom random = random("roundTrip");
        RandomPackets packets = new RandomPackets(random);
        for (int i = 0; i < 2_000; i++) {
            MqttVersion version = VERSIONS.get(random.nextInt(VERSIONS.size()));
            List<PacketType> types = SamplePackets.typesOf(version);
            // The server decoder takes a CONNECT first; then a run of packets of any type.
            List<MqttPacket> sent = new ArrayList<>();
            sent.add(packets.connect(version));
            for (int n = random.nextInt(4); n > 0; n--) {
                sent.add(packets.packet(types.get(random.nextInt(types.size())), version));
            }
            byte[] stream = new byte[0];
            for (MqttPacket p : sent) {
                byte[] bytes = encode(p, version);
                assertThat(bytes).as("encoded size of %s", p).hasSize(PacketWriter.encodedSize(p, version));
                stream = concat(stream, bytes);
            }
            MqttDecoder decoder = MqttDecoder.forServer(Wire.MAX_PACKET_BYTES);
            // Leak tracking stays on in the mutation test below, which covers the same buffer paths.
            int maxChunk = random.nextInt(8) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(1024);
            List<Object> received = feedInRandomChunks(Frames.untrackedChannel(decoder), decoder, stream, random,
                    maxChunk).output();
            assertThat(received).as("iteration %d in %s", i, version).containsExactlyElementsOf(sent);
            assertThat(decoder.version()).isEqualTo(version);
        }
    }

    @Test
    void mutatedAndRandomInputNeverEscapesTheDecoderAndFailsAtMostOnce() {
        SplittableRandom random = random("mutation");
        RandomPackets packets = new RandomPackets(random);
        int failures = 0;
        int decoded = 0;
        for (int i = 0; i < 3_000; i++) {
            MqttVersion version = VERSIONS.get(random.nextInt(VERSIONS.size()));
            boolean server = random.nextBoolean();
            byte[] input;
            if (random.nextInt(10) == 0) {
                input = new byte[random.nextInt(300)];
                random.nextBytes(input);
            } else {
                List<PacketType> types = SamplePackets.typesOf(version);
                byte[] valid = concat(
                        server ? encode(packets.connect(version), version) : new byte[0],
                        encode(packets.packet(types.get(random.nextInt(types.size())), version), version),
                        encode(packets.packet(types.get(random.nextInt(types.size())), version), version));
                input = mutate(valid, random);
            }
            int maxPacketBytes = random.nextBoolean() ? 2 + random.nextInt(200) : 64 * 1024;
            MqttDecoder decoder = server
                    ? MqttDecoder.forServer(maxPacketBytes)
                    : MqttDecoder.forClient(version, maxPacketBytes);
            byte[] in = input;
            int iteration = i;
            Fed fed = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> feedInRandomChunks(Frames.channel(decoder), decoder, in, random, 1 + random.nextInt(512)),
                    () -> "iteration " + iteration + " took too long");

            List<Object> out = fed.output();
            long failuresEmitted = out.stream().filter(o -> o instanceof DecodeFailure).count();
            assertThat(failuresEmitted).as("iteration %d: %s", i, out).isLessThanOrEqualTo(1);
            if (failuresEmitted == 1) {
                failures++;
                assertThat(out.getLast()).as("iteration %d: the failure comes last", i).isInstanceOf(DecodeFailure.class);
                assertThat(decoder.failed()).isTrue();
                DecodeFailure f = (DecodeFailure) out.getLast();
                assertThat(f.reasonCode()).isIn(ReasonCode.MALFORMED_PACKET, ReasonCode.PROTOCOL_ERROR,
                        ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, ReasonCode.PACKET_TOO_LARGE);
                assertThat(f.reason()).doesNotContain("could not be decoded"); // no codec bug behind it
            }
            assertThat(fed.maxCumulationCapacity())
                    .as("iteration %d: cumulation bound", i)
                    .isLessThanOrEqualTo(maxPacketBytes + fed.largestChunk());
            // Whatever the decoder accepted, the writer can write again, and it reads back the same.
            for (Object o : out) {
                if (o instanceof MqttPacket p) {
                    decoded++;
                    MqttVersion v = p instanceof Connect c ? c.version() : decoder.version();
                    assertThatCode(() -> encode(p, v)).as("iteration %d: re-encode %s", i, p).doesNotThrowAnyException();
                    assertThat(Frames.read(encode(p, v), v)).isEqualTo(p);
                }
            }
        }
        System.out.println("mutation test: " + failures + " inputs failed, " + decoded + " packets decoded");
        assertThat(failures).isGreaterThan(1_000);
        assertThat(decoded).isGreaterThan(500);
    }

    @Test
    void hugeRemainingLengthClaimFailsAtOnceWithPacketTooLarge() {
        EmbeddedChannel channel = Frames.channel(MqttDecoder.forClient(MqttVersion.V5, 1 << 20));
        try {
            List<Object> out = Frames.feed(channel, hex("30 FF FF FF 7F"));
            assertThat(out).singleElement().isInstanceOfSatisfying(DecodeFailure.class,
                    f -> assertThat(f.reasonCode()).isEqualTo(ReasonCode.PACKET_TOO_LARGE));
            byte[] junk = new byte[1 << 16];
            for (int i = 0; i < 64; i++) {
                channel.writeInbound(Unpooled.wrappedBuffer(junk));
            }
            assertThat(Frames.drain(channel)).isEmpty();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void utf8ValidationAgreesWithTheJdksStrictDecoder() {
        SplittableRandom random = random("utf8");
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int valid = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[1 + random.nextInt(6)];
            for (int k = 0; k < b.length; k++) {
                // Bias towards lead and continuation bytes, where the interesting cases are.
                b[k] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : 0x80 + random.nextInt(0x80));
            }
            boolean jdk;
            String s = null;
            try {
                s = decoder.decode(ByteBuffer.wrap(b)).toString();
                jdk = s.indexOf('\0') < 0;
            } catch (CharacterCodingException e) {
                jdk = false;
            }
            boolean ours;
            try {
                Utf8.validate(Unpooled.wrappedBuffer(b), 0, b.length, "s");
                ours = true;
            } catch (MalformedPacketException e) {
                ours = false;
            }
            assertThat(ours).as("%s", Arrays.toString(b)).isEqualTo(jdk);
            if (ours) {
                valid++;
                assertThat(Utf8.encodedLength(s, "s")).isEqualTo(b.length);
            }
        }
        assertThat(valid).isGreaterThan(1_000);
    }

    record Fed(List<Object> output, int largestChunk, int maxCumulationCapacity) {
    }

    /** Feeds {@code bytes} in chunks of 1..maxChunk bytes, watching the decoder's cumulation buffer. */
    static Fed feedInRandomChunks(EmbeddedChannel channel, MqttDecoder decoder, byte[] bytes, SplittableRandom random,
                                  int maxChunk) {
        try {
            int largest = 0;
            int maxCapacity = 0;
            int at = 0;
            while (at < bytes.length) {
                int n = Math.min(bytes.length - at, 1 + random.nextInt(maxChunk));
                channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, at, at + n)));
                at += n;
                largest = Math.max(largest, n);
                maxCapacity = Math.max(maxCapacity, decoder.cumulationCapacity());
            }
            return new Fed(Frames.drain(channel), largest, maxCapacity);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** One to three mutations of the kinds that break framing: bit flips, cuts, inserted bytes, bad lengths. */
    static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] b = valid.clone();
        for (int m = 1 + random.nextInt(3); m > 0 && b.length > 0; m--) {
            switch (random.nextInt(5)) {
                case 0 -> {
                    int at = random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
                case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length));
                case 2 -> {
                    int at = random.nextInt(b.length + 1);
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, at);
                    c[at] = (byte) random.nextInt(256);
                    System.arraycopy(b, at, c, at + 1, b.length - at);
                    b = c;
                }
                case 3 -> {
                    // Corrupt a Remaining Length: the byte after the first one, or a random one.
                    int at = random.nextBoolean() ? Math.min(1, b.length - 1) : random.nextInt(b.length);
                    b[at] = (byte) (random.nextBoolean() ? 0xFF : random.nextInt(256));
                }
                default -> {
                    int at = random.nextInt(b.length);
                    b[at] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }
}
