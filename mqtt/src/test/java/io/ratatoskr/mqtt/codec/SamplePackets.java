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
import java.util.ArrayList;
import java.util.List;

/** Representative packets of every type, and property sets with every property a packet may carry. */
final class SamplePackets {
    private SamplePackets() {
    }

    static final long MAX_FOUR_BYTE = 0xFFFF_FFFFL;
    static final int MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

    /** Sets {@code id} to an edge value (the largest, or a non-ASCII string) on {@code b}. */
    static MqttProperties.Builder set(MqttProperties.Builder b, PropertyId id, PacketType type) {
        switch (id) {
            case PAYLOAD_FORMAT_INDICATOR -> b.payloadFormatIndicator(1);
            case MESSAGE_EXPIRY_INTERVAL -> b.messageExpiryInterval(MAX_FOUR_BYTE);
            case CONTENT_TYPE -> b.contentType("text/plain; charset=utf-8 \u2713");
            case RESPONSE_TOPIC -> b.responseTopic("reply/\u20AC/to");
            case CORRELATION_DATA -> b.correlationData(new byte[] {0, 1, (byte) 0xFF});
            case SUBSCRIPTION_IDENTIFIER -> {
                b.addSubscriptionIdentifier(MAX_VARIABLE_BYTE_INTEGER);
                if (type == PacketType.PUBLISH) {
                    b.addSubscriptionIdentifier(1).addSubscriptionIdentifier(128);
                }
            }
            case SESSION_EXPIRY_INTERVAL -> b.sessionExpiryInterval(MAX_FOUR_BYTE);
            case ASSIGNED_CLIENT_IDENTIFIER -> b.assignedClientIdentifier("auto-\uD834\uDD1E");
            case SERVER_KEEP_ALIVE -> b.serverKeepAlive(0xFFFF);
            case AUTHENTICATION_METHOD -> b.authenticationMethod("SCRAM-SHA-256");
            case AUTHENTICATION_DATA -> b.authenticationData("n,,n=user,r=nonce".getBytes(StandardCharsets.US_ASCII));
            case REQUEST_PROBLEM_INFORMATION -> b.requestProblemInformation(0);
            case WILL_DELAY_INTERVAL -> b.willDelayInterval(MAX_FOUR_BYTE);
            case REQUEST_RESPONSE_INFORMATION -> b.requestResponseInformation(1);
            case RESPONSE_INFORMATION -> b.responseInformation("responses/");
            case SERVER_REFERENCE -> b.serverReference("other.example:1883");
            case REASON_STRING -> b.reasonString("the reason, in words");
            case RECEIVE_MAXIMUM -> b.receiveMaximum(0xFFFF);
            case TOPIC_ALIAS_MAXIMUM -> b.topicAliasMaximum(0xFFFF);
            case TOPIC_ALIAS -> b.topicAlias(0xFFFF);
            case MAXIMUM_QOS -> b.maximumQos(1);
            case RETAIN_AVAILABLE -> b.retainAvailable(0);
            case USER_PROPERTY -> b.addUserProperty("k", "v").addUserProperty("k", "v2").addUserProperty("", "");
            case MAXIMUM_PACKET_SIZE -> b.maximumPacketSize(MAX_FOUR_BYTE);
            case WILDCARD_SUBSCRIPTION_AVAILABLE -> b.wildcardSubscriptionAvailable(0);
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> b.subscriptionIdentifierAvailable(0);
            case SHARED_SUBSCRIPTION_AVAILABLE -> b.sharedSubscriptionAvailable(0);
        }
        return b;
    }

    /** Every property {@code type} may carry, each at an edge value. */
    static MqttProperties allPropertiesOf(PacketType type) {
        MqttProperties.Builder b = MqttProperties.builder();
        for (PropertyId id : PropertyId.values()) {
            if (id.allowedIn(type)) {
                set(b, id, type);
            }
        }
        return b.build();
    }

    static MqttProperties allWillProperties() {
        MqttProperties.Builder b = MqttProperties.builder();
        for (PropertyId id : PropertyId.values()) {
            if (id.allowedInWill()) {
                set(b, id, null);
            }
        }
        return b.build();
    }

    /** A packet of {@code type} with typical fields and the given properties (ignored by 3.1.1). */
    static MqttPacket of(PacketType type, MqttVersion version, MqttProperties p) {
        boolean v5 = version.isV5();
        return switch (type) {
            case CONNECT -> new Connect(version, "client-1", true, 60, "user", "secret".getBytes(StandardCharsets.UTF_8),
                    new Will("will/topic", "gone".getBytes(StandardCharsets.UTF_8), 1, true,
                            v5 ? allWillProperties() : MqttProperties.EMPTY), p);
            case CONNACK -> new ConnAck(true, 0, p);
            case PUBLISH -> new Publish("a/b/c", 1, true, true, 7, "hello".getBytes(StandardCharsets.UTF_8), p);
            case PUBACK -> new PubAck(1, v5 ? ReasonCode.NO_MATCHING_SUBSCRIBERS : 0, p);
            case PUBREC -> new PubRec(0xFFFF, v5 ? ReasonCode.QUOTA_EXCEEDED : 0, p);
            case PUBREL -> new PubRel(2, v5 ? ReasonCode.PACKET_IDENTIFIER_NOT_FOUND : 0, p);
            case PUBCOMP -> new PubComp(3, 0, p);
            case SUBSCRIBE -> new Subscribe(4, List.of(new Subscription("a/+", 1), new Subscription("#", 2)), p);
            case SUBACK -> new SubAck(4, v5 ? List.of(0, 1, 2, 0x80, 0x97) : List.of(0, 1, 2, 0x80), p);
            case UNSUBSCRIBE -> new Unsubscribe(5, List.of("a/+", "#"), p);
            case UNSUBACK -> new UnsubAck(5, v5 ? List.of(0, 0x11) : List.of(), p);
            case PINGREQ -> PingReq.INSTANCE;
            case PINGRESP -> PingResp.INSTANCE;
            case DISCONNECT -> v5 ? new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, p) : Disconnect.NORMAL;
            case AUTH -> new Auth(ReasonCode.CONTINUE_AUTHENTICATION, p);
        };
    }

    /** The types that exist in {@code version}: all but AUTH before MQTT 5. */
    static List<PacketType> typesOf(MqttVersion version) {
        List<PacketType> types = new ArrayList<>(List.of(PacketType.values()));
        if (!version.isV5()) {
            types.remove(PacketType.AUTH);
        }
        return types;
    }

    /** The properties {@code type} may carry (nothing for PINGREQ and PINGRESP). */
    static List<PropertyId> propertiesOf(PacketType type) {
        List<PropertyId> ids = new ArrayList<>();
        for (PropertyId id : PropertyId.values()) {
            if (id.allowedIn(type)) {
                ids.add(id);
            }
        }
        return ids;
    }
}
