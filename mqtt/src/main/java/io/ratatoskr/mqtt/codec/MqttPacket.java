package io.ratatoskr.mqtt.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An MQTT control packet, as data. The records mirror the wire (§3 of either spec) after
 * decoding, with the version-specific parts (reason codes, properties) present for every version:
 * MQTT 3.1.1 packets carry {@link MqttProperties#EMPTY} and success reason codes.
 *
 * <p>Records are immutable, but byte arrays inside them are shared, not copied: treat them as
 * read-only. Invariants a record can check alone (QoS range, packet identifier range) are checked
 * in its constructor; protocol rules that need the connection's state are the connection's.
 */
public sealed interface MqttPacket {

    PacketType type();

    /** CONNECT (§3.1). {@code password} and {@code username} are null when their flag is 0. */
    record Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAliveSeconds,
                   String username, byte[] password, Will will, MqttProperties properties)
            implements MqttPacket {
        public Connect {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(properties, "properties");
            checkRange(keepAliveSeconds, 0, 0xFFFF, "keep alive");
        }

        @Override
        public PacketType type() {
            return PacketType.CONNECT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Connect c && version == c.version && clientId.equals(c.clientId)
                    && cleanStart == c.cleanStart && keepAliveSeconds == c.keepAliveSeconds
                    && Objects.equals(username, c.username) && Arrays.equals(password, c.password)
                    && Objects.equals(will, c.will) && properties.equals(c.properties);
        }

        @Override
        public int hashCode() {
            return Objects.hash(version, clientId, cleanStart, keepAliveSeconds, username, will);
        }

        @Override
        public String toString() {
            return "Connect[version=" + version + ", clientId=" + clientId + ", cleanStart=" + cleanStart
                    + ", keepAlive=" + keepAliveSeconds + ", username=" + username
                    + ", password=" + (password == null ? "absent" : "present") + ", will=" + will
                    + ", properties=" + properties + "]";
        }
    }

    /** The will message inside a CONNECT (§3.1.2.5-7, §3.1.3.2-4). */
    record Will(String topic, byte[] payload, int qos, boolean retain, MqttProperties properties) {
        public Will {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(properties, "properties");
            checkRange(qos, 0, 2, "will QoS");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Will w && topic.equals(w.topic) && Arrays.equals(payload, w.payload)
                    && qos == w.qos && retain == w.retain && properties.equals(w.properties);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, Arrays.hashCode(payload), qos, retain);
        }

        @Override
        public String toString() {
            return "Will[topic=" + topic + ", payload=" + payload.length + " bytes, qos=" + qos
                    + ", retain=" + retain + ", properties=" + properties + "]";
        }
    }

    /** CONNACK (§3.2). For 3.1.1, {@code reasonCode} is the return code (0-5). */
    record ConnAck(boolean sessionPresent, int reasonCode, MqttProperties properties) implements MqttPacket {
        public ConnAck {
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.CONNACK;
        }
    }

    /**
     * PUBLISH (§3.3). {@code packetId} is 0 for QoS 0. A v5 PUBLISH that uses a topic alias may
     * carry an empty {@code topic}; resolving the alias is the connection's job.
     */
    record Publish(String topic, int qos, boolean retain, boolean dup, int packetId, byte[] payload,
                   MqttProperties properties) implements MqttPacket {
        public Publish {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(payload, "payload");
            Objects.requireNonNull(properties, "properties");
            checkRange(qos, 0, 2, "QoS");
            if (qos == 0) {
                if (packetId != 0) {
                    throw new IllegalArgumentException("a QoS 0 PUBLISH has no packet identifier");
                }
            } else {
                checkPacketId(packetId);
            }
        }

        @Override
        public PacketType type() {
            return PacketType.PUBLISH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Publish p && topic.equals(p.topic) && qos == p.qos && retain == p.retain
                    && dup == p.dup && packetId == p.packetId && Arrays.equals(payload, p.payload)
                    && properties.equals(p.properties);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, qos, retain, dup, packetId, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Publish[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", dup=" + dup
                    + ", packetId=" + packetId + ", payload=" + payload.length + " bytes, properties="
                    + properties + "]";
        }
    }

    /** PUBACK (§3.4). */
    record PubAck(int packetId, int reasonCode, MqttProperties properties) implements MqttPacket {
        public PubAck {
            checkPacketId(packetId);
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        public PubAck(int packetId) {
            this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
        }

        @Override
        public PacketType type() {
            return PacketType.PUBACK;
        }
    }

    /** PUBREC (§3.5). */
    record PubRec(int packetId, int reasonCode, MqttProperties properties) implements MqttPacket {
        public PubRec {
            checkPacketId(packetId);
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        public PubRec(int packetId) {
            this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
        }

        @Override
        public PacketType type() {
            return PacketType.PUBREC;
        }
    }

    /** PUBREL (§3.6). */
    record PubRel(int packetId, int reasonCode, MqttProperties properties) implements MqttPacket {
        public PubRel {
            checkPacketId(packetId);
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        public PubRel(int packetId) {
            this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
        }

        @Override
        public PacketType type() {
            return PacketType.PUBREL;
        }
    }

    /** PUBCOMP (§3.7). */
    record PubComp(int packetId, int reasonCode, MqttProperties properties) implements MqttPacket {
        public PubComp {
            checkPacketId(packetId);
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        public PubComp(int packetId) {
            this(packetId, ReasonCode.SUCCESS, MqttProperties.EMPTY);
        }

        @Override
        public PacketType type() {
            return PacketType.PUBCOMP;
        }
    }

    /** One topic filter and its options in a SUBSCRIBE (§3.8.3.1). 3.1.1 uses only {@code qos}. */
    record Subscription(String filter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
        public Subscription {
            Objects.requireNonNull(filter, "filter");
            checkRange(qos, 0, 2, "QoS");
            checkRange(retainHandling, 0, 2, "retain handling");
        }

        public Subscription(String filter, int qos) {
            this(filter, qos, false, false, 0);
        }
    }

    /** SUBSCRIBE (§3.8). Holds at least one subscription. */
    record Subscribe(int packetId, List<Subscription> subscriptions, MqttProperties properties)
            implements MqttPacket {
        public Subscribe {
            checkPacketId(packetId);
            subscriptions = List.copyOf(subscriptions);
            if (subscriptions.isEmpty()) {
                throw new IllegalArgumentException("a SUBSCRIBE carries at least one topic filter");
            }
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.SUBSCRIBE;
        }
    }

    /** SUBACK (§3.9): one reason code per subscription, in order. */
    record SubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) implements MqttPacket {
        public SubAck {
            checkPacketId(packetId);
            reasonCodes = List.copyOf(reasonCodes);
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.SUBACK;
        }
    }

    /** UNSUBSCRIBE (§3.10). Holds at least one filter. */
    record Unsubscribe(int packetId, List<String> filters, MqttProperties properties) implements MqttPacket {
        public Unsubscribe {
            checkPacketId(packetId);
            filters = List.copyOf(filters);
            if (filters.isEmpty()) {
                throw new IllegalArgumentException("an UNSUBSCRIBE carries at least one topic filter");
            }
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.UNSUBSCRIBE;
        }
    }

    /** UNSUBACK (§3.11). 3.1.1 has no reason codes: the list is empty then. */
    record UnsubAck(int packetId, List<Integer> reasonCodes, MqttProperties properties) implements MqttPacket {
        public UnsubAck {
            checkPacketId(packetId);
            reasonCodes = List.copyOf(reasonCodes);
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.UNSUBACK;
        }
    }

    /** PINGREQ (§3.12). */
    record PingReq() implements MqttPacket {
        public static final PingReq INSTANCE = new PingReq();

        @Override
        public PacketType type() {
            return PacketType.PINGREQ;
        }
    }

    /** PINGRESP (§3.13). */
    record PingResp() implements MqttPacket {
        public static final PingResp INSTANCE = new PingResp();

        @Override
        public PacketType type() {
            return PacketType.PINGRESP;
        }
    }

    /** DISCONNECT (§3.14). 3.1.1 DISCONNECT has no reason code: it reads as 0x00. */
    record Disconnect(int reasonCode, MqttProperties properties) implements MqttPacket {
        public static final Disconnect NORMAL = new Disconnect(ReasonCode.NORMAL_DISCONNECTION, MqttProperties.EMPTY);

        public Disconnect {
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.DISCONNECT;
        }
    }

    /** AUTH (§3.15), MQTT 5 only. */
    record Auth(int reasonCode, MqttProperties properties) implements MqttPacket {
        public Auth {
            checkRange(reasonCode, 0, 0xFF, "reason code");
            Objects.requireNonNull(properties, "properties");
        }

        @Override
        public PacketType type() {
            return PacketType.AUTH;
        }
    }

    private static void checkPacketId(int packetId) {
        checkRange(packetId, 1, 0xFFFF, "packet identifier");
    }

    private static void checkRange(int value, int min, int max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " " + value + " is outside " + min + ".." + max);
        }
    }
}
