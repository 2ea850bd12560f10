package io.ratatoskr.mqtt.codec;

import io.netty.channel.embedded.EmbeddedChannel;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;

import static io.ratatoskr.mqtt.codec.Frames.concat;
import static io.ratatoskr.mqtt.codec.Frames.feed;
import static io.ratatoskr.mqtt.codec.Frames.hex;
import static io.ratatoskr.mqtt.codec.MqttVersion.V3_1;
import static io.ratatoskr.mqtt.codec.MqttVersion.V3_1_1;
import static io.ratatoskr.mqtt.codec.MqttVersion.V5;
import static io.ratatoskr.mqtt.codec.ReasonCode.MALFORMED_PACKET;
import static io.ratatoskr.mqtt.codec.ReasonCode.PACKET_TOO_LARGE;
import static io.ratatoskr.mqtt.codec.ReasonCode.PROTOCOL_ERROR;
import static io.ratatoskr.mqtt.codec.ReasonCode.TOPIC_ALIAS_INVALID;
import static io.ratatoskr.mqtt.codec.ReasonCode.UNSUPPORTED_PROTOCOL_VERSION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every rule the codec owns, each broken once: the decoder emits one {@link DecodeFailure} with the rule's
 * reason code and a message that names it, then ignores whatever follows.
 */
class DecoderValidationTest {
    /** A valid 3.1.1 CONNECT, to put a server decoder into 3.1.1. */
    static final String CONNECT_V3 = "10 0D 00 04 'M' 'Q' 'T' 'T' 04 02 00 3C 00 01 'c'";
    /** A valid 5.0 CONNECT. */
    static final String CONNECT_V5 = "10 0E 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 00 00 01 'c'";
    static final int MAX_PACKET_BYTES = 1024;

    /**
     * One broken rule.
     *
     * @param version the client decoder's version, or null for a server decoder (which then sees CONNECT first)
     * @param reason a fragment the failure's message must contain
     */
    record Case(String name, MqttVersion version, String hex, int code, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> cases = List.of(
            // ---- fixed header (§2.1) ----
            new Case("packet type 0 is reserved", V5, "00 00", MALFORMED_PACKET, "packet type 0"),
            new Case("AUTH does not exist in 3.1.1", V3_1_1, "F0 00", MALFORMED_PACKET, "AUTH"),
            new Case("AUTH does not exist after a 3.1.1 CONNECT", null, CONNECT_V3 + " F0 00", MALFORMED_PACKET,
                    "AUTH"),
            new Case("PUBREL flags must be 0010", V5, "60 02 00 01", MALFORMED_PACKET, "[MQTT-2.1.3-1]"),
            new Case("SUBSCRIBE flags must be 0010", V3_1_1, "80 06 00 01 00 01 'a' 00", MALFORMED_PACKET,
                    "SUBSCRIBE fixed header flags must be 0010, not 0000"),
            new Case("UNSUBSCRIBE flags must be 0010", V5, "A3 05 00 01 00 01 'a'", MALFORMED_PACKET, "0011"),
            new Case("PUBACK flags must be 0000", V3_1_1, "41 02 00 01", MALFORMED_PACKET, "PUBACK fixed header"),
            new Case("PINGREQ flags must be 0000", V5, "C8 00", MALFORMED_PACKET, "PINGREQ"),
            new Case("DISCONNECT flags must be 0000", V3_1_1, "E2 00", MALFORMED_PACKET, "DISCONNECT"),
            new Case("CONNECT flags must be 0000", null, "11 00", MALFORMED_PACKET, "CONNECT fixed header"),
            new Case("PUBLISH QoS 3", V3_1_1, "36 05 00 01 't' 00 01", MALFORMED_PACKET, "[MQTT-3.3.1-4]"),
            new Case("PUBLISH DUP on QoS 0", V5, "38 04 00 01 't' 00", PROTOCOL_ERROR, "[MQTT-3.3.1-2]"),
            new Case("3.1 PUBLISH QoS 3 is still malformed", V3_1, "36 05 00 01 't' 00 01", MALFORMED_PACKET,
                    "[MQTT-3.3.1-4]"),

            // ---- Remaining Length (§1.5.5, §2.1.4) ----
            new Case("Remaining Length of five bytes", V5, "30 FF FF FF FF 01", MALFORMED_PACKET, "longer than 4 bytes"),
            new Case("Remaining Length not minimal (0x80 0x00)", V5, "C0 80 00", MALFORMED_PACKET, "[MQTT-1.5.5-1]"),
            new Case("Remaining Length not minimal (three bytes for 0)", V3_1_1, "30 80 80 00", MALFORMED_PACKET,
                    "[MQTT-1.5.5-1]"),
            new Case("Remaining Length too short for PUBACK", V3_1_1, "40 01 00", MALFORMED_PACKET,
                    "PUBACK packet identifier"),
            new Case("Remaining Length too long for 3.1.1 PUBACK", V3_1_1, "40 03 00 01 00", MALFORMED_PACKET,
                    "1 bytes left"),
            new Case("PINGREQ with a body", V5, "C0 01 00", MALFORMED_PACKET, "PINGREQ: 1 bytes left"),
            new Case("3.1.1 DISCONNECT with a body", V3_1_1, "E0 01 00", MALFORMED_PACKET, "DISCONNECT: 1 bytes left"),
            new Case("3.1.1 UNSUBACK with a payload", V3_1_1, "B0 03 00 01 00", MALFORMED_PACKET, "UNSUBACK"),
            new Case("3.1.1 CONNACK longer than 2", V3_1_1, "20 03 00 00 00", MALFORMED_PACKET, "CONNACK"),
            new Case("5.0 CONNACK without property length", V5, "20 02 00 00", MALFORMED_PACKET, "property length"),

            // ---- UTF-8 strings (§1.5.4) ----
            new Case("string longer than the packet", V3_1_1, "30 04 00 05 'a' 'b'", MALFORMED_PACKET,
                    "PUBLISH topic name: length 5 runs past the end"),
            new Case("string length cut off", V3_1_1, "30 01 00", MALFORMED_PACKET, "PUBLISH topic name"),
            new Case("lone continuation byte", V5, "30 04 00 01 80 00", MALFORMED_PACKET, "ill-formed UTF-8 at byte 0"),
            new Case("overlong two-byte NUL (C0 80)", V3_1_1, "30 04 00 02 C0 80", MALFORMED_PACKET, "[MQTT-1.5.4-1]"),
            new Case("overlong three-byte form (E0 80 AF)", V3_1_1, "30 05 00 03 E0 80 AF", MALFORMED_PACKET,
                    "ill-formed"),
            new Case("encoded surrogate U+D800 (ED A0 80)", V5, "30 06 00 03 ED A0 80 00", MALFORMED_PACKET,
                    "surrogate"),
            new Case("encoded surrogate U+DFFF (ED BF BF)", V3_1_1, "30 05 00 03 ED BF BF", MALFORMED_PACKET,
                    "surrogate"),
            new Case("U+0000", V3_1_1, "30 04 00 02 'a' 00", MALFORMED_PACKET, "U+0000 at byte 1 [MQTT-1.5.4-2]"),
            new Case("sequence cut off by the string's end", V3_1_1, "30 05 00 02 E2 82 AC", MALFORMED_PACKET,
                    "cut off"),
            new Case("code point above U+10FFFF", V3_1_1, "30 06 00 04 F4 90 80 80", MALFORMED_PACKET, "ill-formed"),
            new Case("five-byte lead F8", V3_1_1, "30 03 00 01 F8", MALFORMED_PACKET, "ill-formed"),
            new Case("bad continuation in third byte", V3_1_1, "30 05 00 03 E2 82 41", MALFORMED_PACKET, "ill-formed"),
            new Case("ill-formed UTF-8 in a user property", V5, "40 0A 00 01 00 06 26 00 01 FF 00 00",
                    MALFORMED_PACKET, "PUBACK properties: user property name"),

            // ---- packet identifiers (§2.2.1) ----
            new Case("PUBLISH QoS 1 with packet identifier 0", V3_1_1, "32 05 00 01 't' 00 00", PROTOCOL_ERROR,
                    "PUBLISH packet identifier must not be 0"),
            new Case("PUBACK with packet identifier 0", V5, "40 02 00 00", PROTOCOL_ERROR, "PUBACK packet identifier"),
            new Case("SUBSCRIBE with packet identifier 0", V3_1_1, "82 06 00 00 00 01 'a' 00", PROTOCOL_ERROR,
                    "SUBSCRIBE packet identifier"),
            new Case("UNSUBACK with packet identifier 0", V3_1_1, "B0 02 00 00", PROTOCOL_ERROR, "UNSUBACK"),

            // ---- CONNECT (§3.1) ----
            new Case("first packet is not CONNECT", null, "30 03 00 01 't'", PROTOCOL_ERROR, "[MQTT-3.1.0-1]"),
            new Case("protocol level 6", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 06 02 00 3C 00 01 'c'",
                    UNSUPPORTED_PROTOCOL_VERSION, "[MQTT-3.1.2-2]"),
            new Case("name MQTT with level 3", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 03 02 00 3C 00 01 'c'",
                    UNSUPPORTED_PROTOCOL_VERSION, "level 3"),
            new Case("name MQIsdp with level 4", null,
                    "10 0F 00 06 'M' 'Q' 'I' 's' 'd' 'p' 04 02 00 3C 00 01 'c'", UNSUPPORTED_PROTOCOL_VERSION,
                    "MQIsdp"),
            new Case("unknown protocol name", null, "10 0D 00 04 'M' 'Q' 'T' 'X' 04 02 00 3C 00 01 'c'",
                    PROTOCOL_ERROR, "[MQTT-3.1.2-1]"),
            new Case("protocol name of ill-formed UTF-8", null, "10 0D 00 04 'M' 'Q' C0 'T' 04 02 00 3C 00 01 'c'",
                    MALFORMED_PACKET, "CONNECT protocol name"),
            new Case("reserved connect flag", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 04 03 00 3C 00 01 'c'",
                    MALFORMED_PACKET, "[MQTT-3.1.2-3]"),
            new Case("will QoS without the will flag", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 04 0A 00 3C 00 01 'c'",
                    MALFORMED_PACKET, "[MQTT-3.1.2-11]"),
            new Case("will retain without the will flag", null, "10 0E 00 04 'M' 'Q' 'T' 'T' 05 22 00 3C 00 00 01 'c'",
                    MALFORMED_PACKET, "[MQTT-3.1.2-13]"),
            new Case("will QoS 3", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 04 1E 00 3C 00 01 'c'", MALFORMED_PACKET,
                    "[MQTT-3.1.2-12]"),
            new Case("3.1.1 password without user name", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 04 42 00 3C 00 01 'c'",
                    MALFORMED_PACKET, "[MQTT-3.1.2-22]"),
            new Case("3.1 password without user name", null,
                    "10 0F 00 06 'M' 'Q' 'I' 's' 'd' 'p' 03 42 00 3C 00 01 'c'", MALFORMED_PACKET, "[MQTT-3.1.2-22]"),
            new Case("client identifier missing", null, "10 0A 00 04 'M' 'Q' 'T' 'T' 04 02 00 3C", MALFORMED_PACKET,
                    "CONNECT client identifier"),
            new Case("will topic missing", null, "10 0D 00 04 'M' 'Q' 'T' 'T' 04 06 00 3C 00 01 'c'",
                    MALFORMED_PACKET, "CONNECT will topic"),
            new Case("password flag without password", null,
                    "10 10 00 04 'M' 'Q' 'T' 'T' 04 C2 00 3C 00 01 'c' 00 01 'u'", MALFORMED_PACKET,
                    "CONNECT password"),
            new Case("CONNECT with a byte left over", null, "10 0E 00 04 'M' 'Q' 'T' 'T' 04 02 00 3C 00 01 'c' 00",
                    MALFORMED_PACKET, "CONNECT: 1 bytes left"),
            new Case("authentication data without method", null,
                    "10 12 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 04 16 00 01 AA 00 01 'c'", PROTOCOL_ERROR,
                    "authentication data but no authentication method"),
            new Case("topic alias in CONNECT", null, "10 11 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 03 23 00 01 00 01 'c'",
                    MALFORMED_PACKET, "CONNECT properties: topic alias (0x23) is not allowed"),
            new Case("session expiry in will properties", null,
                    "10 19 00 04 'M' 'Q' 'T' 'T' 05 06 00 3C 00 00 01 'c' 05 11 00 00 00 01 00 01 'w' 00 00",
                    MALFORMED_PACKET, "CONNECT will properties: session expiry interval"),
            new Case("receive maximum 0", null, "10 11 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 03 21 00 00 00 01 'c'",
                    PROTOCOL_ERROR, "receive maximum is 0"),
            new Case("request problem information 2", null,
                    "10 10 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 02 17 02 00 01 'c'", PROTOCOL_ERROR,
                    "request problem information is 2"),
            new Case("request response information 2", null,
                    "10 10 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 02 19 02 00 01 'c'", PROTOCOL_ERROR,
                    "request response information is 2"),
            new Case("maximum packet size 0 in CONNECT", null,
                    "10 13 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 05 27 00 00 00 00 00 01 'c'", PROTOCOL_ERROR,
                    "maximum packet size is 0"),
            new Case("session expiry interval twice", null,
                    "10 18 00 04 'M' 'Q' 'T' 'T' 05 02 00 3C 0A 11 00 00 00 01 11 00 00 00 02 00 01 'c'",
                    PROTOCOL_ERROR, "session expiry interval is included more than once"),

            // ---- CONNACK (§3.2) ----
            new Case("CONNACK reserved acknowledge flags", V3_1_1, "20 02 02 00", MALFORMED_PACKET, "[MQTT-3.2.2-1]"),
            new Case("3.1.1 CONNACK return code 6", V3_1_1, "20 02 00 06", MALFORMED_PACKET, "return code 6"),
            new Case("5.0 CONNACK reason code 0x01", V5, "20 03 00 01 00", MALFORMED_PACKET, "[MQTT-3.2.2-8]"),
            new Case("CONNACK session present with a failure code", V5, "20 03 01 87 00", PROTOCOL_ERROR,
                    "[MQTT-3.2.2-6]"),
            new Case("CONNACK maximum QoS 2", V5, "20 05 00 00 02 24 02", PROTOCOL_ERROR, "maximum qos is 2"),
            new Case("CONNACK retain available 2", V5, "20 05 00 00 02 25 02", PROTOCOL_ERROR, "retain available"),
            new Case("CONNACK wildcard subscription available 2", V5, "20 05 00 00 02 28 05", PROTOCOL_ERROR,
                    "wildcard subscription available is 5"),
            new Case("CONNACK subscription identifier available 2", V5, "20 05 00 00 02 29 02", PROTOCOL_ERROR,
                    "subscription identifier available"),
            new Case("CONNACK shared subscription available 2", V5, "20 05 00 00 02 2A 02", PROTOCOL_ERROR,
                    "shared subscription available"),
            new Case("CONNACK maximum packet size 0", V5, "20 08 00 00 05 27 00 00 00 00", PROTOCOL_ERROR,
                    "maximum packet size is 0"),
            new Case("CONNACK receive maximum 0", V5, "20 06 00 00 03 21 00 00", PROTOCOL_ERROR, "receive maximum"),

            // ---- PUBLISH and its acknowledgements (§3.3-3.7) ----
            new Case("topic alias 0", V5, "30 07 00 01 't' 03 23 00 00", TOPIC_ALIAS_INVALID, "topic alias is 0"),
            new Case("subscription identifier 0 in PUBLISH", V5, "30 06 00 01 't' 02 0B 00", PROTOCOL_ERROR,
                    "subscription identifier is 0"),
            new Case("subscription identifier not minimally encoded", V5, "30 07 00 01 't' 03 0B 81 00",
                    MALFORMED_PACKET, "[MQTT-1.5.5-1]"),
            new Case("payload format indicator 2", V5, "30 06 00 01 't' 02 01 02", PROTOCOL_ERROR,
                    "payload format indicator is 2"),
            new Case("content type twice", V5, "30 0C 00 01 't' 08 03 00 01 'a' 03 00 01 'b'", PROTOCOL_ERROR,
                    "content type is included more than once"),
            new Case("unknown property identifier", V5, "30 06 00 01 't' 02 04 00", MALFORMED_PACKET,
                    "unknown property identifier 0x4"),
            new Case("property identifier not minimally encoded", V5, "30 06 00 01 't' 02 80 00", MALFORMED_PACKET,
                    "property identifier"),
            new Case("property length past the packet's end", V5, "30 06 00 01 't' 09 01 01", MALFORMED_PACKET,
                    "PUBLISH properties: property length 9 runs past"),
            new Case("property value past the block's end", V5, "30 09 00 01 't' 02 03 00 05 'a' 'b'",
                    MALFORMED_PACKET, "content type"),
            new Case("server-only property in PUBLISH", V5, "30 08 00 01 't' 04 13 00 0A 00", MALFORMED_PACKET,
                    "server keep alive (0x13) is not allowed"),
            new Case("topic alias in PUBACK", V5, "40 07 00 01 00 03 23 00 01", MALFORMED_PACKET,
                    "PUBACK properties: topic alias"),
            new Case("PUBACK reason code 0x05", V5, "40 03 00 01 05", MALFORMED_PACKET, "PUBACK reason code 0x5"),
            new Case("PUBREC reason code 0x92", V5, "50 03 00 01 92", MALFORMED_PACKET, "PUBREC reason code 0x92"),
            new Case("PUBREL reason code 0x10", V5, "62 03 00 01 10", MALFORMED_PACKET, "PUBREL reason code 0x10"),
            new Case("PUBCOMP reason code 0x80", V5, "70 03 00 01 80", MALFORMED_PACKET, "PUBCOMP reason code 0x80"),
            new Case("reason string twice in PUBCOMP", V5, "70 0C 00 01 00 08 1F 00 01 'a' 1F 00 01 'b'",
                    PROTOCOL_ERROR, "reason string is included more than once"),

            // ---- SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (§3.8-3.11) ----
            new Case("5.0 subscription options reserved bits", V5, "82 07 00 01 00 00 01 'a' 40", MALFORMED_PACKET,
                    "SUBSCRIBE subscription options reserved bits 6-7 must be 0 [MQTT-3.8.3-5]"),
            new Case("5.0 subscription maximum QoS 3", V5, "82 07 00 01 00 00 01 'a' 03", PROTOCOL_ERROR,
                    "Maximum QoS must not be 3"),
            new Case("5.0 retain handling 3", V5, "82 07 00 01 00 00 01 'a' 30", PROTOCOL_ERROR,
                    "Retain Handling must not be 3"),
            new Case("3.1.1 requested QoS reserved bits", V3_1_1, "82 06 00 01 00 01 'a' 04", MALFORMED_PACKET,
                    "reserved bits 2-7"),
            new Case("3.1.1 requested QoS 3", V3_1_1, "82 06 00 01 00 01 'a' 03", MALFORMED_PACKET,
                    "requested QoS must not be 3"),
            new Case("5.0 SUBSCRIBE without filters", V5, "82 03 00 01 00", PROTOCOL_ERROR, "[MQTT-3.8.3-2]"),
            new Case("3.1.1 SUBSCRIBE without filters", V3_1_1, "82 02 00 01", PROTOCOL_ERROR, "at least one"),
            new Case("SUBSCRIBE filter without options byte", V3_1_1, "82 05 00 01 00 01 'a'", MALFORMED_PACKET,
                    "SUBSCRIBE subscription options"),
            new Case("two subscription identifiers in SUBSCRIBE", V5, "82 0B 00 01 04 0B 01 0B 02 00 01 'a' 00",
                    PROTOCOL_ERROR, "subscription identifier is included more than once"),
            new Case("5.0 UNSUBSCRIBE without filters", V5, "A2 03 00 01 00", PROTOCOL_ERROR, "[MQTT-3.10.3-2]"),
            new Case("3.1.1 UNSUBSCRIBE without filters", V3_1_1, "A2 02 00 01", PROTOCOL_ERROR, "[MQTT-3.10.3-2]"),
            new Case("3.1.1 SUBACK without codes", V3_1_1, "90 02 00 01", PROTOCOL_ERROR, "SUBACK must carry"),
            new Case("5.0 SUBACK without codes", V5, "90 03 00 01 00", PROTOCOL_ERROR, "SUBACK must carry"),
            new Case("3.1.1 SUBACK return code 3", V3_1_1, "90 03 00 01 03", MALFORMED_PACKET, "[MQTT-3.9.3-2]"),
            new Case("5.0 SUBACK reason code 0x03", V5, "90 04 00 01 00 03", MALFORMED_PACKET, "SUBACK reason code 0x3 is not one"),
            new Case("5.0 UNSUBACK without codes", V5, "B0 03 00 01 00", PROTOCOL_ERROR, "UNSUBACK must carry"),
            new Case("5.0 UNSUBACK reason code 0x10", V5, "B0 04 00 01 00 10", MALFORMED_PACKET,
                    "UNSUBACK reason code 0x10"),

            // ---- DISCONNECT and AUTH (§3.14-3.15) ----
            new Case("DISCONNECT reason code 0x84", V5, "E0 01 84", MALFORMED_PACKET, "DISCONNECT reason code 0x84"),
            new Case("DISCONNECT property length past the end", V5, "E0 02 00 05", MALFORMED_PACKET,
                    "DISCONNECT properties"),
            new Case("AUTH reason code 0x01", V5, "F0 02 01 00", MALFORMED_PACKET, "AUTH reason code 0x1"),
            new Case("AUTH reason code without property length", V5, "F0 01 18", MALFORMED_PACKET, "§3.15.2.1"),
            new Case("AUTH authentication method twice", V5, "F0 0A 18 08 15 00 01 'a' 15 00 01 'b'", PROTOCOL_ERROR,
                    "authentication method is included more than once"),

            // ---- size ----
            new Case("Remaining Length claims 268,435,455 bytes", V5, "30 FF FF FF 7F", PACKET_TOO_LARGE,
                    "268435460 bytes exceeds the maximum packet size of 1024"),
            new Case("CONNECT over the maximum", null, "10 FF 07", PACKET_TOO_LARGE, "CONNECT of 1026 bytes"));

    @ParameterizedTest(name = "{0}")
    @FieldSource("cases")
    void brokenRuleYieldsOneFailureWithItsReasonCode(Case c) {
        MqttDecoder decoder = c.version() == null
                ? MqttDecoder.forServer(MAX_PACKET_BYTES)
                : MqttDecoder.forClient(c.version(), MAX_PACKET_BYTES);
        EmbeddedChannel channel = Frames.channel(decoder);
        try {
            List<Object> out = feed(channel, hex(c.hex()));
            assertThat(out).isNotEmpty();
            assertThat(out.getLast()).isInstanceOf(DecodeFailure.class);
            assertThat(out.subList(0, out.size() - 1)).allMatch(o -> o instanceof Connect);
            DecodeFailure failure = (DecodeFailure) out.getLast();
            assertThat(failure.reasonCode())
                    .as("%s", failure)
                    .isEqualTo(c.code());
            assertThat(failure.reason()).contains(c.reason());
            assertThat(decoder.failed()).isTrue();

            // Whatever follows, valid or not, is dropped unread.
            assertThat(feed(channel, hex("C0 00"), hex(CONNECT_V5), hex("00 00 00"))).isEmpty();
            assertThat(channel.isOpen()).isTrue(); // closing is the connection's decision
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void failureAfterValidPacketsInTheSameChunkComesLastAndDropsTheRest() {
        MqttDecoder decoder = MqttDecoder.forServer(MAX_PACKET_BYTES);
        List<Object> out = Frames.decodeAll(decoder, hex(CONNECT_V5 + """
                C0 00                 // PINGREQ
                30 04 00 01 't' 00    // PUBLISH QoS 0, no properties
                C0 01 00              // PINGREQ with a body: malformed
                C0 00                 // never decoded
                """));
        assertThat(out).hasSize(4);
        assertThat(out.get(0)).isInstanceOf(Connect.class);
        assertThat(out.get(1)).isEqualTo(PingReq.INSTANCE);
        assertThat(out.get(2)).isInstanceOf(Publish.class);
        assertThat(out.get(3)).isInstanceOf(DecodeFailure.class);
        assertThat(decoder.version()).isEqualTo(V5);
    }

    @Test
    void packetTooLargeIsReportedFromTheHeaderAlone() {
        EmbeddedChannel channel = Frames.channel(MqttDecoder.forClient(V3_1_1, 100));
        try {
            // 30 = PUBLISH, 65 = Remaining Length 101: 103 bytes in all, none of the body sent yet.
            List<Object> out = feed(channel, hex("30 65"));
            assertThat(out).singleElement().isInstanceOfSatisfying(DecodeFailure.class, f -> {
                assertThat(f.reasonCode()).isEqualTo(PACKET_TOO_LARGE);
                assertThat(f.packetType()).isEqualTo(PacketType.PUBLISH);
                assertThat(f.version()).isEqualTo(V3_1_1);
            });
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void packetOfExactlyTheMaximumSizeIsAccepted() {
        byte[] publish = Frames.encode(new Publish("t", 0, false, false, 0, new byte[95], MqttProperties.EMPTY), V3_1_1);
        assertThat(publish).hasSize(100);
        assertThat(Frames.decodeAll(MqttDecoder.forClient(V3_1_1, 100), publish)).singleElement()
                .isInstanceOf(Publish.class);
        assertThat(Frames.decodeAll(MqttDecoder.forClient(V3_1_1, 99), publish)).singleElement()
                .isInstanceOf(DecodeFailure.class);
    }

    @Test
    void failureInAConnectCarriesTheVersionItNamed() {
        List<Object> out = Frames.decodeAll(MqttDecoder.forServer(MAX_PACKET_BYTES),
                hex("10 0E 00 04 'M' 'Q' 'T' 'T' 05 03 00 3C 00 00 01 'c'")); // reserved flag set
        assertThat(out).singleElement().isInstanceOfSatisfying(DecodeFailure.class, f -> {
            assertThat(f.version()).isEqualTo(V5);
            assertThat(f.packetType()).isEqualTo(PacketType.CONNECT);
            assertThat(f.reasonCode()).isEqualTo(MALFORMED_PACKET);
        });
    }

    @Test
    void unsupportedVersionFailureHasNoVersion() {
        MqttDecoder decoder = MqttDecoder.forServer(MAX_PACKET_BYTES);
        List<Object> out = Frames.decodeAll(decoder, hex("10 0D 00 04 'M' 'Q' 'T' 'T' 07 02 00 3C 00 01 'c'"));
        assertThat(out).singleElement().isInstanceOfSatisfying(DecodeFailure.class,
                f -> assertThat(f.version()).isNull());
        assertThat(decoder.version()).isNull();
    }

    @Test
    void serverDecoderLearnsTheVersionFromConnectAndParsesWhatFollowsInIt() {
        MqttDecoder decoder = MqttDecoder.forServer(MAX_PACKET_BYTES);
        // A 5.0 PUBACK with a reason code is malformed in 3.1.1 (a byte left over) and fine in 5.0.
        assertThat(Frames.decodeAll(decoder, hex(CONNECT_V5 + " 40 03 00 01 10"))).hasSize(2)
                .last().isInstanceOf(MqttPacket.PubAck.class);
        assertThat(Frames.decodeAll(MqttDecoder.forServer(MAX_PACKET_BYTES), hex(CONNECT_V3 + " 40 03 00 01 10")))
                .last().isInstanceOf(DecodeFailure.class);
    }

    @Test
    void mqtt31ToleratesDupOnRetriedSubscribeAndPubrel() {
        // 3.1 marks these bits "not used"; its clients set DUP (0x08) on retries.
        List<Object> out = Frames.decodeAll(MqttDecoder.forClient(V3_1, MAX_PACKET_BYTES),
                hex("8A 06 00 01 00 01 'a' 01   6A 02 00 01"));
        assertThat(out).hasSize(2).allMatch(o -> o instanceof MqttPacket);
    }

    @Test
    void firstByteIsJudgedBeforeTheRestArrives() {
        EmbeddedChannel channel = Frames.channel(MqttDecoder.forServer(MAX_PACKET_BYTES));
        try {
            // An HTTP request is no CONNECT: 'G' is type 4 (PUBACK). No need to wait for more bytes.
            assertThat(feed(channel, concat(hex("'G'")))).singleElement().isInstanceOfSatisfying(
                    DecodeFailure.class, f -> assertThat(f.reasonCode()).isEqualTo(PROTOCOL_ERROR));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void decoderRefusesAMaximumBelowTheSmallestPacket() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> MqttDecoder.forServer(1));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> MqttDecoder.forClient(V5, 268_435_461));
    }
}
