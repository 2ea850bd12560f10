package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.testkit.Seeds;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static io.ratatoskr.mqtt.codec.Frames.encode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Seeded randomized round trips of MQTT 5 PUBLISH properties through the paths the broker takes: a message's
 * properties encoded once and shared by per-delivery copies ({@link MqttProperties#withDeliveryValues}),
 * blocks decoded from direct and heap buffers, small and larger than the per-thread scratch space. The
 * seed is printed; replay with {@code -Dtest.seed=<seed>}.
 */
class PublishPropertiesCodecTest {
    private static final long DEFAULT_SEED = 0x5EED_0005_C0DEL;
    private static final String TOPIC = "fleet/eu-west/vehicle-4711/engine";

    @Test
    void deliveryCopiesEncodeTheSameBytesAsPropertiesBuiltFromScratchAndDecodeEqual() {
        SplittableRandom random = Seeds.random("PublishPropertiesCodecTest.deliveryCopies", DEFAULT_SEED);
        RandomPackets values = new RandomPackets(random);
        for (int i = 0; i < 500; i++) {
            MqttProperties message = messageProperties(values, random);
            // Several subscribers of one message: each copy shares the message's encoding.
            for (int d = 0; d < 4; d++) {
                long expiry = random.nextBoolean() ? -1 : values.fourByte();
                int[] ids = new int[random.nextInt(3)];
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = values.variableByteInteger(1);
                }
                int alias = random.nextBoolean() ? -1 : 1 + random.nextInt(0xFFFF);
                MqttProperties copy = message.withDeliveryValues(expiry, ids, alias);

                MqttProperties.Builder b = message.toBuilder().messageExpiryInterval(expiry).topicAlias(alias);
                for (int id : ids) {
                    b.addSubscriptionIdentifier(id);
                }
                MqttProperties scratch = b.build();
                assertThat(copy).as("iteration %d", i).isEqualTo(scratch).hasSameHashCodeAs(scratch);

                Publish viaCopy = publish(copy, random);
                Publish viaScratch = new Publish(viaCopy.topic(), viaCopy.qos(), viaCopy.retain(), viaCopy.dup(),
                        viaCopy.packetId(), viaCopy.payload(), scratch);
                byte[] bytes = encode(viaCopy, MqttVersion.V5);
                assertThat(bytes).as("iteration %d: %s", i, copy).isEqualTo(encode(viaScratch, MqttVersion.V5));
                assertThat(decodeDirect(bytes)).as("iteration %d", i).isEqualTo(viaScratch);
                assertThat(Frames.read(bytes, MqttVersion.V5)).isEqualTo(viaScratch);
            }
        }
    }

    @Test
    void userPropertiesThatShareStringsWithTheLastEncodingOnTheThreadKeepTheirOwnValues() {
        SplittableRandom random = Seeds.random("PublishPropertiesCodecTest.sharedStrings", DEFAULT_SEED);
        RandomPackets values = new RandomPackets(random);
        // The same String objects come back at the same and at other indexes (as a consumer group's property
        // names and topic do), mixed with new strings, so the encoder's reuse of the last encoding is exercised.
        String[] pool = new String[6];
        for (int k = 0; k < pool.length; k++) {
            pool[k] = values.string();
        }
        for (int i = 0; i < 1000; i++) {
            MqttProperties.Builder b = MqttProperties.builder();
            int pairs = random.nextInt(6);
            for (int k = 0; k < pairs; k++) {
                String name = random.nextInt(4) == 0 ? values.string() : pool[random.nextInt(pool.length)];
                String value = random.nextInt(3) == 0 ? values.string() : pool[random.nextInt(pool.length)];
                b.addUserProperty(name, value);
            }
            Publish p = publish(b.build(), random);
            byte[] bytes = encode(p, MqttVersion.V5);
            assertThat(Frames.read(bytes, MqttVersion.V5)).as("iteration %d", i).isEqualTo(p);
        }
    }

    @Test
    void propertyBlocksLargerThanTheScratchSpaceDecodeLikeSmallOnes() {
        SplittableRandom random = Seeds.random("PublishPropertiesCodecTest.largeBlocks", DEFAULT_SEED);
        RandomPackets values = new RandomPackets(random);
        for (int i = 0; i < 50; i++) {
            MqttProperties.Builder b = MqttProperties.builder().contentType(values.string());
            int target = Wire.SCRATCH_BYTES - 64 + random.nextInt(256); // either side of the scratch size
            int size = 0;
            while (size < target) {
                String value = "v".repeat(random.nextInt(400)) + values.string();
                b.addUserProperty("k" + size, value);
                size += 1 + 2 + ("k" + size).length() + 2 + value.getBytes(StandardCharsets.UTF_8).length;
            }
            Publish p = publish(b.build(), random);
            byte[] bytes = encode(p, MqttVersion.V5);
            assertThat(decodeDirect(bytes)).as("iteration %d", i).isEqualTo(p);
            assertThat(Frames.read(bytes, MqttVersion.V5)).isEqualTo(p);
        }
    }

    @Test
    void aRefusedBlockLeavesNothingBehindForTheNextPacketOnTheThread() {
        // Content type, then a second payload format indicator: a Protocol Error after values were collected.
        byte[] refused = Frames.hex("30 18 00 03 61 2F 62 11 01 01 03 00 0A 74 65 78 74 2F 70 6C 61 69 6E 01 00"
                + " 78");
        assertThatThrownBy(() -> decodeDirect(refused)).isInstanceOfSatisfying(MalformedPacketException.class,
                e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR));
        Publish clean = new Publish("a/b", 0, false, false, 0, new byte[] {'x'},
                MqttProperties.builder().addUserProperty("k", "v").build());
        assertThat(decodeDirect(encode(clean, MqttVersion.V5))).isEqualTo(clean);
    }

    @Test
    void utf8ValidationOfLongStringsAgreesWithTheJdksStrictDecoder() {
        SplittableRandom random = Seeds.random("PublishPropertiesCodecTest.utf8", DEFAULT_SEED);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int valid = 0;
        for (int i = 0; i < 20_000; i++) {
            // Runs of ASCII long enough for the eight-bytes-at-a-time path, with a random byte or two anywhere.
            byte[] b = new byte[1 + random.nextInt(40)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (1 + random.nextInt(0x7F));
            }
            for (int n = random.nextInt(3); n > 0; n--) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            boolean jdk;
            try {
                jdk = decoder.decode(ByteBuffer.wrap(b)).toString().indexOf('\0') < 0;
            } catch (CharacterCodingException e) {
                jdk = false;
            }
            int offset = random.nextInt(8);
            byte[] shifted = new byte[offset + b.length];
            System.arraycopy(b, 0, shifted, offset, b.length);
            boolean ours;
            try {
                Utf8.validate(shifted, offset, b.length, "s");
                ours = true;
            } catch (MalformedPacketException e) {
                ours = false;
            }
            assertThat(ours).as("%s", Arrays.toString(b)).isEqualTo(jdk);
            valid += ours ? 1 : 0;
        }
        assertThat(valid).isGreaterThan(2_000);
    }

    /** Message properties of a PUBLISH (§3.3.2.3) as a publisher sets them, each present or not. */
    private static MqttProperties messageProperties(RandomPackets values, SplittableRandom random) {
        MqttProperties.Builder b = MqttProperties.builder();
        if (random.nextBoolean()) {
            b.payloadFormatIndicator(random.nextInt(2));
        }
        if (random.nextBoolean()) {
            b.contentType(values.string());
        }
        if (random.nextBoolean()) {
            b.responseTopic(values.string());
        }
        if (random.nextBoolean()) {
            b.correlationData(values.bytes());
        }
        for (int n = random.nextInt(4); n > 0; n--) {
            b.addUserProperty(values.string(), values.string());
        }
        return b.build();
    }

    private static Publish publish(MqttProperties properties, SplittableRandom random) {
        int qos = random.nextInt(3);
        byte[] payload = new byte[random.nextInt(64)];
        random.nextBytes(payload);
        return new Publish(TOPIC, qos, random.nextBoolean(), false, qos == 0 ? 0 : 1 + random.nextInt(0xFFFF),
                payload, properties);
    }

    /** Reads a whole encoded packet from a direct buffer, as the decoder hands frames over. */
    private static MqttPacket decodeDirect(byte[] packet) {
        ByteBuf buf = Unpooled.directBuffer(packet.length).writeBytes(packet);
        try {
            int remaining = PacketReader.remainingLength(buf, 1);
            int header = PacketReader.packetBytes(remaining) - remaining;
            return PacketReader.read(packet[0] & 0xFF, buf.slice(header, remaining), MqttVersion.V5);
        } finally {
            buf.release();
        }
    }
}
