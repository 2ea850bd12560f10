package io.ratatoskr.mqtt.codec;

import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.ratatoskr.mqtt.codec.Frames.decodeAll;
import static io.ratatoskr.mqtt.codec.Frames.encode;
import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    /** Encodes, checks the size promise, decodes with a real decoder, and returns what came back. */
    static MqttPacket roundTrip(MqttPacket packet, MqttVersion version) {
        byte[] bytes = encode(packet, version);
        assertThat(bytes).hasSize(PacketWriter.encodedSize(packet, version));
        MqttDecoder decoder = packet instanceof Connect
                ? MqttDecoder.forServer(Wire.MAX_PACKET_BYTES)
                : MqttDecoder.forClient(version, Wire.MAX_PACKET_BYTES);
        List<Object> out = decodeAll(decoder, bytes);
        assertThat(out).hasSize(1);
        assertThat(out.getFirst()).isInstanceOf(MqttPacket.class);
        // What decodes must encode to the same bytes: the writer's form is canonical.
        assertThat(encode((MqttPacket) out.getFirst(), version)).isEqualTo(bytes);
        return (MqttPacket) out.getFirst();
    }

    static Stream<Arguments> everyTypeInEveryVersion() {
        List<Arguments> args = new ArrayList<>();
        for (MqttVersion v : List.of(MqttVersion.V3_1_1, MqttVersion.V5)) {
            for (PacketType t : SamplePackets.typesOf(v)) {
                args.add(Arguments.of(v, t));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{1} in {0}")
    @MethodSource("everyTypeInEveryVersion")
    void everyPacketTypeRoundTripsWithoutProperties(MqttVersion version, PacketType type) {
        MqttPacket packet = SamplePackets.of(type, version, MqttProperties.EMPTY);
        assertThat(roundTrip(packet, version)).isEqualTo(packet);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PacketType.class)
    void everyV5PacketTypeRoundTripsWithEveryPropertyItMayCarry(PacketType type) {
        MqttPacket packet = SamplePackets.of(type, MqttVersion.V5, SamplePackets.allPropertiesOf(type));
        assertThat(roundTrip(packet, MqttVersion.V5)).isEqualTo(packet);
    }

    static Stream<Arguments> everyPropertyOfEveryType() {
        List<Arguments> args = new ArrayList<>();
        for (PacketType t : PacketType.values()) {
            for (PropertyId id : SamplePackets.propertiesOf(t)) {
                args.add(Arguments.of(t, id));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("everyPropertyOfEveryType")
    void eachPropertyRoundTripsAlone(PacketType type, PropertyId id) {
        MqttProperties.Builder b = SamplePackets.set(MqttProperties.builder(), id, type);
        if (id == PropertyId.AUTHENTICATION_DATA) {
            b.authenticationMethod("m"); // data without a method is a protocol error in CONNECT
        }
        MqttPacket packet = SamplePackets.of(type, MqttVersion.V5, b.build());
        assertThat(roundTrip(packet, MqttVersion.V5)).isEqualTo(packet);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(PropertyId.class)
    void eachWillPropertyRoundTripsAlone(PropertyId id) {
        if (!id.allowedInWill()) {
            return;
        }
        MqttProperties willProperties = SamplePackets.set(MqttProperties.builder(), id, null).build();
        Connect connect = new Connect(MqttVersion.V5, "c", false, 0, null, null,
                new Will("w", new byte[0], 2, false, willProperties), MqttProperties.EMPTY);
        assertThat(roundTrip(connect, MqttVersion.V5)).isEqualTo(connect);
    }

    @Test
    void mqtt31ConnectRoundTripsWithItsOwnProtocolNameAndLevel() {
        Connect connect = (Connect) SamplePackets.of(PacketType.CONNECT, MqttVersion.V3_1, MqttProperties.EMPTY);
        byte[] bytes = encode(connect, MqttVersion.V3_1);
        assertThat(Arrays.copyOfRange(bytes, 2, 11)).isEqualTo(Frames.hex("00 06 'M' 'Q' 'I' 's' 'd' 'p' 03"));
        assertThat(roundTrip(connect, MqttVersion.V3_1)).isEqualTo(connect);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MqttVersion.class)
    void connectWithNothingOptionalRoundTrips(MqttVersion version) {
        Connect connect = new Connect(version, "", false, 0, null, null, null, MqttProperties.EMPTY);
        assertThat(roundTrip(connect, version)).isEqualTo(connect);
    }

    @Test
    void v5ConnectMayCarryAPasswordWithoutAUserName() {
        Connect connect = new Connect(MqttVersion.V5, "c", true, 10, null, new byte[] {1, 2}, null,
                MqttProperties.EMPTY);
        assertThat(roundTrip(connect, MqttVersion.V5)).isEqualTo(connect);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void publishWithEmptyPayloadAndEveryQosRoundTrips(MqttVersion version) {
        for (int qos = 0; qos <= 2; qos++) {
            for (boolean retain : new boolean[] {false, true}) {
                Publish publish = new Publish("t", qos, retain, qos > 0, qos == 0 ? 0 : 0xFFFF, new byte[0],
                        MqttProperties.EMPTY);
                assertThat(roundTrip(publish, version)).isEqualTo(publish);
            }
        }
    }

    @Test
    void v5PublishWithEmptyTopicAndTopicAliasRoundTrips() {
        Publish publish = new Publish("", 0, false, false, 0, new byte[] {1},
                MqttProperties.builder().topicAlias(1).build());
        assertThat(roundTrip(publish, MqttVersion.V5)).isEqualTo(publish);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    void stringsOf65535BytesRoundTrip(MqttVersion version) {
        String ascii = "a".repeat(65_535);
        String wide = "\u20AC".repeat(21_845); // three bytes each: 65,535 bytes
        Publish publish = new Publish(ascii, 0, false, false, 0, new byte[70_000], MqttProperties.EMPTY);
        assertThat(roundTrip(publish, version)).isEqualTo(publish);
        Connect connect = new Connect(version, wide, true, 0xFFFF, ascii, new byte[65_535],
                new Will(wide, new byte[65_535], 2, true, MqttProperties.EMPTY), MqttProperties.EMPTY);
        assertThat(roundTrip(connect, version)).isEqualTo(connect);
        Unsubscribe unsubscribe = new Unsubscribe(0xFFFF, List.of(ascii, wide), MqttProperties.EMPTY);
        assertThat(roundTrip(unsubscribe, version)).isEqualTo(unsubscribe);
    }

    @Test
    void v5UserPropertiesOf65535BytesRoundTrip() {
        String big = "x".repeat(65_535);
        PubAck ack = new PubAck(1, 0, MqttProperties.builder().addUserProperty(big, big).reasonString(big).build());
        assertThat(roundTrip(ack, MqttVersion.V5)).isEqualTo(ack);
    }

    @Test
    void largestSubscriptionIdentifierRoundTripsInSubscribeAndPublish() {
        MqttProperties id = MqttProperties.builder().addSubscriptionIdentifier(268_435_455).build();
        Subscribe subscribe = new Subscribe(1, List.of(new Subscription("a", 0)), id);
        assertThat(roundTrip(subscribe, MqttVersion.V5)).isEqualTo(subscribe);
        Publish publish = new Publish("a", 0, false, false, 0, new byte[0], id);
        assertThat(roundTrip(publish, MqttVersion.V5)).isEqualTo(publish);
    }

    @Test
    void everyCombinationOfV5SubscriptionOptionsRoundTrips() {
        List<Subscription> all = new ArrayList<>();
        for (int qos = 0; qos <= 2; qos++) {
            for (int rh = 0; rh <= 2; rh++) {
                for (boolean noLocal : new boolean[] {false, true}) {
                    for (boolean rap : new boolean[] {false, true}) {
                        all.add(new Subscription("f/" + all.size(), qos, noLocal, rap, rh));
                    }
                }
            }
        }
        assertThat(all).hasSize(36);
        Subscribe subscribe = new Subscribe(0xFFFF, all, MqttProperties.EMPTY);
        assertThat(roundTrip(subscribe, MqttVersion.V5)).isEqualTo(subscribe);
    }

    @Test
    void everyV311RequestedQosRoundTrips() {
        Subscribe subscribe = new Subscribe(1, List.of(new Subscription("a", 0), new Subscription("b", 1),
                new Subscription("c", 2)), MqttProperties.EMPTY);
        assertThat(roundTrip(subscribe, MqttVersion.V3_1_1)).isEqualTo(subscribe);
    }

    @Test
    void everyV5ReasonCodeOfEachAckRoundTrips() {
        for (int code : new int[] {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99}) {
            PubAck ack = new PubAck(9, code, MqttProperties.EMPTY);
            assertThat(roundTrip(ack, MqttVersion.V5)).isEqualTo(ack);
        }
        for (int code : new int[] {0x00, 0x04, 0x80, 0x81, 0x82, 0x8E, 0x95, 0xA2}) {
            Disconnect disconnect = new Disconnect(code, MqttProperties.EMPTY);
            assertThat(roundTrip(disconnect, MqttVersion.V5)).isEqualTo(disconnect);
        }
        for (int code : new int[] {0x00, 0x80, 0x84, 0x87, 0x8C, 0x9F}) {
            ConnAck connAck = new ConnAck(false, code, MqttProperties.EMPTY);
            assertThat(roundTrip(connAck, MqttVersion.V5)).isEqualTo(connAck);
        }
        SubAck subAck = new SubAck(3, List.of(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2),
                MqttProperties.EMPTY);
        assertThat(roundTrip(subAck, MqttVersion.V5)).isEqualTo(subAck);
    }

    @Test
    void everyV311ConnAckReturnCodeRoundTrips() {
        for (int code = 0; code <= 5; code++) {
            ConnAck connAck = new ConnAck(false, code, MqttProperties.EMPTY);
            assertThat(roundTrip(connAck, MqttVersion.V3_1_1)).isEqualTo(connAck);
        }
    }

    @Test
    void utf8ByteOrderMarkIsKeptNotStripped() {
        Publish publish = new Publish("\uFEFFa", 0, false, false, 0, new byte[0], MqttProperties.EMPTY);
        byte[] bytes = encode(publish, MqttVersion.V3_1_1);
        assertThat(Arrays.copyOfRange(bytes, 2, 8)).isEqualTo(Frames.hex("00 04 EF BB BF 'a'"));
        assertThat(((Publish) roundTrip(publish, MqttVersion.V3_1_1)).topic()).isEqualTo("\uFEFFa");
    }

    @Test
    void payloadBytesArriveExactly() {
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        Publish publish = new Publish("bin", 2, false, false, 5, payload,
                MqttProperties.builder().payloadFormatIndicator(0).build());
        assertThat(((Publish) roundTrip(publish, MqttVersion.V5)).payload()).isEqualTo(payload);
    }
}
