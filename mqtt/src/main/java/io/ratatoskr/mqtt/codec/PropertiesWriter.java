package io.ratatoskr.mqtt.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Sizes and writes MQTT 5 property blocks (§2.2.2), in identifier order. Sizing also checks that every
 * property present may travel in the packet (or will) at hand, so that we never send what a peer must
 * treat as malformed; value ranges are already guaranteed by {@link MqttProperties.Builder}. Stateless and
 * thread-safe.
 *
 * <p>Two paths, writing the same bytes. A block of PUBLISH properties only ({@link #PUBLISH_SHAPE}: the
 * message's properties, expiry, subscription identifiers, topic alias) encoded for the second time or more
 * is the message's encoding ({@link Forwarded}, made on the second use and kept by {@link MqttProperties})
 * with the per-delivery values written between its parts: sizing it walks no string. Any other block, and
 * the first encoding of one, is sized and written property by property.
 */
final class PropertiesWriter {
    /** Properties the forwarded encoding and the per-delivery values cover. */
    private static final long PUBLISH_SHAPE = mask(PropertyId.PAYLOAD_FORMAT_INDICATOR,
            PropertyId.MESSAGE_EXPIRY_INTERVAL, PropertyId.CONTENT_TYPE, PropertyId.RESPONSE_TOPIC,
            PropertyId.CORRELATION_DATA, PropertyId.SUBSCRIPTION_IDENTIFIER, PropertyId.TOPIC_ALIAS,
            PropertyId.USER_PROPERTY);
    /** The properties each packet type may carry, indexed by type value. */
    private static final long[] ALLOWED = new long[16];
    private static final long ALLOWED_IN_WILL;

    static {
        long will = 0;
        for (PropertyId id : PropertyId.values()) {
            for (PacketType t : PacketType.values()) {
                if (id.allowedIn(t)) {
                    ALLOWED[t.value()] |= 1L << id.id();
                }
            }
            if (id.allowedInWill()) {
                will |= 1L << id.id();
            }
        }
        ALLOWED_IN_WILL = will;
    }

    private PropertiesWriter() {
    }

    private static long mask(PropertyId... ids) {
        long m = 0;
        for (PropertyId id : ids) {
            m |= 1L << id.id();
        }
        return m;
    }

    /**
     * The encoded message properties of a PUBLISH (§3.3.2.3), in three parts so that the per-delivery values
     * go between them in identifier order: payload format indicator | content type, response topic,
     * correlation data | user properties. Immutable (only final fields, the array is never written after
     * construction): safe to share between threads through a racy read.
     */
    static final class Forwarded {
        final byte[] bytes;
        final int payloadFormatEnd;
        final int userPropertiesStart;

        private Forwarded(byte[] bytes, int payloadFormatEnd, int userPropertiesStart) {
            this.bytes = bytes;
            this.payloadFormatEnd = payloadFormatEnd;
            this.userPropertiesStart = userPropertiesStart;
        }
    }

    /** Encodes the message properties of {@code p}; refuses strings no peer would accept, as {@link #size}. */
    static Forwarded forwarded(MqttProperties p) {
        int n = p.payloadFormatIndicator() != -1 ? 2 : 0;
        if (p.contentType() != null) {
            n += 1 + Wire.stringSize(p.contentType(), "content type");
        }
        if (p.responseTopic() != null) {
            n += 1 + Wire.stringSize(p.responseTopic(), "response topic");
        }
        if (p.correlationData() != null) {
            n += 1 + Wire.binarySize(p.correlationData(), "correlation data");
        }
        n += userPropertiesSize(p);
        byte[] bytes = new byte[n];
        ByteBuf out = Unpooled.wrappedBuffer(bytes).writerIndex(0);
        if (p.payloadFormatIndicator() != -1) {
            out.writeByte(PropertyId.PAYLOAD_FORMAT_INDICATOR.id()).writeByte(p.payloadFormatIndicator());
        }
        int payloadFormatEnd = out.writerIndex();
        writeString(out, PropertyId.CONTENT_TYPE, p.contentType());
        writeString(out, PropertyId.RESPONSE_TOPIC, p.responseTopic());
        writeBinary(out, PropertyId.CORRELATION_DATA, p.correlationData());
        int userPropertiesStart = out.writerIndex();
        writeUserProperties(out, p);
        if (out.writerIndex() != n) {
            throw new IllegalStateException("wrote " + out.writerIndex() + " bytes of message properties measured at "
                    + n);
        }
        return new Forwarded(bytes, payloadFormatEnd, userPropertiesStart);
    }

    /** The bytes of the properties alone, without the property length in front of them. */
    static int size(MqttProperties p, PacketType type, boolean will) {
        long present = p.presentIds();
        if (present == 0) {
            return 0;
        }
        long allowed = will ? ALLOWED_IN_WILL : ALLOWED[type.value()];
        if ((present & ~PUBLISH_SHAPE) == 0 && (present & ~allowed) == 0
                && (p.subscriptionIdentifierCount() <= 1 || type == PacketType.PUBLISH)) {
            Forwarded f = p.forwardedIfMade();
            if (f != null) {
                return publishShapeSize(p, f);
            }
        }
        return sizeEach(p, type, will);
    }

    private static int publishShapeSize(MqttProperties p, Forwarded f) {
        int n = f.bytes.length;
        if (p.messageExpiryInterval() != -1) {
            n += 5;
        }
        for (int i = 0; i < p.subscriptionIdentifierCount(); i++) {
            n += 1 + Wire.variableByteIntegerSize(p.subscriptionIdentifier(i));
        }
        if (p.topicAlias() != -1) {
            n += 3;
        }
        return n;
    }

    private static int userPropertiesSize(MqttProperties p) {
        return p.userPropertyCount() == 0 ? 0 : userPropertyBytes(p).size;
    }

    /**
     * The user properties of an {@link MqttProperties} as UTF-8, names at even and values at odd indexes, and the
     * bytes they take as properties: made when the properties are first sized, for their writing to copy.
     */
    static final class UserPropertyBytes {
        final byte[][] strings;
        final int size;
        /**
         * The strings encoded, names at even and values at odd indexes: the next encoding on this thread reuses
         * the bytes of any that are the same objects (a group delivery's property names, its topic).
         */
        private final String[] sources;

        private UserPropertyBytes(byte[][] strings, int size, String[] sources) {
            this.strings = strings;
            this.size = size;
            this.sources = sources;
        }
    }

    /** The user properties this thread encoded last. */
    private static final FastThreadLocal<UserPropertyBytes> LAST_USER_PROPERTIES = new FastThreadLocal<>();

    /** The user properties of {@code p} encoded, once; refuses strings no peer would accept, as {@link #size}. */
    private static UserPropertyBytes userPropertyBytes(MqttProperties p) {
        UserPropertyBytes u = p.userPropertyBytesIfMade();
        if (u != null) {
            return u;
        }
        UserPropertyBytes last = LAST_USER_PROPERTIES.get();
        int count = p.userPropertyCount();
        byte[][] strings = new byte[2 * count][];
        String[] sources = new String[2 * count];
        int size = 0;
        for (int i = 0; i < 2 * count; i++) {
            String s = (i & 1) == 0 ? p.userPropertyName(i >> 1) : p.userPropertyValue(i >> 1);
            byte[] bytes;
            if (last != null && i < last.sources.length && last.sources[i] == s) {
                bytes = last.strings[i]; // the same String object: checked and encoded already
            } else {
                bytes = Wire.encodeString(s, (i & 1) == 0 ? "user property name" : "user property value");
            }
            strings[i] = bytes;
            sources[i] = s;
            size += 2 + bytes.length; // a two-byte length before each string
        }
        size += count; // an identifier before each pair
        u = new UserPropertyBytes(strings, size, sources);
        p.keepUserPropertyBytes(u);
        LAST_USER_PROPERTIES.set(u);
        return u;
    }

    /** Sizes property by property, checking each may travel here; throws at the first that may not. */
    private static int sizeEach(MqttProperties p, PacketType type, boolean will) {
        int n = 0;
        if (p.payloadFormatIndicator() != -1) {
            n += allowed(PropertyId.PAYLOAD_FORMAT_INDICATOR, type, will, 2);
        }
        if (p.messageExpiryInterval() != -1) {
            n += allowed(PropertyId.MESSAGE_EXPIRY_INTERVAL, type, will, 5);
        }
        if (p.contentType() != null) {
            n += allowed(PropertyId.CONTENT_TYPE, type, will, 1 + Wire.stringSize(p.contentType(), "content type"));
        }
        if (p.responseTopic() != null) {
            n += allowed(PropertyId.RESPONSE_TOPIC, type, will,
                    1 + Wire.stringSize(p.responseTopic(), "response topic"));
        }
        if (p.correlationData() != null) {
            n += allowed(PropertyId.CORRELATION_DATA, type, will,
                    1 + Wire.binarySize(p.correlationData(), "correlation data"));
        }
        int subscriptionIdentifiers = p.subscriptionIdentifierCount();
        if (subscriptionIdentifiers > 0) {
            allowed(PropertyId.SUBSCRIPTION_IDENTIFIER, type, will, 0);
            if (subscriptionIdentifiers > 1 && type != PacketType.PUBLISH) {
                throw new IllegalArgumentException("only PUBLISH may carry more than one subscription identifier");
            }
            for (int i = 0; i < subscriptionIdentifiers; i++) {
                n += 1 + Wire.variableByteIntegerSize(p.subscriptionIdentifier(i));
            }
        }
        if (p.sessionExpiryInterval() != -1) {
            n += allowed(PropertyId.SESSION_EXPIRY_INTERVAL, type, will, 5);
        }
        if (p.assignedClientIdentifier() != null) {
            n += allowed(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, type, will,
                    1 + Wire.stringSize(p.assignedClientIdentifier(), "assigned client identifier"));
        }
        if (p.serverKeepAlive() != -1) {
            n += allowed(PropertyId.SERVER_KEEP_ALIVE, type, will, 3);
        }
        if (p.authenticationMethod() != null) {
            n += allowed(PropertyId.AUTHENTICATION_METHOD, type, will,
                    1 + Wire.stringSize(p.authenticationMethod(), "authentication method"));
        }
        if (p.authenticationData() != null) {
            n += allowed(PropertyId.AUTHENTICATION_DATA, type, will,
                    1 + Wire.binarySize(p.authenticationData(), "authentication data"));
        }
        if (p.requestProblemInformation() != -1) {
            n += allowed(PropertyId.REQUEST_PROBLEM_INFORMATION, type, will, 2);
        }
        if (p.willDelayInterval() != -1) {
            n += allowed(PropertyId.WILL_DELAY_INTERVAL, type, will, 5);
        }
        if (p.requestResponseInformation() != -1) {
            n += allowed(PropertyId.REQUEST_RESPONSE_INFORMATION, type, will, 2);
        }
        if (p.responseInformation() != null) {
            n += allowed(PropertyId.RESPONSE_INFORMATION, type, will,
                    1 + Wire.stringSize(p.responseInformation(), "response information"));
        }
        if (p.serverReference() != null) {
            n += allowed(PropertyId.SERVER_REFERENCE, type, will,
                    1 + Wire.stringSize(p.serverReference(), "server reference"));
        }
        if (p.reasonString() != null) {
            n += allowed(PropertyId.REASON_STRING, type, will, 1 + Wire.stringSize(p.reasonString(), "reason string"));
        }
        if (p.receiveMaximum() != -1) {
            n += allowed(PropertyId.RECEIVE_MAXIMUM, type, will, 3);
        }
        if (p.topicAliasMaximum() != -1) {
            n += allowed(PropertyId.TOPIC_ALIAS_MAXIMUM, type, will, 3);
        }
        if (p.topicAlias() != -1) {
            n += allowed(PropertyId.TOPIC_ALIAS, type, will, 3);
        }
        if (p.maximumQos() != -1) {
            n += allowed(PropertyId.MAXIMUM_QOS, type, will, 2);
        }
        if (p.retainAvailable() != -1) {
            n += allowed(PropertyId.RETAIN_AVAILABLE, type, will, 2);
        }
        if (p.userPropertyCount() > 0) {
            allowed(PropertyId.USER_PROPERTY, type, will, 0);
            n += userPropertiesSize(p);
        }
        if (p.maximumPacketSize() != -1) {
            n += allowed(PropertyId.MAXIMUM_PACKET_SIZE, type, will, 5);
        }
        if (p.wildcardSubscriptionAvailable() != -1) {
            n += allowed(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, type, will, 2);
        }
        if (p.subscriptionIdentifierAvailable() != -1) {
            n += allowed(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, type, will, 2);
        }
        if (p.sharedSubscriptionAvailable() != -1) {
            n += allowed(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, type, will, 2);
        }
        return n;
    }

    private static int allowed(PropertyId id, PacketType type, boolean will, int bytes) {
        if (will ? !id.allowedInWill() : !id.allowedIn(type)) {
            throw new IllegalArgumentException(PropertiesReader.nameOf(id) + " may not travel in "
                    + (will ? "will properties" : type.toString()) + " (§2.2.2.2)");
        }
        return bytes;
    }

    /** Writes the property length, then the properties sized earlier by {@link #size}. */
    static void write(ByteBuf out, MqttProperties p, int length) {
        Wire.writeVariableByteInteger(out, length);
        if (length == 0) {
            return;
        }
        // Either path writes the same bytes: whether the encoding was made since this block was sized does not
        // matter. Writes count as uses, sizing alone does not (a size check before a write is one use).
        if ((p.presentIds() & ~PUBLISH_SHAPE) == 0) {
            Forwarded f = p.forwardedForReuse();
            if (f != null) {
                writePublishShape(out, p, f);
                return;
            }
        }
        if (p.payloadFormatIndicator() != -1) {
            out.writeByte(PropertyId.PAYLOAD_FORMAT_INDICATOR.id()).writeByte(p.payloadFormatIndicator());
        }
        if (p.messageExpiryInterval() != -1) {
            out.writeByte(PropertyId.MESSAGE_EXPIRY_INTERVAL.id()).writeInt((int) p.messageExpiryInterval());
        }
        writeString(out, PropertyId.CONTENT_TYPE, p.contentType());
        writeString(out, PropertyId.RESPONSE_TOPIC, p.responseTopic());
        writeBinary(out, PropertyId.CORRELATION_DATA, p.correlationData());
        for (int i = 0; i < p.subscriptionIdentifierCount(); i++) {
            out.writeByte(PropertyId.SUBSCRIPTION_IDENTIFIER.id());
            Wire.writeVariableByteInteger(out, p.subscriptionIdentifier(i));
        }
        if (p.sessionExpiryInterval() != -1) {
            out.writeByte(PropertyId.SESSION_EXPIRY_INTERVAL.id()).writeInt((int) p.sessionExpiryInterval());
        }
        writeString(out, PropertyId.ASSIGNED_CLIENT_IDENTIFIER, p.assignedClientIdentifier());
        if (p.serverKeepAlive() != -1) {
            out.writeByte(PropertyId.SERVER_KEEP_ALIVE.id()).writeShort(p.serverKeepAlive());
        }
        writeString(out, PropertyId.AUTHENTICATION_METHOD, p.authenticationMethod());
        writeBinary(out, PropertyId.AUTHENTICATION_DATA, p.authenticationData());
        if (p.requestProblemInformation() != -1) {
            out.writeByte(PropertyId.REQUEST_PROBLEM_INFORMATION.id()).writeByte(p.requestProblemInformation());
        }
        if (p.willDelayInterval() != -1) {
            out.writeByte(PropertyId.WILL_DELAY_INTERVAL.id()).writeInt((int) p.willDelayInterval());
        }
        if (p.requestResponseInformation() != -1) {
            out.writeByte(PropertyId.REQUEST_RESPONSE_INFORMATION.id()).writeByte(p.requestResponseInformation());
        }
        writeString(out, PropertyId.RESPONSE_INFORMATION, p.responseInformation());
        writeString(out, PropertyId.SERVER_REFERENCE, p.serverReference());
        writeString(out, PropertyId.REASON_STRING, p.reasonString());
        if (p.receiveMaximum() != -1) {
            out.writeByte(PropertyId.RECEIVE_MAXIMUM.id()).writeShort(p.receiveMaximum());
        }
        if (p.topicAliasMaximum() != -1) {
            out.writeByte(PropertyId.TOPIC_ALIAS_MAXIMUM.id()).writeShort(p.topicAliasMaximum());
        }
        if (p.topicAlias() != -1) {
            out.writeByte(PropertyId.TOPIC_ALIAS.id()).writeShort(p.topicAlias());
        }
        if (p.maximumQos() != -1) {
            out.writeByte(PropertyId.MAXIMUM_QOS.id()).writeByte(p.maximumQos());
        }
        if (p.retainAvailable() != -1) {
            out.writeByte(PropertyId.RETAIN_AVAILABLE.id()).writeByte(p.retainAvailable());
        }
        writeUserProperties(out, p);
        if (p.maximumPacketSize() != -1) {
            out.writeByte(PropertyId.MAXIMUM_PACKET_SIZE.id()).writeInt((int) p.maximumPacketSize());
        }
        if (p.wildcardSubscriptionAvailable() != -1) {
            out.writeByte(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE.id()).writeByte(p.wildcardSubscriptionAvailable());
        }
        if (p.subscriptionIdentifierAvailable() != -1) {
            out.writeByte(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE.id())
                    .writeByte(p.subscriptionIdentifierAvailable());
        }
        if (p.sharedSubscriptionAvailable() != -1) {
            out.writeByte(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE.id()).writeByte(p.sharedSubscriptionAvailable());
        }
    }

    /** The forwarded encoding with the per-delivery values between its parts: the same bytes as writing each. */
    private static void writePublishShape(ByteBuf out, MqttProperties p, Forwarded f) {
        out.writeBytes(f.bytes, 0, f.payloadFormatEnd);
        if (p.messageExpiryInterval() != -1) {
            out.writeByte(PropertyId.MESSAGE_EXPIRY_INTERVAL.id()).writeInt((int) p.messageExpiryInterval());
        }
        out.writeBytes(f.bytes, f.payloadFormatEnd, f.userPropertiesStart - f.payloadFormatEnd);
        for (int i = 0; i < p.subscriptionIdentifierCount(); i++) {
            out.writeByte(PropertyId.SUBSCRIPTION_IDENTIFIER.id());
            Wire.writeVariableByteInteger(out, p.subscriptionIdentifier(i));
        }
        if (p.topicAlias() != -1) {
            out.writeByte(PropertyId.TOPIC_ALIAS.id()).writeShort(p.topicAlias());
        }
        out.writeBytes(f.bytes, f.userPropertiesStart, f.bytes.length - f.userPropertiesStart);
    }

    private static void writeUserProperties(ByteBuf out, MqttProperties p) {
        if (p.userPropertyCount() == 0) {
            return;
        }
        byte[][] strings = userPropertyBytes(p).strings;
        for (int i = 0; i < strings.length; i += 2) {
            out.writeByte(PropertyId.USER_PROPERTY.id());
            out.writeShort(strings[i].length).writeBytes(strings[i]);
            out.writeShort(strings[i + 1].length).writeBytes(strings[i + 1]);
        }
    }

    private static void writeString(ByteBuf out, PropertyId id, String value) {
        if (value != null) {
            out.writeByte(id.id());
            Wire.writeString(out, value);
        }
    }

    private static void writeBinary(ByteBuf out, PropertyId id, byte[] value) {
        if (value != null) {
            out.writeByte(id.id());
            Wire.writeBinary(out, value);
        }
    }
}
