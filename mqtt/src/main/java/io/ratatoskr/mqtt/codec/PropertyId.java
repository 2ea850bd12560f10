package io.ratatoskr.mqtt.codec;

import java.util.EnumSet;
import java.util.Set;

import static io.ratatoskr.mqtt.codec.PacketType.AUTH;
import static io.ratatoskr.mqtt.codec.PacketType.CONNACK;
import static io.ratatoskr.mqtt.codec.PacketType.CONNECT;
import static io.ratatoskr.mqtt.codec.PacketType.DISCONNECT;
import static io.ratatoskr.mqtt.codec.PacketType.PUBACK;
import static io.ratatoskr.mqtt.codec.PacketType.PUBCOMP;
import static io.ratatoskr.mqtt.codec.PacketType.PUBLISH;
import static io.ratatoskr.mqtt.codec.PacketType.PUBREC;
import static io.ratatoskr.mqtt.codec.PacketType.PUBREL;
import static io.ratatoskr.mqtt.codec.PacketType.SUBACK;
import static io.ratatoskr.mqtt.codec.PacketType.SUBSCRIBE;
import static io.ratatoskr.mqtt.codec.PacketType.UNSUBACK;
import static io.ratatoskr.mqtt.codec.PacketType.UNSUBSCRIBE;

/**
 * MQTT 5 property identifiers (§2.2.2.2, table 2-4): wire id, value type, and the packets that may
 * carry each. {@code WILL} stands for the will properties inside CONNECT's payload (§3.1.3.2), which
 * have no packet type of their own, so it is modelled by {@link #allowedInWill()}.
 */
public enum PropertyId {
    PAYLOAD_FORMAT_INDICATOR(0x01, Type.BYTE, true, PUBLISH),
    MESSAGE_EXPIRY_INTERVAL(0x02, Type.FOUR_BYTE_INTEGER, true, PUBLISH),
    CONTENT_TYPE(0x03, Type.UTF8_STRING, true, PUBLISH),
    RESPONSE_TOPIC(0x08, Type.UTF8_STRING, true, PUBLISH),
    CORRELATION_DATA(0x09, Type.BINARY_DATA, true, PUBLISH),
    SUBSCRIPTION_IDENTIFIER(0x0B, Type.VARIABLE_BYTE_INTEGER, false, PUBLISH, SUBSCRIBE),
    SESSION_EXPIRY_INTERVAL(0x11, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK, DISCONNECT),
    ASSIGNED_CLIENT_IDENTIFIER(0x12, Type.UTF8_STRING, false, CONNACK),
    SERVER_KEEP_ALIVE(0x13, Type.TWO_BYTE_INTEGER, false, CONNACK),
    AUTHENTICATION_METHOD(0x15, Type.UTF8_STRING, false, CONNECT, CONNACK, AUTH),
    AUTHENTICATION_DATA(0x16, Type.BINARY_DATA, false, CONNECT, CONNACK, AUTH),
    REQUEST_PROBLEM_INFORMATION(0x17, Type.BYTE, false, CONNECT),
    WILL_DELAY_INTERVAL(0x18, Type.FOUR_BYTE_INTEGER, true),
    REQUEST_RESPONSE_INFORMATION(0x19, Type.BYTE, false, CONNECT),
    RESPONSE_INFORMATION(0x1A, Type.UTF8_STRING, false, CONNACK),
    SERVER_REFERENCE(0x1C, Type.UTF8_STRING, false, CONNACK, DISCONNECT),
    REASON_STRING(0x1F, Type.UTF8_STRING, false,
            CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH),
    RECEIVE_MAXIMUM(0x21, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
    TOPIC_ALIAS_MAXIMUM(0x22, Type.TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
    TOPIC_ALIAS(0x23, Type.TWO_BYTE_INTEGER, false, PUBLISH),
    MAXIMUM_QOS(0x24, Type.BYTE, false, CONNACK),
    RETAIN_AVAILABLE(0x25, Type.BYTE, false, CONNACK),
    USER_PROPERTY(0x26, Type.UTF8_STRING_PAIR, true,
            CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK,
            UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH),
    MAXIMUM_PACKET_SIZE(0x27, Type.FOUR_BYTE_INTEGER, false, CONNECT, CONNACK),
    WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, Type.BYTE, false, CONNACK),
    SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, Type.BYTE, false, CONNACK),
    SHARED_SUBSCRIPTION_AVAILABLE(0x2A, Type.BYTE, false, CONNACK);

    /** Property value encodings (§1.5). */
    public enum Type {
        BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER, UTF8_STRING, BINARY_DATA,
        UTF8_STRING_PAIR
    }

    private static final PropertyId[] BY_ID = new PropertyId[0x2B];

    static {
        for (PropertyId p : values()) {
            BY_ID[p.id] = p;
        }
    }

    private final int id;
    private final Type type;
    private final boolean allowedInWill;
    private final Set<PacketType> allowedIn;

    PropertyId(int id, Type type, boolean allowedInWill, PacketType... allowedIn) {
        this.id = id;
        this.type = type;
        this.allowedInWill = allowedInWill;
        this.allowedIn = allowedIn.length == 0 ? EnumSet.noneOf(PacketType.class) : EnumSet.of(allowedIn[0], allowedIn);
    }

    public int id() {
        return id;
    }

    public Type type() {
        return type;
    }

    public boolean allowedIn(PacketType packetType) {
        return allowedIn.contains(packetType);
    }

    public boolean allowedInWill() {
        return allowedInWill;
    }

    /** Only user properties (and a PUBLISH's subscription identifiers) may appear more than once. */
    public boolean mayRepeat() {
        return this == USER_PROPERTY || this == SUBSCRIPTION_IDENTIFIER;
    }

    /** The property for a wire id, or {@code null} when the id is not defined. */
    public static PropertyId of(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
