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

import java.util.List;
import java.util.Objects;

/**
 * Encodes packets for the wire. Sizes are measured once, then the packet is written straight into the
 * buffer: strings go in as UTF-8 without an intermediate {@code byte[]}.
 *
 * <p>How versions differ on the way out:
 * <ul>
 *   <li>CONNECT is written in the version it names itself ({@link Connect#version()}), whatever the
 *       version argument says.</li>
 *   <li>MQTT 3.1.1 (and 3.1): no properties are written, whatever the packet holds; PUBACK, PUBREC, PUBREL
 *       and PUBCOMP carry only the packet identifier; SUBACK codes of 0x80 and above become 0x80, the one
 *       3.1.1 failure code; UNSUBACK has no payload and DISCONNECT no body; CONNACK's return code is
 *       written as given ({@link ReasonCode#toV3ConnAck} maps v5 codes). AUTH cannot be written.</li>
 *   <li>MQTT 5: the reason code and property length are left out wherever the spec allows: a PUBACK,
 *       PUBREC, PUBREL or PUBCOMP with reason 0x00 and no properties is 2 bytes of body, one with another
 *       reason and no properties 3 (§3.4.2.1, §3.4.2.2.1); a DISCONNECT or AUTH with 0x00 and no properties
 *       has no body (§3.14.2.1, §3.15.2.1); a DISCONNECT with another reason and no properties is the
 *       reason code alone (§3.14.2.2.1).</li>
 * </ul>
 *
 * <p>A packet that cannot be put on the wire correctly — a string over 65,535 bytes or holding U+0000, a
 * property the packet may not carry, QoS 0 with DUP, a SUBACK without codes — is refused with
 * {@link IllegalArgumentException} before anything is written: it is a bug in the caller, not in a peer.
 * Stateless and thread-safe.
 */
public final class PacketWriter {
    private PacketWriter() {
    }

    /** The exact number of bytes {@code packet} takes on the wire in {@code version}, fixed header included. */
    public static int encodedSize(MqttPacket packet, MqttVersion version) {
        return measure(packet, version, new Layout());
    }

    /**
     * Appends {@code packet} to {@code out} at its writer index, growing {@code out} if it must (and it
     * may).
     */
    public static void write(MqttPacket packet, MqttVersion version, ByteBuf out) {
        Layout layout = new Layout();
        measure(packet, version, layout);
        write(packet, version, layout, out);
    }

    /**
     * The packet with the properties a sender may drop left out: the reason string and user properties of
     * CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT and AUTH. A server drops them
     * when they would make a packet exceed the client's Maximum Packet Size ([MQTT-3.2.2-19],
     * [MQTT-3.2.2-20], [MQTT-3.4.2-2], [MQTT-3.4.2-3] and the like for each of those packets). Other packets,
     * and packets with nothing to drop, come back as they are.
     */
    public static MqttPacket withoutOptionalProperties(MqttPacket packet) {
        return switch (packet) {
            case ConnAck p -> optional(p.properties())
                    ? new ConnAck(p.sessionPresent(), p.reasonCode(), stripped(p.properties())) : p;
            case PubAck p -> optional(p.properties())
                    ? new PubAck(p.packetId(), p.reasonCode(), stripped(p.properties())) : p;
            case PubRec p -> optional(p.properties())
                    ? new PubRec(p.packetId(), p.reasonCode(), stripped(p.properties())) : p;
            case PubRel p -> optional(p.properties())
                    ? new PubRel(p.packetId(), p.reasonCode(), stripped(p.properties())) : p;
            case PubComp p -> optional(p.properties())
                    ? new PubComp(p.packetId(), p.reasonCode(), stripped(p.properties())) : p;
            case SubAck p -> optional(p.properties())
                    ? new SubAck(p.packetId(), p.reasonCodes(), stripped(p.properties())) : p;
            case UnsubAck p -> optional(p.properties())
                    ? new UnsubAck(p.packetId(), p.reasonCodes(), stripped(p.properties())) : p;
            case Disconnect p -> optional(p.properties())
                    ? new Disconnect(p.reasonCode(), stripped(p.properties())) : p;
            case Auth p -> optional(p.properties())
                    ? new Auth(p.reasonCode(), stripped(p.properties())) : p;
            case Connect p -> p;
            case Publish p -> p;
            case Subscribe p -> p;
            case Unsubscribe p -> p;
            case PingReq p -> p;
            case PingResp p -> p;
        };
    }

    private static boolean optional(MqttProperties p) {
        return p.reasonString() != null || !p.userProperties().isEmpty();
    }

    private static MqttProperties stripped(MqttProperties p) {
        MqttProperties rest = p.toBuilder().reasonString(null).userProperties(null).build();
        return rest.isEmpty() ? MqttProperties.EMPTY : rest;
    }

    /**
     * Sizes measured for one packet, kept between measuring and writing. Mutable and reusable; confined to
     * one thread (the {@link MqttEncoder} that owns it).
     */
    static final class Layout {
        MqttPacket packet;
        MqttVersion version;
        int remainingLength;
        int propertiesLength;
        int willPropertiesLength;
        int total;
        /** A PUBLISH's topic name as UTF-8 (no length prefix). */
        byte[] topicUtf8;
    }

    /** Measures {@code packet} into {@code layout}; returns the total bytes on the wire. */
    static int measure(MqttPacket packet, MqttVersion version, Layout layout) {
        Objects.requireNonNull(version, "version");
        boolean v5 = version.isV5();
        layout.propertiesLength = 0;
        layout.willPropertiesLength = 0;
        int remaining = switch (packet) {
            case Connect p -> measureConnect(p, layout);
            case ConnAck p -> 2 + (v5 ? propertyBlock(layout, p.properties(), PacketType.CONNACK) : 0);
            case Publish p -> {
                if (p.qos() == 0 && p.dup()) {
                    throw new IllegalArgumentException("a QoS 0 PUBLISH must have DUP 0 [MQTT-3.3.1-2]");
                }
                // The thread's topic cache: a message fanned out to many subscribers is encoded once per loop.
                layout.topicUtf8 = TopicNames.forThisThread().utf8(p.topic(), "PUBLISH topic name");
                yield 2 + layout.topicUtf8.length + (p.qos() > 0 ? 2 : 0)
                        + (v5 ? propertyBlock(layout, p.properties(), PacketType.PUBLISH) : 0) + p.payload().length;
            }
            case PubAck p -> publishAckLength(v5, p.reasonCode(), p.properties(), PacketType.PUBACK, layout);
            case PubRec p -> publishAckLength(v5, p.reasonCode(), p.properties(), PacketType.PUBREC, layout);
            case PubRel p -> publishAckLength(v5, p.reasonCode(), p.properties(), PacketType.PUBREL, layout);
            case PubComp p -> publishAckLength(v5, p.reasonCode(), p.properties(), PacketType.PUBCOMP, layout);
            case Subscribe p -> {
                int n = 2 + (v5 ? propertyBlock(layout, p.properties(), PacketType.SUBSCRIBE) : 0);
                for (Subscription s : p.subscriptions()) {
                    n += Wire.stringSize(s.filter(), "SUBSCRIBE topic filter") + 1;
                }
                yield n;
            }
            case SubAck p -> 2 + (v5 ? propertyBlock(layout, p.properties(), PacketType.SUBACK) : 0)
                    + nonEmpty(p.reasonCodes(), "SUBACK").size();
            case Unsubscribe p -> {
                int n = 2 + (v5 ? propertyBlock(layout, p.properties(), PacketType.UNSUBSCRIBE) : 0);
                for (String filter : p.filters()) {
                    n += Wire.stringSize(filter, "UNSUBSCRIBE topic filter");
                }
                yield n;
            }
            case UnsubAck p -> v5
                    ? 2 + propertyBlock(layout, p.properties(), PacketType.UNSUBACK)
                            + nonEmpty(p.reasonCodes(), "UNSUBACK").size()
                    : 2;
            case PingReq p -> 0;
            case PingResp p -> 0;
            case Disconnect p -> {
                if (!v5) {
                    yield 0;
                }
                int properties = propertiesOnly(layout, p.properties(), PacketType.DISCONNECT);
                yield properties == 0
                        ? (p.reasonCode() == ReasonCode.NORMAL_DISCONNECTION ? 0 : 1)
                        : 1 + Wire.variableByteIntegerSize(properties) + properties;
            }
            case Auth p -> {
                if (!v5) {
                    throw new IllegalArgumentException("AUTH does not exist in MQTT " + version);
                }
                int properties = propertiesOnly(layout, p.properties(), PacketType.AUTH);
                yield properties == 0 && p.reasonCode() == ReasonCode.SUCCESS
                        ? 0 : 1 + Wire.variableByteIntegerSize(properties) + properties;
            }
        };
        layout.packet = packet;
        layout.version = version;
        layout.remainingLength = remaining;
        layout.total = PacketReader.packetBytes(remaining);
        return layout.total;
    }

    private static int measureConnect(Connect p, Layout layout) {
        MqttVersion version = p.version();
        boolean v5 = version.isV5();
        if (!v5 && p.password() != null && p.username() == null) {
            throw new IllegalArgumentException("an MQTT " + version + " CONNECT with a password needs a user name"
                    + " [MQTT-3.1.2-22]");
        }
        int n = Wire.stringSize(version.protocolName(), "protocol name") + 1 + 1 + 2;
        if (v5) {
            n += propertyBlock(layout, p.properties(), PacketType.CONNECT);
        }
        n += Wire.stringSize(p.clientId(), "CONNECT client identifier");
        Will will = p.will();
        if (will != null) {
            if (v5) {
                layout.willPropertiesLength = PropertiesWriter.size(will.properties(), PacketType.CONNECT, true);
                n += Wire.variableByteIntegerSize(layout.willPropertiesLength) + layout.willPropertiesLength;
            }
            n += Wire.stringSize(will.topic(), "CONNECT will topic")
                    + Wire.binarySize(will.payload(), "CONNECT will payload");
        }
        if (p.username() != null) {
            n += Wire.stringSize(p.username(), "CONNECT user name");
        }
        if (p.password() != null) {
            n += Wire.binarySize(p.password(), "CONNECT password");
        }
        return n;
    }

    /** Measures a property block that is always written; returns its bytes with the length prefix. */
    private static int propertyBlock(Layout layout, MqttProperties p, PacketType type) {
        int length = PropertiesWriter.size(p, type, false);
        layout.propertiesLength = length;
        return Wire.variableByteIntegerSize(length) + length;
    }

    /** Measures the properties alone, for packets that may leave out the block when it is empty. */
    private static int propertiesOnly(Layout layout, MqttProperties p, PacketType type) {
        int length = PropertiesWriter.size(p, type, false);
        layout.propertiesLength = length;
        return length;
    }

    private static int publishAckLength(boolean v5, int reasonCode, MqttProperties p, PacketType type, Layout layout) {
        if (!v5) {
            return 2;
        }
        int properties = propertiesOnly(layout, p, type);
        if (properties == 0) {
            return reasonCode == ReasonCode.SUCCESS ? 2 : 3;
        }
        return 3 + Wire.variableByteIntegerSize(properties) + properties;
    }

    private static List<Integer> nonEmpty(List<Integer> codes, String packet) {
        if (codes.isEmpty()) {
            throw new IllegalArgumentException(packet + " needs a reason code for each topic filter");
        }
        return codes;
    }

    /** Writes {@code packet} as {@code layout}, measured for it by {@link #measure}, says. */
    static void write(MqttPacket packet, MqttVersion version, Layout layout, ByteBuf out) {
        if (layout.packet != packet || layout.version != version) {
            measure(packet, version, layout);
        }
        // Making room for the whole packet first is what lets Wire.writeString reserve no more than is left.
        out.ensureWritable(layout.total);
        int start = out.writerIndex();
        boolean v5 = version.isV5();
        out.writeByte(firstByte(packet));
        Wire.writeVariableByteInteger(out, layout.remainingLength);
        switch (packet) {
            case Connect p -> writeConnect(p, layout, out);
            case ConnAck p -> {
                out.writeByte(p.sessionPresent() ? 1 : 0).writeByte(p.reasonCode());
                if (v5) {
                    PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
                }
            }
            case Publish p -> {
                out.writeShort(layout.topicUtf8.length).writeBytes(layout.topicUtf8);
                if (p.qos() > 0) {
                    out.writeShort(p.packetId());
                }
                if (v5) {
                    PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
                }
                out.writeBytes(p.payload());
            }
            case PubAck p -> writePublishAck(p.packetId(), p.reasonCode(), p.properties(), layout, out);
            case PubRec p -> writePublishAck(p.packetId(), p.reasonCode(), p.properties(), layout, out);
            case PubRel p -> writePublishAck(p.packetId(), p.reasonCode(), p.properties(), layout, out);
            case PubComp p -> writePublishAck(p.packetId(), p.reasonCode(), p.properties(), layout, out);
            case Subscribe p -> {
                out.writeShort(p.packetId());
                if (v5) {
                    PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
                }
                for (Subscription s : p.subscriptions()) {
                    Wire.writeString(out, s.filter());
                    out.writeByte(v5 ? subscriptionOptions(s) : s.qos());
                }
            }
            case SubAck p -> {
                out.writeShort(p.packetId());
                if (v5) {
                    PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
                }
                for (int code : p.reasonCodes()) {
                    out.writeByte(v5 || code < 0x80 ? code : ReasonCode.V3_SUBACK_FAILURE);
                }
            }
            case Unsubscribe p -> {
                out.writeShort(p.packetId());
                if (v5) {
                    PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
                }
                for (String filter : p.filters()) {
                    Wire.writeString(out, filter);
                }
            }
            case UnsubAck p -> {
                out.writeShort(p.packetId());
                if (v5) {
                    PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
                    for (int code : p.reasonCodes()) {
                        out.writeByte(code);
                    }
                }
            }
            case PingReq p -> {
            }
            case PingResp p -> {
            }
            case Disconnect p -> writeReasonAndProperties(p.reasonCode(), p.properties(), layout, out);
            case Auth p -> writeReasonAndProperties(p.reasonCode(), p.properties(), layout, out);
        }
        int written = out.writerIndex() - start;
        if (written != layout.total) {
            throw new IllegalStateException("wrote " + written + " bytes of a " + packet.type() + " measured at "
                    + layout.total);
        }
    }

    private static int firstByte(MqttPacket packet) {
        int flags = switch (packet) {
            case Publish p -> (p.dup() ? 0x08 : 0) | p.qos() << 1 | (p.retain() ? 0x01 : 0);
            case PubRel p -> 0b0010;
            case Subscribe p -> 0b0010;
            case Unsubscribe p -> 0b0010;
            default -> 0;
        };
        return packet.type().value() << 4 | flags;
    }

    private static void writeConnect(Connect p, Layout layout, ByteBuf out) {
        MqttVersion version = p.version();
        Will will = p.will();
        Wire.writeString(out, version.protocolName());
        out.writeByte(version.level());
        int flags = (p.cleanStart() ? 0x02 : 0)
                | (will != null ? 0x04 | will.qos() << 3 | (will.retain() ? 0x20 : 0) : 0)
                | (p.password() != null ? 0x40 : 0)
                | (p.username() != null ? 0x80 : 0);
        out.writeByte(flags);
        out.writeShort(p.keepAliveSeconds());
        if (version.isV5()) {
            PropertiesWriter.write(out, p.properties(), layout.propertiesLength);
        }
        Wire.writeString(out, p.clientId());
        if (will != null) {
            if (version.isV5()) {
                PropertiesWriter.write(out, will.properties(), layout.willPropertiesLength);
            }
            Wire.writeString(out, will.topic());
            Wire.writeBinary(out, will.payload());
        }
        if (p.username() != null) {
            Wire.writeString(out, p.username());
        }
        if (p.password() != null) {
            Wire.writeBinary(out, p.password());
        }
    }

    /** Packet identifier, then as much of reason code and properties as the Remaining Length says. */
    private static void writePublishAck(int packetId, int reasonCode, MqttProperties p, Layout layout, ByteBuf out) {
        out.writeShort(packetId);
        if (layout.remainingLength > 2) {
            out.writeByte(reasonCode);
        }
        if (layout.remainingLength > 3) {
            PropertiesWriter.write(out, p, layout.propertiesLength);
        }
    }

    /** DISCONNECT and AUTH: reason code, then properties, as much as the Remaining Length says. */
    private static void writeReasonAndProperties(int reasonCode, MqttProperties p, Layout layout, ByteBuf out) {
        if (layout.remainingLength > 0) {
            out.writeByte(reasonCode);
        }
        if (layout.remainingLength > 1) {
            PropertiesWriter.write(out, p, layout.propertiesLength);
        }
    }

    private static int subscriptionOptions(Subscription s) {
        return s.qos() | (s.noLocal() ? 0x04 : 0) | (s.retainAsPublished() ? 0x08 : 0) | s.retainHandling() << 4;
    }
}
