package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.Locale;

import static io.ratatoskr.mqtt.codec.MalformedPacketException.malformed;
import static io.ratatoskr.mqtt.codec.MalformedPacketException.protocolError;

/**
 * Reads an MQTT 5 property block (§2.2.2): a Variable Byte Integer length, then identifier-value pairs.
 *
 * <p>What makes a block unacceptable, and how it is classed (§2.2.2.2, §4.13):
 * <ul>
 *   <li>Malformed Packet: a length past the end of the packet, an unknown identifier, an identifier the
 *       packet (or the will) may not carry, a value cut off by the end of the block, ill-formed UTF-8.</li>
 *   <li>Protocol Error: a property other than User Property included twice (Subscription Identifier may
 *       repeat only in PUBLISH, §3.3.2.3.8), or a value outside the range its section fixes.</li>
 *   <li>Topic Alias invalid: a Topic Alias of 0 [MQTT-3.3.2-8].</li>
 * </ul>
 * Rules that need the connection's state (a topic alias above the maximum, an authentication method
 * differing from CONNECT's) are the connection's.
 *
 * <p>The block is copied into the thread's scratch buffer in one go ({@link Wire#copyOut}) and parsed from
 * there, into a builder reused per thread. Thread-safe: no state but per-thread scratch space, used only
 * within one call.
 */
final class PropertiesReader {
    /** One builder per thread, reused: {@link MqttProperties.Builder#build} copies what it keeps. */
    private static final FastThreadLocal<MqttProperties.Builder> BUILDER = new FastThreadLocal<>() {
        @Override
        protected MqttProperties.Builder initialValue() {
            return MqttProperties.builder();
        }
    };

    private PropertiesReader() {
    }

    /**
     * Reads the block at the reader index of {@code in}.
     *
     * @param context how messages name the block, e.g. "PUBLISH" or "CONNECT will"
     * @param will whether this is a will property block (§3.1.3.2), which has its own allowed set
     */
    static MqttProperties read(ByteBuf in, PacketType type, boolean will, String context) {
        try {
            int length = Wire.readVariableByteInteger(in, "property length");
            if (length == 0) {
                return MqttProperties.EMPTY;
            }
            if (length > in.readableBytes()) {
                throw malformed("property length " + length + " runs past the end of the packet ("
                        + in.readableBytes() + " bytes left)");
            }
            return readBlock(Wire.copyOut(in, length), type, will);
        } catch (MalformedPacketException e) {
            // Messages name the property; the block's owner is added here, off the hot path.
            throw new MalformedPacketException(e.reasonCode(), context + " properties: " + e.getMessage());
        }
    }

    private static MqttProperties readBlock(ByteBuf block, PacketType type, boolean will) {
        // Cleared after each block, read or refused: the thread's builder holds no strings between packets.
        MqttProperties.Builder b = BUILDER.get();
        try {
            return readInto(b, block, type, will);
        } finally {
            b.clear();
        }
    }

    private static MqttProperties readInto(MqttProperties.Builder b, ByteBuf block, PacketType type, boolean will) {
        long seen = 0;
        while (block.isReadable()) {
            int rawId = Wire.readVariableByteInteger(block, "property identifier");
            PropertyId id = PropertyId.of(rawId);
            if (id == null) {
                throw malformed("unknown property identifier 0x" + Integer.toHexString(rawId) + " (§2.2.2.2)");
            }
            String field = NAMES[id.id()];
            if (will ? !id.allowedInWill() : !id.allowedIn(type)) {
                throw malformed(field + " (0x" + Integer.toHexString(rawId) + ") is not allowed here (§2.2.2.2)");
            }
            long bit = 1L << id.id();
            boolean repeats = id == PropertyId.USER_PROPERTY
                    || (id == PropertyId.SUBSCRIPTION_IDENTIFIER && type == PacketType.PUBLISH && !will);
            if ((seen & bit) != 0 && !repeats) {
                throw protocolError(field + " is included more than once (§2.2.2.2)");
            }
            seen |= bit;
            switch (id) {
                case PAYLOAD_FORMAT_INDICATOR -> b.payloadFormatIndicator(zeroOrOne(block, field));
                case MESSAGE_EXPIRY_INTERVAL -> b.messageExpiryInterval(Wire.readFourByteInteger(block, field));
                case CONTENT_TYPE -> b.contentType(Wire.readString(block, field));
                case RESPONSE_TOPIC -> b.responseTopic(Wire.readString(block, field));
                case CORRELATION_DATA -> b.correlationData(Wire.readBinary(block, field));
                case SUBSCRIPTION_IDENTIFIER -> {
                    int v = Wire.readVariableByteInteger(block, field);
                    if (v == 0) {
                        throw protocolError(field + " is 0; it must be 1..268,435,455 (§3.3.2.3.8)");
                    }
                    b.addSubscriptionIdentifier(v);
                }
                case SESSION_EXPIRY_INTERVAL -> b.sessionExpiryInterval(Wire.readFourByteInteger(block, field));
                case ASSIGNED_CLIENT_IDENTIFIER -> b.assignedClientIdentifier(Wire.readString(block, field));
                case SERVER_KEEP_ALIVE -> b.serverKeepAlive(Wire.readTwoByteInteger(block, field));
                case AUTHENTICATION_METHOD -> b.authenticationMethod(Wire.readString(block, field));
                case AUTHENTICATION_DATA -> b.authenticationData(Wire.readBinary(block, field));
                case REQUEST_PROBLEM_INFORMATION -> b.requestProblemInformation(zeroOrOne(block, field));
                case WILL_DELAY_INTERVAL -> b.willDelayInterval(Wire.readFourByteInteger(block, field));
                case REQUEST_RESPONSE_INFORMATION -> b.requestResponseInformation(zeroOrOne(block, field));
                case RESPONSE_INFORMATION -> b.responseInformation(Wire.readString(block, field));
                case SERVER_REFERENCE -> b.serverReference(Wire.readString(block, field));
                case REASON_STRING -> b.reasonString(Wire.readString(block, field));
                case RECEIVE_MAXIMUM -> b.receiveMaximum(nonZeroTwoByte(block, field));
                case TOPIC_ALIAS_MAXIMUM -> b.topicAliasMaximum(Wire.readTwoByteInteger(block, field));
                case TOPIC_ALIAS -> {
                    int v = Wire.readTwoByteInteger(block, field);
                    if (v == 0) {
                        // [MQTT-3.3.2-8]. 0x94 names the fault, as for an alias above the maximum (§3.3.2.3.4),
                        // and is what Mosquitto answers; the spec fixes no code for this case.
                        throw new MalformedPacketException(ReasonCode.TOPIC_ALIAS_INVALID,
                                field + " is 0; it must be 1..65,535 [MQTT-3.3.2-8]");
                    }
                    b.topicAlias(v);
                }
                case MAXIMUM_QOS -> b.maximumQos(zeroOrOne(block, field));
                case RETAIN_AVAILABLE -> b.retainAvailable(zeroOrOne(block, field));
                case USER_PROPERTY -> {
                    String key = Wire.readString(block, "user property name");
                    b.addUserProperty(key, Wire.readString(block, "user property value"));
                }
                case MAXIMUM_PACKET_SIZE -> {
                    long v = Wire.readFourByteInteger(block, field);
                    if (v == 0) {
                        throw protocolError(field + " is 0 (§3.1.2.11.4, §3.2.2.3.6)");
                    }
                    b.maximumPacketSize(v);
                }
                case WILDCARD_SUBSCRIPTION_AVAILABLE -> b.wildcardSubscriptionAvailable(zeroOrOne(block, field));
                case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> b.subscriptionIdentifierAvailable(zeroOrOne(block, field));
                case SHARED_SUBSCRIPTION_AVAILABLE -> b.sharedSubscriptionAvailable(zeroOrOne(block, field));
            }
        }
        return b.build();
    }

    /** A Byte property whose section allows only 0 and 1; anything else is a Protocol Error. */
    private static int zeroOrOne(ByteBuf in, String field) {
        int v = Wire.readByte(in, field);
        if (v > 1) {
            throw protocolError(field + " is " + v + "; it must be 0 or 1");
        }
        return v;
    }

    /** Receive Maximum may not be 0 (§3.1.2.11.3, §3.2.2.3.3). */
    private static int nonZeroTwoByte(ByteBuf in, String field) {
        int v = Wire.readTwoByteInteger(in, field);
        if (v == 0) {
            throw protocolError(field + " is 0; it must be 1..65,535");
        }
        return v;
    }

    /** "TOPIC_ALIAS" as "topic alias", for messages; indexed by identifier. */
    private static final String[] NAMES = new String[0x2B];

    static {
        for (PropertyId id : PropertyId.values()) {
            NAMES[id.id()] = nameOf(id);
        }
    }

    static String nameOf(PropertyId id) {
        return id.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
