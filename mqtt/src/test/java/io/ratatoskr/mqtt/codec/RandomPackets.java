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

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Random valid packets from a seeded generator. The reason-code tables are written out again here, from
 * the spec, as an oracle independent of the reader's.
 */
final class RandomPackets {
    private static final int[] CONNACK_CODES = {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
    private static final int[] PUBACK_CODES = {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
    private static final int[] PUBREL_CODES = {0x00, 0x92};
    private static final int[] SUBACK_CODES = {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};
    private static final int[] UNSUBACK_CODES = {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91};
    private static final int[] DISCONNECT_CODES = {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E,
        0x8F, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2};
    private static final int[] AUTH_CODES = {0x00, 0x18, 0x19};
    private static final int[] V3_SUBACK_CODES = {0x00, 0x01, 0x02, 0x80};

    private final RandomGenerator random;

    RandomPackets(RandomGenerator random) {
        this.random = random;
    }

    MqttPacket packet(PacketType type, MqttVersion version) {
        boolean v5 = version.isV5();
        return switch (type) {
            case CONNECT -> connect(version);
            case CONNACK -> {
                int code = v5 ? pick(CONNACK_CODES) : random.nextInt(6);
                yield new ConnAck(code == 0 && random.nextBoolean(), code, properties(type, v5));
            }
            case PUBLISH -> {
                int qos = random.nextInt(3);
                yield new Publish(string(), qos, random.nextBoolean(), qos > 0 && random.nextBoolean(),
                        qos == 0 ? 0 : packetId(), bytes(), properties(type, v5));
            }
            case PUBACK -> new PubAck(packetId(), v5 ? pick(PUBACK_CODES) : 0, properties(type, v5));
            case PUBREC -> new PubRec(packetId(), v5 ? pick(PUBACK_CODES) : 0, properties(type, v5));
            case PUBREL -> new PubRel(packetId(), v5 ? pick(PUBREL_CODES) : 0, properties(type, v5));
            case PUBCOMP -> new PubComp(packetId(), v5 ? pick(PUBREL_CODES) : 0, properties(type, v5));
            case SUBSCRIBE -> {
                List<Subscription> subs = new ArrayList<>();
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    subs.add(v5 ? new Subscription(string(), random.nextInt(3), random.nextBoolean(),
                            random.nextBoolean(), random.nextInt(3)) : new Subscription(string(), random.nextInt(3)));
                }
                yield new Subscribe(packetId(), subs, properties(type, v5));
            }
            case SUBACK -> new SubAck(packetId(), codes(v5 ? SUBACK_CODES : V3_SUBACK_CODES), properties(type, v5));
            case UNSUBSCRIBE -> {
                List<String> filters = new ArrayList<>();
                for (int i = 1 + random.nextInt(4); i > 0; i--) {
                    filters.add(string());
                }
                yield new Unsubscribe(packetId(), filters, properties(type, v5));
            }
            case UNSUBACK -> new UnsubAck(packetId(), v5 ? codes(UNSUBACK_CODES) : List.of(), properties(type, v5));
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> v5 ? new Disconnect(pick(DISCONNECT_CODES), properties(type, true)) : Disconnect.NORMAL;
            case AUTH -> new Auth(pick(AUTH_CODES), properties(type, true));
        };
    }

    Connect connect(MqttVersion version) {
        boolean v5 = version.isV5();
        Will will = random.nextInt(3) == 0
                ? null
                : new Will(string(), bytes(), random.nextInt(3), random.nextBoolean(),
                        v5 ? willProperties() : MqttProperties.EMPTY);
        String userName = random.nextBoolean() ? string() : null;
        byte[] password = (userName != null || v5) && random.nextBoolean() ? bytes() : null;
        MqttProperties properties = properties(PacketType.CONNECT, v5);
        if (properties.authenticationData() != null && properties.authenticationMethod() == null) {
            properties = properties.toBuilder().authenticationMethod(string()).build();
        }
        return new Connect(version, string(), random.nextBoolean(), random.nextInt(0x10000), userName, password,
                will, properties);
    }

    /** Each property the type may carry, present with probability 1/3, at a random value in its range. */
    MqttProperties properties(PacketType type, boolean v5) {
        if (!v5 || random.nextInt(4) == 0) {
            return MqttProperties.EMPTY;
        }
        MqttProperties.Builder b = MqttProperties.builder();
        for (PropertyId id : PropertyId.values()) {
            if (id.allowedIn(type) && random.nextInt(3) == 0) {
                set(b, id, type);
            }
        }
        return b.build();
    }

    MqttProperties willProperties() {
        MqttProperties.Builder b = MqttProperties.builder();
        for (PropertyId id : PropertyId.values()) {
            if (id.allowedInWill() && random.nextInt(3) == 0) {
                set(b, id, null);
            }
        }
        return b.build();
    }

    private void set(MqttProperties.Builder b, PropertyId id, PacketType type) {
        switch (id) {
            case PAYLOAD_FORMAT_INDICATOR -> b.payloadFormatIndicator(random.nextInt(2));
            case MESSAGE_EXPIRY_INTERVAL -> b.messageExpiryInterval(fourByte());
            case CONTENT_TYPE -> b.contentType(string());
            case RESPONSE_TOPIC -> b.responseTopic(string());
            case CORRELATION_DATA -> b.correlationData(bytes());
            case SUBSCRIPTION_IDENTIFIER -> {
                for (int i = type == PacketType.PUBLISH ? 1 + random.nextInt(3) : 1; i > 0; i--) {
                    b.addSubscriptionIdentifier(variableByteInteger(1));
                }
            }
            case SESSION_EXPIRY_INTERVAL -> b.sessionExpiryInterval(fourByte());
            case ASSIGNED_CLIENT_IDENTIFIER -> b.assignedClientIdentifier(string());
            case SERVER_KEEP_ALIVE -> b.serverKeepAlive(random.nextInt(0x10000));
            case AUTHENTICATION_METHOD -> b.authenticationMethod(string());
            case AUTHENTICATION_DATA -> b.authenticationData(bytes());
            case REQUEST_PROBLEM_INFORMATION -> b.requestProblemInformation(random.nextInt(2));
            case WILL_DELAY_INTERVAL -> b.willDelayInterval(fourByte());
            case REQUEST_RESPONSE_INFORMATION -> b.requestResponseInformation(random.nextInt(2));
            case RESPONSE_INFORMATION -> b.responseInformation(string());
            case SERVER_REFERENCE -> b.serverReference(string());
            case REASON_STRING -> b.reasonString(string());
            case RECEIVE_MAXIMUM -> b.receiveMaximum(1 + random.nextInt(0xFFFF));
            case TOPIC_ALIAS_MAXIMUM -> b.topicAliasMaximum(random.nextInt(0x10000));
            case TOPIC_ALIAS -> b.topicAlias(1 + random.nextInt(0xFFFF));
            case MAXIMUM_QOS -> b.maximumQos(random.nextInt(2));
            case RETAIN_AVAILABLE -> b.retainAvailable(random.nextInt(2));
            case USER_PROPERTY -> {
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    b.addUserProperty(string(), string());
                }
            }
            case MAXIMUM_PACKET_SIZE -> b.maximumPacketSize(1 + random.nextLong(0xFFFF_FFFFL));
            case WILDCARD_SUBSCRIPTION_AVAILABLE -> b.wildcardSubscriptionAvailable(random.nextInt(2));
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> b.subscriptionIdentifierAvailable(random.nextInt(2));
            case SHARED_SUBSCRIPTION_AVAILABLE -> b.sharedSubscriptionAvailable(random.nextInt(2));
        }
    }

    /** A valid MQTT string: no U+0000, no unpaired surrogates; characters of one to four UTF-8 bytes. */
    String string() {
        int length = random.nextInt(8) == 0 ? random.nextInt(300) : random.nextInt(12);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(8)) {
                case 0 -> sb.append((char) (0x80 + random.nextInt(0x800 - 0x80)));
                case 1 -> {
                    char c = (char) (0x800 + random.nextInt(0x10000 - 0x800));
                    sb.append(Character.isSurrogate(c) ? '\uFEFF' : c);
                }
                case 2 -> sb.appendCodePoint(0x10000 + random.nextInt(0x110000 - 0x10000));
                default -> sb.append((char) (1 + random.nextInt(0x7F)));
            }
        }
        return sb.toString();
    }

    byte[] bytes() {
        byte[] b = new byte[random.nextInt(6) == 0 ? random.nextInt(2000) : random.nextInt(16)];
        random.nextBytes(b);
        return b;
    }

    int packetId() {
        return random.nextInt(8) == 0 ? (random.nextBoolean() ? 1 : 0xFFFF) : 1 + random.nextInt(0xFFFF);
    }

    long fourByte() {
        return random.nextInt(8) == 0 ? 0xFFFF_FFFFL : random.nextLong(0x1_0000_0000L);
    }

    /** Values at every encoded length from one to four bytes, and the bounds of each. */
    int variableByteInteger(int min) {
        int[] bounds = {127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455};
        if (random.nextInt(4) == 0) {
            return Math.max(min, bounds[random.nextInt(bounds.length)]);
        }
        return min + random.nextInt(268_435_455 - min + 1);
    }

    private List<Integer> codes(int[] allowed) {
        List<Integer> codes = new ArrayList<>();
        for (int i = 1 + random.nextInt(5); i > 0; i--) {
            codes.add(pick(allowed));
        }
        return codes;
    }

    private int pick(int[] values) {
        return values[random.nextInt(values.length)];
    }
}
