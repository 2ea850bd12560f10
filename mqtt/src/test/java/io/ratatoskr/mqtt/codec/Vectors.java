package io.ratatoskr.mqtt.codec;

import io.ratatoskr.mqtt.codec.MqttPacket.Auth;
import io.ratatoskr.mqtt.codec.MqttPacket.ConnAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Connect;
import io.ratatoskr.mqtt.codec.MqttPacket.Disconnect;
import io.ratatoskr.mqtt.codec.MqttPacket.PingReq;
import io.ratatoskr.mqtt.codec.MqttPacket.PingResp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.PubComp;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRec;
import io.ratatoskr.mqtt.codec.MqttPacket.PubRel;
import io.ratatoskr.mqtt.codec.MqttPacket.Publish;
import io.ratatoskr.mqtt.codec.MqttPacket.SubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Subscription;
import io.ratatoskr.mqtt.codec.MqttPacket.UnsubAck;
import io.ratatoskr.mqtt.codec.MqttPacket.Unsubscribe;
import io.ratatoskr.mqtt.codec.MqttPacket.Will;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ratatoskr.mqtt.codec.Frames.hex;
import static io.ratatoskr.mqtt.codec.MqttVersion.V3_1;
import static io.ratatoskr.mqtt.codec.MqttVersion.V3_1_1;
import static io.ratatoskr.mqtt.codec.MqttVersion.V5;

/**
 * Hand-written wire vectors, byte by byte, after the byte layouts and examples of the MQTT 3.1.1 and 5.0
 * specifications; each decodes to its packet and that packet encodes back to exactly these bytes.
 */
final class Vectors {
    private Vectors() {
    }

    record Vector(String name, MqttVersion version, byte[] bytes, MqttPacket packet) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static MqttProperties.Builder props() {
        return MqttProperties.builder();
    }

    static final List<Vector> ALL = List.of(
            new Vector("3.1.1 CONNECT (3.1.1 §3.1.2.10 example header, every payload field)", V3_1_1, hex("""
                    10          // CONNECT, flags 0000
                    1C          // Remaining Length 28
                    00 04 'M' 'Q' 'T' 'T'  // protocol name
                    04          // protocol level 4
                    CE          // flags 1100 1110: user name, password, will QoS 1, will, clean session
                    00 0A       // keep alive 10 s
                    00 02 'c' '1'       // client identifier
                    00 01 'w'           // will topic
                    00 03 'b' 'y' 'e'   // will message
                    00 01 'u'           // user name
                    00 01 'p'           // password
                    """),
                    new Connect(V3_1_1, "c1", true, 10, "u", ascii("p"),
                            new Will("w", ascii("bye"), 1, false, MqttProperties.EMPTY), MqttProperties.EMPTY)),
            new Vector("5.0 CONNECT (5.0 §3.1.2.11 example header, will properties)", V5, hex("""
                    10          // CONNECT
                    28          // Remaining Length 40
                    00 04 'M' 'Q' 'T' 'T'  // protocol name
                    05          // protocol version 5
                    CE          // flags: user name, password, will QoS 1, will, clean start
                    00 0A       // keep alive 10 s
                    05          // property length 5
                    11 00 00 00 0A  // session expiry interval 10 s
                    00 02 'c' '1'   // client identifier
                    05              // will property length 5
                    18 00 00 00 05  // will delay interval 5 s
                    00 01 'w'           // will topic
                    00 03 'b' 'y' 'e'   // will payload
                    00 01 'u'           // user name
                    00 01 'p'           // password
                    """),
                    new Connect(V5, "c1", true, 10, "u", ascii("p"),
                            new Will("w", ascii("bye"), 1, false, props().willDelayInterval(5).build()),
                            props().sessionExpiryInterval(10).build())),
            new Vector("3.1 CONNECT (MQIsdp, level 3)", V3_1, hex("""
                    10 10       // CONNECT, Remaining Length 16
                    00 06 'M' 'Q' 'I' 's' 'd' 'p'  // protocol name of MQTT 3.1
                    03          // protocol version 3
                    02          // flags: clean session
                    00 3C       // keep alive 60 s
                    00 02 'c' '1'  // client identifier
                    """),
                    new Connect(V3_1, "c1", true, 60, null, null, null, MqttProperties.EMPTY)),
            new Vector("3.1.1 CONNACK session present, accepted", V3_1_1, hex("""
                    20 02       // CONNACK, Remaining Length 2
                    01          // acknowledge flags: session present
                    00          // return code 0: accepted
                    """),
                    new ConnAck(true, 0, MqttProperties.EMPTY)),
            new Vector("3.1.1 CONNACK not authorized", V3_1_1, hex("""
                    20 02 00    // CONNACK, Remaining Length 2, no session
                    05          // return code 5: not authorized
                    """),
                    new ConnAck(false, 5, MqttProperties.EMPTY)),
            new Vector("5.0 CONNACK with topic alias maximum and maximum QoS", V5, hex("""
                    20 08       // CONNACK, Remaining Length 8
                    00          // acknowledge flags
                    00          // reason code: success
                    05          // property length 5
                    22 00 0A    // topic alias maximum 10
                    24 01       // maximum QoS 1
                    """),
                    new ConnAck(false, 0, props().topicAliasMaximum(10).maximumQos(1).build())),
            new Vector("3.1.1 PUBLISH QoS 1 (3.1.1 §3.3.2.3 example header)", V3_1_1, hex("""
                    32 09       // PUBLISH, QoS 1; Remaining Length 9
                    00 03 'a' '/' 'b'  // topic name
                    00 0A       // packet identifier 10
                    'h' 'i'     // payload
                    """),
                    new Publish("a/b", 1, false, false, 10, ascii("hi"), MqttProperties.EMPTY)),
            new Vector("5.0 PUBLISH QoS 1 (5.0 §3.3.2.3 example header)", V5, hex("""
                    32 0A       // PUBLISH, QoS 1; Remaining Length 10
                    00 03 'a' '/' 'b'  // topic name
                    00 0A       // packet identifier 10
                    00          // property length 0
                    'h' 'i'     // payload
                    """),
                    new Publish("a/b", 1, false, false, 10, ascii("hi"), MqttProperties.EMPTY)),
            new Vector("5.0 PUBLISH QoS 0 retained, topic alias, empty topic and payload", V5, hex("""
                    31 0D       // PUBLISH, QoS 0, RETAIN; Remaining Length 13
                    00 00       // topic name: empty (the alias stands for it)
                    0A          // property length 10
                    23 00 01    // topic alias 1
                    26 00 01 'k' 00 01 'v'  // user property k=v
                    """),
                    new Publish("", 0, true, false, 0, new byte[0], props().topicAlias(1).addUserProperty("k", "v").build())),
            new Vector("3.1.1 PUBLISH QoS 2 DUP with the §1.5.3 UTF-8 example as topic", V3_1_1, hex("""
                    3C 09       // PUBLISH, DUP, QoS 2; Remaining Length 9
                    00 05 41 F0 AA 9B 94   // topic "A\\uD869\\uDED4": U+0041 then U+2A6D4 in four bytes
                    00 01       // packet identifier 1
                    """),
                    new Publish("A\uD869\uDED4", 2, false, true, 1, new byte[0], MqttProperties.EMPTY)),
            new Vector("3.1.1 PUBACK", V3_1_1, hex("40 02 00 0A   // PUBACK, Remaining Length 2, packet identifier 10"),
                    new PubAck(10)),
            new Vector("5.0 PUBACK success, reason code omitted (§3.4.2.1)", V5, hex("""
                    40 02       // PUBACK, Remaining Length 2: reason code and properties left out
                    FF FF       // packet identifier 65535
                    """),
                    new PubAck(0xFFFF)),
            new Vector("5.0 PUBACK no matching subscribers, property length omitted (§3.4.2.2.1)", V5, hex("""
                    40 03 00 0A // PUBACK, Remaining Length 3, packet identifier 10
                    10          // reason code 0x10: no matching subscribers
                    """),
                    new PubAck(10, ReasonCode.NO_MATCHING_SUBSCRIBERS, MqttProperties.EMPTY)),
            new Vector("5.0 PUBREC unspecified error with reason string", V5, hex("""
                    50 0B 00 0A // PUBREC, Remaining Length 11, packet identifier 10
                    80          // reason code 0x80: unspecified error
                    07          // property length 7
                    1F 00 04 'o' 'o' 'p' 's'  // reason string "oops"
                    """),
                    new PubRec(10, ReasonCode.UNSPECIFIED_ERROR, props().reasonString("oops").build())),
            new Vector("3.1.1 PUBREL", V3_1_1, hex("62 02 00 0A   // PUBREL (flags 0010), packet identifier 10"),
                    new PubRel(10)),
            new Vector("5.0 PUBREL packet identifier not found", V5, hex("""
                    62 03 00 0A // PUBREL (flags 0010), Remaining Length 3, packet identifier 10
                    92          // reason code 0x92: packet identifier not found
                    """),
                    new PubRel(10, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, MqttProperties.EMPTY)),
            new Vector("3.1.1 PUBCOMP", V3_1_1, hex("70 02 00 0A   // PUBCOMP, packet identifier 10"),
                    new PubComp(10)),
            new Vector("3.1.1 SUBSCRIBE (3.1.1 §3.8.3 example payload)", V3_1_1, hex("""
                    82 0E       // SUBSCRIBE (flags 0010), Remaining Length 14
                    00 0A       // packet identifier 10
                    00 03 'a' '/' 'b' 01  // "a/b", requested QoS 1
                    00 03 'c' '/' 'd' 02  // "c/d", requested QoS 2
                    """),
                    new Subscribe(10, List.of(new Subscription("a/b", 1), new Subscription("c/d", 2)),
                            MqttProperties.EMPTY)),
            new Vector("5.0 SUBSCRIBE with subscription identifier and every option bit", V5, hex("""
                    82 0C       // SUBSCRIBE (flags 0010), Remaining Length 12
                    00 0A       // packet identifier 10
                    03          // property length 3
                    0B 80 01    // subscription identifier 128 (two-byte Variable Byte Integer)
                    00 03 'a' '/' 'b'  // topic filter
                    2D          // options 0010 1101: retain handling 2, RAP, no local, QoS 1
                    """),
                    new Subscribe(10, List.of(new Subscription("a/b", 1, true, true, 2)),
                            props().addSubscriptionIdentifier(128).build())),
            new Vector("3.1.1 SUBACK (3.1.1 §3.9.3 example payload)", V3_1_1, hex("""
                    90 06 00 0A // SUBACK, Remaining Length 6, packet identifier 10
                    00 01 02 80 // granted QoS 0, 1, 2; failure
                    """),
                    new SubAck(10, List.of(0, 1, 2, 0x80), MqttProperties.EMPTY)),
            new Vector("5.0 SUBACK", V5, hex("""
                    90 05 00 0A // SUBACK, Remaining Length 5, packet identifier 10
                    00          // property length 0
                    01 A2       // granted QoS 1; wildcard subscriptions not supported
                    """),
                    new SubAck(10, List.of(1, 0xA2), MqttProperties.EMPTY)),
            new Vector("3.1.1 UNSUBSCRIBE (3.1.1 §3.10.3 example payload)", V3_1_1, hex("""
                    A2 0C 00 0A // UNSUBSCRIBE (flags 0010), Remaining Length 12, packet identifier 10
                    00 03 'a' '/' 'b'
                    00 03 'c' '/' 'd'
                    """),
                    new Unsubscribe(10, List.of("a/b", "c/d"), MqttProperties.EMPTY)),
            new Vector("3.1.1 UNSUBACK, no payload", V3_1_1, hex("B0 02 00 0A   // UNSUBACK, packet identifier 10"),
                    new UnsubAck(10, List.of(), MqttProperties.EMPTY)),
            new Vector("5.0 UNSUBACK", V5, hex("""
                    B0 05 00 0A // UNSUBACK, Remaining Length 5, packet identifier 10
                    00          // property length 0
                    00 11       // success; no subscription existed
                    """),
                    new UnsubAck(10, List.of(0, 0x11), MqttProperties.EMPTY)),
            new Vector("3.1.1 PINGREQ", V3_1_1, hex("C0 00"), PingReq.INSTANCE),
            new Vector("5.0 PINGRESP", V5, hex("D0 00"), PingResp.INSTANCE),
            new Vector("3.1.1 DISCONNECT", V3_1_1, hex("E0 00"), Disconnect.NORMAL),
            new Vector("5.0 DISCONNECT normal, reason code omitted (§3.14.2.1)", V5, hex("E0 00"), Disconnect.NORMAL),
            new Vector("5.0 DISCONNECT with will, property length omitted (§3.14.2.2.1)", V5, hex("""
                    E0 01       // DISCONNECT, Remaining Length 1
                    04          // reason code 0x04: disconnect with will message
                    """),
                    new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, MqttProperties.EMPTY)),
            new Vector("5.0 DISCONNECT with session expiry", V5, hex("""
                    E0 07 00    // DISCONNECT, Remaining Length 7, normal disconnection
                    05          // property length 5
                    11 00 00 00 00  // session expiry interval 0
                    """),
                    new Disconnect(0, props().sessionExpiryInterval(0).build())),
            new Vector("5.0 AUTH success, everything omitted (§3.15.2.1)", V5, hex("F0 00"),
                    new Auth(0, MqttProperties.EMPTY)),
            new Vector("5.0 AUTH continue authentication", V5, hex("""
                    F0 0F       // AUTH, Remaining Length 15
                    18          // reason code 0x18: continue authentication
                    0D          // property length 13
                    15 00 05 'S' 'C' 'R' 'A' 'M'  // authentication method
                    16 00 02 01 02                // authentication data
                    """),
                    new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                            props().authenticationMethod("SCRAM").authenticationData(new byte[] {1, 2}).build())),
            new Vector("3.1.1 PUBLISH with a two-byte Remaining Length (128)", V3_1_1, Frames.concat(hex("""
                    30 80 01    // PUBLISH QoS 0, Remaining Length 128: 0x80 0x01 (§2.2.3)
                    00 01 't'   // topic name
                    """), new byte[125]),
                    new Publish("t", 0, false, false, 0, new byte[125], MqttProperties.EMPTY)));
}
