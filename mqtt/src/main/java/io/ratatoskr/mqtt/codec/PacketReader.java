package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.ratatoskr.mqtt.codec.MalformedPacketException.malformed;
import static io.ratatoskr.mqtt.codec.MalformedPacketException.protocolError;

/**
 * Parses one complete MQTT control packet, of any of the 15 types and in either direction, from its frame:
 * the first byte of the fixed header and the Remaining Length bytes after it. Direction rules (a server
 * receiving CONNACK) and rules needing the connection's state (a second CONNECT, topic alias ranges,
 * topic name syntax, client identifier length) are the connection's.
 *
 * <p>The rules the reader enforces, and the reason code each failure carries (MQTT 5.0 §4.13 and the
 * sections cited in the messages; MQTT 3.1.1 has the same rules, mostly without reason codes):
 * <ul>
 *   <li>Malformed Packet: a reserved packet type; fixed-header flags other than those §2.1.3 lists; PUBLISH
 *       QoS 3; a Variable Byte Integer over four bytes or not minimally encoded; a field that runs past the
 *       end of the frame, or bytes left over after the last field; ill-formed UTF-8, U+0000 or an encoded
 *       surrogate in a string; CONNECT's reserved flag, will QoS 3, will QoS or retain without the will
 *       flag, and (3.1.1) a password without a user name; reserved bits in subscription options; a reason
 *       code the packet's table does not list; an unknown property or one the packet may not carry.</li>
 *   <li>Protocol Error: PUBLISH with DUP on QoS 0; packet identifier 0; SUBSCRIBE, UNSUBSCRIBE, SUBACK or
 *       v5 UNSUBACK without entries; subscription QoS 3 or Retain Handling 3 (v5); CONNACK with Session
 *       Present and a failure code; CONNECT authentication data without a method; a CONNECT protocol name
 *       other than "MQTT" (or "MQIsdp" for 3.1); property repetition and range rules (see
 *       {@link PropertiesReader}).</li>
 *   <li>Unsupported Protocol Version: CONNECT with name "MQTT" or "MQIsdp" and a level we do not speak.</li>
 * </ul>
 *
 * <p>MQTT 3.1 ("MQIsdp", level 3) parses as 3.1.1, except that fixed-header flags of packets other than
 * PUBLISH are not checked and DUP on QoS 0 is tolerated: 3.1 marks those bits "not used" and its clients
 * set DUP on retried PUBREL, SUBSCRIBE and UNSUBSCRIBE.
 *
 * <p>Strings and byte arrays in the result are copies: the frame may be released once this returns.
 * Stateless and thread-safe.
 */
public final class PacketReader {
    private PacketReader() {
    }

    /** MQTT 5 reason codes each packet may carry (tables in §3.2.2.2, 3.4.2.1, ..., 3.15.2.1). */
    private static final boolean[] CONNACK_CODES = codes(0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
            0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F);
    private static final boolean[] PUBACK_CODES = codes(0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99);
    private static final boolean[] PUBREL_CODES = codes(0x00, 0x92);
    private static final boolean[] SUBACK_CODES = codes(0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97,
            0x9E, 0xA1, 0xA2);
    private static final boolean[] UNSUBACK_CODES = codes(0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91);
    private static final boolean[] DISCONNECT_CODES = codes(0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89,
            0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E,
            0x9F, 0xA0, 0xA1, 0xA2);
    private static final boolean[] AUTH_CODES = codes(0x00, 0x18, 0x19);
    /** MQTT 3.1.1 SUBACK return codes [MQTT-3.9.3-2]. */
    private static final boolean[] V3_SUBACK_CODES = codes(0x00, 0x01, 0x02, 0x80);
    /** MQTT 3.1.1 CONNACK return codes 0-5; 6-255 are reserved (§3.2.2.3). */
    private static final int V3_MAX_CONNACK_CODE = 5;

    /** Field names for messages, built once so that the happy path concatenates nothing. */
    private static final String[] PACKET_ID_FIELD = new String[16];
    private static final String[] REASON_CODE_FIELD = new String[16];

    static {
        for (PacketType t : PacketType.values()) {
            PACKET_ID_FIELD[t.value()] = t + " packet identifier";
            REASON_CODE_FIELD[t.value()] = t + " reason code";
        }
    }

    /**
     * Parses the frame of one packet.
     *
     * @param firstByte the fixed header's first byte: packet type and flags
     * @param frame exactly the Remaining Length bytes that follow the fixed header; read from its reader
     *     index, which this moves
     * @param version the connection's version. A CONNECT is always parsed in the version it names itself,
     *     and may be given null here; every other type needs the version
     * @return the packet; never null
     * @throws RuntimeException (a package-private type) whose message names the field and the rule when the
     *     frame is not an acceptable packet. {@link MqttDecoder} turns it into a {@link DecodeFailure}.
     */
    public static MqttPacket read(int firstByte, ByteBuf frame, MqttVersion version) {
        return read(firstByte, frame, version, null);
    }

    /**
     * As {@link #read(int, ByteBuf, MqttVersion)}, reusing the last PUBLISH topic name of {@code topics}
     * (may be null).
     */
    static MqttPacket read(int firstByte, ByteBuf frame, MqttVersion version, TopicNames topics) {
        if (firstByte < 0 || firstByte > 0xFF) {
            throw new IllegalArgumentException("first byte " + firstByte + " is outside 0..255");
        }
        checkFirstByte(firstByte, version);
        PacketType type = PacketType.of(firstByte >>> 4);
        if (type != PacketType.CONNECT) {
            Objects.requireNonNull(version, "version");
        }
        MqttPacket packet = switch (type) {
            case CONNECT -> readConnect(frame);
            case CONNACK -> readConnAck(frame, version);
            case PUBLISH -> readPublish(firstByte, frame, version, topics);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> readPublishAck(type, frame, version);
            case SUBSCRIBE -> readSubscribe(frame, version);
            case SUBACK -> readSubAck(frame, version);
            case UNSUBSCRIBE -> readUnsubscribe(frame, version);
            case UNSUBACK -> readUnsubAck(frame, version);
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> readDisconnect(frame, version);
            case AUTH -> readAuth(frame);
        };
        if (frame.isReadable()) {
            throw malformed(type + ": " + frame.readableBytes() + " bytes left after the last field"
                    + " (the Remaining Length does not match the fields, §2.1.4)");
        }
        return packet;
    }

    /**
     * The Remaining Length of the fixed header whose second byte is at {@code index} in {@code buf}, or -1
     * when the buffer ends before its last byte. Reads nothing; moves no index.
     *
     * @throws RuntimeException (a package-private type) when the length runs to a fifth byte (§2.1.4) or is
     *     not minimally encoded [MQTT-1.5.5-1]
     */
    public static int remainingLength(ByteBuf buf, int index) {
        return Wire.decodeVariableByteInteger(buf, index, buf.writerIndex(), "Remaining Length");
    }

    /** Bytes on the wire of a packet with this Remaining Length: type byte, length bytes and the rest. */
    public static int packetBytes(int remainingLength) {
        return 1 + Wire.variableByteIntegerSize(remainingLength) + remainingLength;
    }

    /**
     * Checks the packet type and the fixed-header flags (§2.1.2-3; 3.1.1 §2.2.1-2), which the first byte
     * alone decides, so that the decoder can refuse a packet before buffering it.
     *
     * @param version the connection's version, or null before CONNECT (then only CONNECT is expected)
     */
    static void checkFirstByte(int firstByte, MqttVersion version) {
        PacketType type = PacketType.of(firstByte >>> 4);
        if (type == null) {
            throw malformed("packet type 0 is reserved (§2.1.2)");
        }
        if (type == PacketType.AUTH && version != null && !version.isV5()) {
            String name = version == MqttVersion.V3_1 ? "3.1" : "3.1.1";
            throw malformed("packet type 15 (AUTH) is reserved in MQTT " + name + " (3.1.1 §2.2.1)");
        }
        int flags = firstByte & 0x0F;
        if (type == PacketType.PUBLISH) {
            int qos = (flags >> 1) & 0x03;
            if (qos == 3) {
                throw malformed("PUBLISH QoS bits must not both be 1 [MQTT-3.3.1-4]");
            }
            if (qos == 0 && (flags & 0x08) != 0 && version != MqttVersion.V3_1) {
                throw protocolError("PUBLISH with QoS 0 must have DUP 0 [MQTT-3.3.1-2]");
            }
            return;
        }
        if (version == MqttVersion.V3_1) {
            return; // MQTT 3.1 marks these bits "not used": its clients set DUP on retries
        }
        int expected = type == PacketType.PUBREL || type == PacketType.SUBSCRIBE || type == PacketType.UNSUBSCRIBE
                ? 0b0010 : 0b0000;
        if (flags != expected) {
            throw malformed(type + " fixed header flags must be " + bits(expected) + ", not " + bits(flags)
                    + " [MQTT-2.1.3-1]");
        }
    }

    /**
     * The version a CONNECT frame names in its protocol name and level (§3.1.2.1-2). Reads from a duplicate:
     * the frame's indexes do not move.
     */
    static MqttVersion connectVersion(ByteBuf frame) {
        ByteBuf in = frame.duplicate();
        String name = Wire.readString(in, "CONNECT protocol name");
        int level = Wire.readByte(in, "CONNECT protocol level");
        return versionOf(name, level);
    }

    private static MqttVersion versionOf(String name, int level) {
        MqttVersion version = MqttVersion.of(name, level);
        if (version != null) {
            return version;
        }
        if (name.equals(MqttVersion.V5.protocolName()) || name.equals(MqttVersion.V3_1.protocolName())) {
            throw new MalformedPacketException(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "CONNECT protocol level "
                    + level + " with protocol name \"" + name + "\" is not a version this server speaks"
                    + " (3 with \"MQIsdp\", 4 or 5 with \"MQTT\") [MQTT-3.1.2-2]");
        }
        String shown = name.length() > 32 ? name.substring(0, 32) + "..." : name;
        throw protocolError("CONNECT protocol name \"" + shown + "\" is not \"MQTT\" [MQTT-3.1.2-1]");
    }

    private static Connect readConnect(ByteBuf in) {
        MqttVersion version = versionOf(Wire.readString(in, "CONNECT protocol name"),
                Wire.readByte(in, "CONNECT protocol level"));
        boolean v5 = version.isV5();
        int flags = Wire.readByte(in, "CONNECT flags");
        if ((flags & 0x01) != 0) {
            throw malformed("CONNECT flags reserved bit 0 must be 0 [MQTT-3.1.2-3]");
        }
        boolean cleanStart = (flags & 0x02) != 0;
        boolean willFlag = (flags & 0x04) != 0;
        int willQos = (flags >> 3) & 0x03;
        boolean willRetain = (flags & 0x20) != 0;
        boolean passwordFlag = (flags & 0x40) != 0;
        boolean userNameFlag = (flags & 0x80) != 0;
        if (!willFlag) {
            if (willQos != 0) {
                throw malformed("CONNECT will QoS must be 0 when the will flag is 0 [MQTT-3.1.2-11]");
            }
            if (willRetain) {
                throw malformed("CONNECT will retain must be 0 when the will flag is 0 [MQTT-3.1.2-13]");
            }
        } else if (willQos == 3) {
            throw malformed("CONNECT will QoS must not be 3 [MQTT-3.1.2-12]");
        }
        if (!v5 && passwordFlag && !userNameFlag) {
            throw malformed("CONNECT password flag must be 0 when the user name flag is 0 (3.1.1 [MQTT-3.1.2-22])");
        }
        int keepAlive = Wire.readTwoByteInteger(in, "CONNECT keep alive");
        MqttProperties properties = MqttProperties.EMPTY;
        if (v5) {
            properties = PropertiesReader.read(in, PacketType.CONNECT, false, "CONNECT");
            if (properties.authenticationData() != null && properties.authenticationMethod() == null) {
                throw protocolError("CONNECT has authentication data but no authentication method (§3.1.2.11.10)");
            }
        }
        String clientId = Wire.readString(in, "CONNECT client identifier");
        Will will = null;
        if (willFlag) {
            MqttProperties willProperties = v5
                    ? PropertiesReader.read(in, PacketType.CONNECT, true, "CONNECT will")
                    : MqttProperties.EMPTY;
            String topic = Wire.readString(in, "CONNECT will topic");
            byte[] payload = Wire.readBinary(in, "CONNECT will payload");
            will = new Will(topic, payload, willQos, willRetain, willProperties);
        }
        String userName = userNameFlag ? Wire.readString(in, "CONNECT user name") : null;
        byte[] password = passwordFlag ? Wire.readBinary(in, "CONNECT password") : null;
        return new Connect(version, clientId, cleanStart, keepAlive, userName, password, will, properties);
    }

    private static ConnAck readConnAck(ByteBuf in, MqttVersion version) {
        int ackFlags = Wire.readByte(in, "CONNACK acknowledge flags");
        if ((ackFlags & 0xFE) != 0) {
            throw malformed("CONNACK acknowledge flags bits 7-1 are reserved and must be 0 [MQTT-3.2.2-1]");
        }
        boolean sessionPresent = (ackFlags & 0x01) != 0;
        int code = Wire.readByte(in, "CONNACK reason code");
        MqttProperties properties = MqttProperties.EMPTY;
        if (version.isV5()) {
            checkReasonCode(CONNACK_CODES, code, "CONNACK", "[MQTT-3.2.2-8]");
            properties = PropertiesReader.read(in, PacketType.CONNACK, false, "CONNACK");
        } else if (code > V3_MAX_CONNACK_CODE) {
            throw malformed("CONNACK return code " + code + " is reserved (3.1.1 §3.2.2.3)");
        }
        if (sessionPresent && code != ReasonCode.SUCCESS) {
            throw protocolError("CONNACK with a failure code must have Session Present 0 [MQTT-3.2.2-6]");
        }
        return new ConnAck(sessionPresent, code, properties);
    }

    private static Publish readPublish(int firstByte, ByteBuf in, MqttVersion version, TopicNames topics) {
        return readPublish(firstByte, in, version, topics, null);
    }

    /**
     * A PUBLISH's variable header from {@code in}, and as its payload either the rest of {@code in}
     * ({@code payload} null) or {@code payload}, which the caller fills after this returns (from bytes that have
     * not all arrived yet; see {@link MqttDecoder}).
     */
    static Publish readPublish(int firstByte, ByteBuf in, MqttVersion version, TopicNames topics, byte[] payload) {
        boolean dup = (firstByte & 0x08) != 0;
        int qos = (firstByte >> 1) & 0x03;
        boolean retain = (firstByte & 0x01) != 0;
        String topic = topics == null
                ? Wire.readString(in, "PUBLISH topic name") : topics.read(in, "PUBLISH topic name");
        int packetId = qos > 0 ? readPacketId(in, PacketType.PUBLISH) : 0;
        MqttProperties properties = version.isV5()
                ? PropertiesReader.read(in, PacketType.PUBLISH, false, "PUBLISH")
                : MqttProperties.EMPTY;
        if (payload == null) {
            payload = new byte[in.readableBytes()];
            in.readBytes(payload);
        }
        return new Publish(topic, qos, retain, dup && qos > 0, packetId, payload, properties);
    }

    /**
     * Bytes of the variable header (topic name, packet identifier, v5 properties) of a PUBLISH with this first
     * byte, whose variable header starts at {@code index} in {@code buf}; -1 when {@code buf} ends before its
     * length is known. Reads nothing, moves no index and validates nothing but the properties' length
     * encoding: {@link #readPublish(int, ByteBuf, MqttVersion, TopicNames, byte[])} checks the fields.
     */
    static int publishHeaderBytes(int firstByte, ByteBuf buf, int index, MqttVersion version) {
        int limit = buf.writerIndex();
        if (index + 2 > limit) {
            return -1;
        }
        int bytes = 2 + buf.getUnsignedShort(index);
        if (((firstByte >> 1) & 0x03) > 0) {
            bytes += 2;
        }
        if (version.isV5()) {
            int propertiesLength = Wire.decodeVariableByteInteger(buf, index + bytes, limit, "property length");
            if (propertiesLength < 0) {
                return -1;
            }
            bytes += Wire.variableByteIntegerSize(propertiesLength) + propertiesLength;
        }
        return bytes;
    }

    /**
     * PUBACK, PUBREC, PUBREL, PUBCOMP (§3.4-3.7). In v5 the reason code may be omitted when the Remaining
     * Length is 2 (then it is 0x00), and the property length when it is less than 4 (§3.4.2.1, §3.4.2.2.1).
     */
    private static MqttPacket readPublishAck(PacketType type, ByteBuf in, MqttVersion version) {
        int packetId = readPacketId(in, type);
        int code = ReasonCode.SUCCESS;
        MqttProperties properties = MqttProperties.EMPTY;
        if (version.isV5() && in.isReadable()) {
            code = Wire.readByte(in, REASON_CODE_FIELD[type.value()]);
            boolean release = type == PacketType.PUBREL || type == PacketType.PUBCOMP;
            checkReasonCode(release ? PUBREL_CODES : PUBACK_CODES, code, type.name(), "(§2.4)");
            if (in.isReadable()) {
                properties = PropertiesReader.read(in, type, false, type.name());
            }
        }
        return switch (type) {
            case PUBACK -> new PubAck(packetId, code, properties);
            case PUBREC -> new PubRec(packetId, code, properties);
            case PUBREL -> new PubRel(packetId, code, properties);
            case PUBCOMP -> new PubComp(packetId, code, properties);
            default -> throw new IllegalStateException("not a publish acknowledgement: " + type);
        };
    }

    private static Subscribe readSubscribe(ByteBuf in, MqttVersion version) {
        boolean v5 = version.isV5();
        int packetId = readPacketId(in, PacketType.SUBSCRIBE);
        MqttProperties properties = v5
                ? PropertiesReader.read(in, PacketType.SUBSCRIBE, false, "SUBSCRIBE")
                : MqttProperties.EMPTY;
        if (!in.isReadable()) {
            throw protocolError("SUBSCRIBE must carry at least one topic filter [MQTT-3.8.3-2]");
        }
        List<Subscription> subscriptions = new ArrayList<>();
        while (in.isReadable()) {
            String filter = Wire.readString(in, "SUBSCRIBE topic filter");
            int options = Wire.readByte(in, "SUBSCRIBE subscription options");
            subscriptions.add(v5 ? subscriptionV5(filter, options) : subscriptionV3(filter, options));
        }
        return new Subscribe(packetId, subscriptions, properties);
    }

    /** §3.8.3.1: bits 0-1 Maximum QoS, 2 No Local, 3 Retain As Published, 4-5 Retain Handling, 6-7 reserved. */
    private static Subscription subscriptionV5(String filter, int options) {
        if ((options & 0xC0) != 0) {
            throw malformed("SUBSCRIBE subscription options reserved bits 6-7 must be 0 [MQTT-3.8.3-5]");
        }
        int qos = options & 0x03;
        if (qos == 3) {
            throw protocolError("SUBSCRIBE subscription options Maximum QoS must not be 3 (§3.8.3.1)");
        }
        int retainHandling = (options >> 4) & 0x03;
        if (retainHandling == 3) {
            throw protocolError("SUBSCRIBE subscription options Retain Handling must not be 3 (§3.8.3.1)");
        }
        return new Subscription(filter, qos, (options & 0x04) != 0, (options & 0x08) != 0, retainHandling);
    }

    /** 3.1.1 §3.8.3: bits 0-1 Requested QoS, 2-7 reserved. */
    private static Subscription subscriptionV3(String filter, int options) {
        if ((options & 0xFC) != 0) {
            throw malformed("SUBSCRIBE requested QoS reserved bits 2-7 must be 0 (3.1.1 [MQTT-3.8.3-4])");
        }
        if (options == 3) {
            throw malformed("SUBSCRIBE requested QoS must not be 3 (3.1.1 [MQTT-3.8.3-4])");
        }
        return new Subscription(filter, options);
    }

    private static SubAck readSubAck(ByteBuf in, MqttVersion version) {
        boolean v5 = version.isV5();
        int packetId = readPacketId(in, PacketType.SUBACK);
        MqttProperties properties = v5
                ? PropertiesReader.read(in, PacketType.SUBACK, false, "SUBACK")
                : MqttProperties.EMPTY;
        List<Integer> codes = v5
                ? readReasonCodes(in, SUBACK_CODES, PacketType.SUBACK, "(§3.9.3)")
                : readReasonCodes(in, V3_SUBACK_CODES, PacketType.SUBACK, "(3.1.1 [MQTT-3.9.3-2])");
        return new SubAck(packetId, codes, properties);
    }

    private static Unsubscribe readUnsubscribe(ByteBuf in, MqttVersion version) {
        int packetId = readPacketId(in, PacketType.UNSUBSCRIBE);
        MqttProperties properties = version.isV5()
                ? PropertiesReader.read(in, PacketType.UNSUBSCRIBE, false, "UNSUBSCRIBE")
                : MqttProperties.EMPTY;
        if (!in.isReadable()) {
            throw protocolError("UNSUBSCRIBE must carry at least one topic filter [MQTT-3.10.3-2]");
        }
        List<String> filters = new ArrayList<>();
        while (in.isReadable()) {
            filters.add(Wire.readString(in, "UNSUBSCRIBE topic filter"));
        }
        return new Unsubscribe(packetId, filters, properties);
    }

    /** UNSUBACK (§3.11). A 3.1.1 UNSUBACK is the packet identifier alone: its list reads empty. */
    private static UnsubAck readUnsubAck(ByteBuf in, MqttVersion version) {
        int packetId = readPacketId(in, PacketType.UNSUBACK);
        if (!version.isV5()) {
            return new UnsubAck(packetId, List.of(), MqttProperties.EMPTY);
        }
        MqttProperties properties = PropertiesReader.read(in, PacketType.UNSUBACK, false, "UNSUBACK");
        List<Integer> codes = readReasonCodes(in, UNSUBACK_CODES, PacketType.UNSUBACK, "(§3.11.3)");
        return new UnsubAck(packetId, codes, properties);
    }

    /**
     * DISCONNECT (§3.14). A 3.1.1 DISCONNECT has no body. In v5 a Remaining Length of 0 means reason code
     * 0x00 (§3.14.2.1), and one below 2 means no properties (§3.14.2.2.1).
     */
    private static Disconnect readDisconnect(ByteBuf in, MqttVersion version) {
        if (!version.isV5() || !in.isReadable()) {
            return Disconnect.NORMAL;
        }
        int code = Wire.readByte(in, "DISCONNECT reason code");
        checkReasonCode(DISCONNECT_CODES, code, "DISCONNECT", "(§3.14.2.1)");
        MqttProperties properties = in.isReadable()
                ? PropertiesReader.read(in, PacketType.DISCONNECT, false, "DISCONNECT")
                : MqttProperties.EMPTY;
        return new Disconnect(code, properties);
    }

    /**
     * AUTH (§3.15), v5 only. The reason code and property length are omitted together, with a Remaining
     * Length of 0, or both present (§3.15.2.1): a lone reason code is malformed.
     */
    private static Auth readAuth(ByteBuf in) {
        if (!in.isReadable()) {
            return new Auth(ReasonCode.SUCCESS, MqttProperties.EMPTY);
        }
        int code = Wire.readByte(in, "AUTH reason code");
        checkReasonCode(AUTH_CODES, code, "AUTH", "[MQTT-3.15.2-1]");
        if (!in.isReadable()) {
            throw malformed("AUTH with a reason code must also carry a property length (§3.15.2.1)");
        }
        return new Auth(code, PropertiesReader.read(in, PacketType.AUTH, false, "AUTH"));
    }

    /**
     * The payload of SUBACK and v5 UNSUBACK: one reason code per topic filter of the request, so at least
     * one (a protocol error otherwise, as an empty SUBSCRIBE or UNSUBSCRIBE is).
     */
    private static List<Integer> readReasonCodes(ByteBuf in, boolean[] allowed, PacketType type, String cite) {
        if (!in.isReadable()) {
            throw protocolError(type + " must carry a reason code for each topic filter " + cite);
        }
        List<Integer> codes = new ArrayList<>(in.readableBytes());
        while (in.isReadable()) {
            int code = in.readUnsignedByte();
            checkReasonCode(allowed, code, type.name(), cite);
            codes.add(code);
        }
        return codes;
    }

    /** Packet identifiers are non-zero (§2.2.1; 3.1.1 §2.3.1). */
    private static int readPacketId(ByteBuf in, PacketType type) {
        int id = Wire.readTwoByteInteger(in, PACKET_ID_FIELD[type.value()]);
        if (id == 0) {
            throw protocolError(type + " packet identifier must not be 0 (§2.2.1)");
        }
        return id;
    }

    private static void checkReasonCode(boolean[] allowed, int code, String packet, String cite) {
        if (!allowed[code]) {
            throw malformed(packet + " reason code 0x" + Integer.toHexString(code)
                    + " is not one this packet may carry " + cite);
        }
    }

    private static boolean[] codes(int... codes) {
        boolean[] set = new boolean[256];
        for (int c : codes) {
            set[c] = true;
        }
        return set;
    }

    private static String bits(int flags) {
        String s = Integer.toBinaryString(flags);
        return "0".repeat(4 - s.length()) + s;
    }
}
