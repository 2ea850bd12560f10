package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ratatoskr.mqtt.codec.MqttPacket.Auth;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static io.ratatoskr.mqtt.codec.Frames.encode;
import static io.ratatoskr.mqtt.codec.Frames.hex;
import static io.ratatoskr.mqtt.codec.MqttVersion.V3_1_1;
import static io.ratatoskr.mqtt.codec.MqttVersion.V5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PacketWriterTest {
    static final MqttProperties REASON = MqttProperties.builder().reasonString("why")
            .addUserProperty("k", "v").build();

    // ---- 3.1.1 ----

    @Test
    void v311AcksCarryOnlyThePacketIdentifier() {
        assertThat(encode(new PubAck(1, ReasonCode.QUOTA_EXCEEDED, REASON), V3_1_1)).isEqualTo(hex("40 02 00 01"));
        assertThat(encode(new PubRec(1, ReasonCode.UNSPECIFIED_ERROR, REASON), V3_1_1)).isEqualTo(hex("50 02 00 01"));
        assertThat(encode(new PubRel(1, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, REASON), V3_1_1))
                .isEqualTo(hex("62 02 00 01"));
        assertThat(encode(new PubComp(1, 0, REASON), V3_1_1)).isEqualTo(hex("70 02 00 01"));
    }

    @Test
    void v311SubAckTurnsEveryV5FailureInto0x80() {
        assertThat(encode(new SubAck(7, List.of(0, 1, 2, 0x87, 0xA2, 0x80), REASON), V3_1_1))
                .isEqualTo(hex("90 08 00 07 00 01 02 80 80 80"));
    }

    @Test
    void v311UnsubAckAndDisconnectHaveNoBody() {
        assertThat(encode(new UnsubAck(7, List.of(0, 0x11), REASON), V3_1_1)).isEqualTo(hex("B0 02 00 07"));
        assertThat(encode(new Disconnect(ReasonCode.SESSION_TAKEN_OVER, REASON), V3_1_1)).isEqualTo(hex("E0 00"));
    }

    @Test
    void v311PacketsDropTheirProperties() {
        Publish publish = new Publish("t", 0, false, false, 0, new byte[] {9}, REASON.toBuilder().topicAlias(3).build());
        assertThat(encode(publish, V3_1_1)).isEqualTo(hex("30 04 00 01 't' 09"));
        assertThat(encode(new ConnAck(false, ReasonCode.V3_NOT_AUTHORIZED, REASON), V3_1_1))
                .isEqualTo(hex("20 02 00 05"));
    }

    @Test
    void v311ConnAckReturnCodeIsWrittenAsGiven() {
        assertThat(encode(new ConnAck(false, ReasonCode.toV3ConnAck(ReasonCode.BANNED), MqttProperties.EMPTY), V3_1_1))
                .isEqualTo(hex("20 02 00 05"));
    }

    @Test
    void v311SubscribeWritesOnlyTheQosOfEachSubscription() {
        Subscribe subscribe = new Subscribe(1, List.of(new Subscription("a", 2, true, true, 2)), MqttProperties.EMPTY);
        assertThat(encode(subscribe, V3_1_1)).isEqualTo(hex("82 06 00 01 00 01 'a' 02"));
    }

    @Test
    void connectIsWrittenInItsOwnVersion() {
        Connect v5 = new Connect(V5, "c", true, 60, null, null, null, MqttProperties.EMPTY);
        assertThat(encode(v5, V3_1_1)).isEqualTo(hex(DecoderValidationTest.CONNECT_V5));
        Connect v3 = new Connect(V3_1_1, "c", true, 60, null, null, null, REASON);
        assertThat(encode(v3, V5)).isEqualTo(hex(DecoderValidationTest.CONNECT_V3));
    }

    // ---- 5.0 omissions ----

    @Test
    void v5AcksLeaveOutWhatTheSpecAllows() {
        assertThat(encode(new PubAck(1), V5)).isEqualTo(hex("40 02 00 01"));
        assertThat(encode(new PubAck(1, ReasonCode.NO_MATCHING_SUBSCRIBERS, MqttProperties.EMPTY), V5))
                .isEqualTo(hex("40 03 00 01 10"));
        assertThat(encode(new PubAck(1, 0, MqttProperties.builder().reasonString("r").build()), V5))
                .isEqualTo(hex("40 08 00 01 00 04 1F 00 01 'r'"));
    }

    @Test
    void v5DisconnectAndAuthLeaveOutWhatTheSpecAllows() {
        assertThat(encode(Disconnect.NORMAL, V5)).isEqualTo(hex("E0 00"));
        assertThat(encode(new Disconnect(ReasonCode.PROTOCOL_ERROR, MqttProperties.EMPTY), V5))
                .isEqualTo(hex("E0 01 82"));
        assertThat(encode(new Disconnect(0, MqttProperties.builder().sessionExpiryInterval(1).build()), V5))
                .isEqualTo(hex("E0 07 00 05 11 00 00 00 01"));
        assertThat(encode(new Auth(0, MqttProperties.EMPTY), V5)).isEqualTo(hex("F0 00"));
        // AUTH's reason code and property length go together (§3.15.2.1).
        assertThat(encode(new Auth(ReasonCode.RE_AUTHENTICATE, MqttProperties.EMPTY), V5))
                .isEqualTo(hex("F0 02 19 00"));
    }

    // ---- dropping optional properties ----

    @Test
    void withoutOptionalPropertiesDropsReasonStringAndUserPropertiesOnly() {
        MqttProperties connAckProperties = REASON.toBuilder().assignedClientIdentifier("id").build();
        ConnAck connAck = new ConnAck(false, 0, connAckProperties);
        MqttPacket stripped = PacketWriter.withoutOptionalProperties(connAck);
        assertThat(stripped).isEqualTo(new ConnAck(false, 0,
                MqttProperties.builder().assignedClientIdentifier("id").build()));
        assertThat(PacketWriter.encodedSize(stripped, V5)).isLessThan(PacketWriter.encodedSize(connAck, V5));

        PubAck bare = (PubAck) PacketWriter.withoutOptionalProperties(new PubAck(1, 0x97, REASON));
        assertThat(bare.properties()).isSameAs(MqttProperties.EMPTY);
        assertThat(encode(bare, V5)).isEqualTo(hex("40 03 00 01 97"));
        assertThat(PacketWriter.withoutOptionalProperties(new Disconnect(0x8B, REASON)))
                .isEqualTo(new Disconnect(0x8B, MqttProperties.EMPTY));
        assertThat(PacketWriter.withoutOptionalProperties(new SubAck(1, List.of(0), REASON)))
                .isEqualTo(new SubAck(1, List.of(0), MqttProperties.EMPTY));
        assertThat(PacketWriter.withoutOptionalProperties(new UnsubAck(1, List.of(0), REASON)))
                .isEqualTo(new UnsubAck(1, List.of(0), MqttProperties.EMPTY));
        assertThat(PacketWriter.withoutOptionalProperties(new Auth(0x18, REASON.toBuilder().authenticationMethod("m").build())))
                .isEqualTo(new Auth(0x18, MqttProperties.builder().authenticationMethod("m").build()));
        assertThat(PacketWriter.withoutOptionalProperties(new PubRec(1, 0, REASON)))
                .isEqualTo(new PubRec(1));
        assertThat(PacketWriter.withoutOptionalProperties(new PubRel(1, 0, REASON))).isEqualTo(new PubRel(1));
        assertThat(PacketWriter.withoutOptionalProperties(new PubComp(1, 0, REASON))).isEqualTo(new PubComp(1));
    }

    @Test
    void withoutOptionalPropertiesLeavesApplicationPropertiesAndBarePacketsAlone() {
        Publish publish = new Publish("t", 0, false, false, 0, new byte[0], REASON.toBuilder().reasonString(null).build());
        assertThat(PacketWriter.withoutOptionalProperties(publish)).isSameAs(publish);
        PubAck bare = new PubAck(1);
        assertThat(PacketWriter.withoutOptionalProperties(bare)).isSameAs(bare);
    }

    // ---- refusals ----

    private static Publish publishWithUserProperty(String name, String value) {
        return new Publish("t", 1, false, false, 1, new byte[0],
                MqttProperties.builder().addUserProperty("first", "ok").addUserProperty(name, value).build());
    }

    @Test
    void packetsThatCannotBeWrittenCorrectlyAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> PacketWriter.encodedSize(new Auth(0, MqttProperties.EMPTY), V3_1_1))
                .withMessageContaining("AUTH");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishTo("a\u0000b"), V5))
                .withMessageContaining("U+0000");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishTo("a\uD800"), V5))
                .withMessageContaining("unpaired surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishTo("x".repeat(65_536)), V5))
                .withMessageContaining("65536 bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishTo("\u20AC".repeat(21_846)), V5))
                .withMessageContaining("65538 bytes");
        // User properties are encoded once, ASCII by the fast path, others checked char by char.
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishWithUserProperty("k", "a\u0000b"), V5))
                .withMessageContaining("user property value contains U+0000");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishWithUserProperty("\u00e9\u0000", "v"), V5))
                .withMessageContaining("user property name contains U+0000");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishWithUserProperty("k", "\u00e9\uDC00"), V5))
                .withMessageContaining("unpaired surrogate");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(publishWithUserProperty("k", "x".repeat(65_536)), V5))
                .withMessageContaining("user property value is 65536 bytes");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> encode(new PubAck(1, 0, MqttProperties.builder().topicAlias(1).build()), V5))
                .withMessageContaining("topic alias may not travel in PUBACK");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> encode(new Subscribe(1, List.of(new Subscription("a", 0)),
                        MqttProperties.builder().addSubscriptionIdentifier(1).addSubscriptionIdentifier(2).build()), V5));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> encode(new Publish("t", 0, false, true, 0, new byte[0], MqttProperties.EMPTY), V5))
                .withMessageContaining("[MQTT-3.3.1-2]");
        assertThatIllegalArgumentException().isThrownBy(() -> encode(new SubAck(1, List.of(), MqttProperties.EMPTY), V5));
        assertThatIllegalArgumentException().isThrownBy(() -> encode(new UnsubAck(1, List.of(), MqttProperties.EMPTY), V5));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> encode(new Connect(V3_1_1, "c", true, 0, null, new byte[1], null, MqttProperties.EMPTY), V3_1_1))
                .withMessageContaining("[MQTT-3.1.2-22]");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> encode(new Connect(V5, "c", true, 0, null, null,
                        new MqttPacket.Will("w", new byte[0], 0, false,
                                MqttProperties.builder().sessionExpiryInterval(1).build()), MqttProperties.EMPTY), V5))
                .withMessageContaining("will properties");
    }

    @Test
    void remainingLengthBeyondTheLargestVariableByteIntegerIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Wire.variableByteIntegerSize(268_435_456));
        assertThatIllegalArgumentException().isThrownBy(() -> PacketReader.packetBytes(268_435_456));
    }

    @Test
    void writeAppendsAtTheWriterIndex() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeByte(0x55);
        PacketWriter.write(MqttPacket.PingReq.INSTANCE, V5, buf);
        PacketWriter.write(new PubAck(2), V5, buf);
        assertThat(io.netty.buffer.ByteBufUtil.getBytes(buf)).isEqualTo(hex("55 C0 00 40 02 00 02"));
        buf.release();
    }

    @Test
    void bufferTooSmallToGrowIsRefusedBeforeAnythingIsWritten() {
        ByteBuf buf = Unpooled.buffer(4, 4);
        assertThatThrownBy(() -> PacketWriter.write(publishTo("topic"), V5, buf))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(buf.writerIndex()).isZero();
        buf.release();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = PacketType.class)
    void encodedSizeIsExactForEveryTypeWithEveryProperty(PacketType type) {
        MqttPacket packet = SamplePackets.of(type, V5, SamplePackets.allPropertiesOf(type));
        assertThat(encode(packet, V5)).hasSize(PacketWriter.encodedSize(packet, V5));
    }

    private static Publish publishTo(String topic) {
        return new Publish(topic, 0, false, false, 0, new byte[0], MqttProperties.EMPTY);
    }
}
