package io.ratatoskr.mqtt.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The MQTT 5 properties of one packet (§2.2.2.2). Immutable and thread-safe.
 *
 * <p>Absent values read as {@code -1} (numbers) or {@code null} (strings and binary data); user
 * properties and subscription identifiers read as empty lists. Which properties a packet may carry
 * is checked by the decoder ({@link PropertyId#allowedIn}), not here. MQTT 3.1.1 packets always
 * carry {@link #EMPTY}.
 *
 * <p>Representation: a field per property, user properties as one flat array of names and values (no
 * object per pair; {@link #userProperties()} is a view), and a bit set of the identifiers present, so the
 * writer can check what a packet may carry and find the common PUBLISH shape with a mask. The properties
 * that travel with a message unchanged (§3.3.2.3: payload format indicator, content type, response topic,
 * correlation data, user properties) are kept as bytes once they are encoded a second time: an object
 * made by {@link #withDeliveryValues} shares them with the one it came from, so a message fanned out to
 * many subscribers is encoded twice, however its expiry, subscription identifiers and topic alias differ,
 * and a message for one subscriber keeps no copy. The kept bytes are a cache (see {@code forwarded}): the
 * object's values never change.
 */
public final class MqttProperties {
    // Declared before EMPTY: static fields initialize in order, and building EMPTY reads NO_INTS.
    private static final int[] NO_INTS = new int[0];
    private static final String[] NO_STRINGS = new String[0];
    private static final long MAX_FOUR_BYTE = 0xFFFF_FFFFL;
    private static final int MAX_VARIABLE_BYTE_INTEGER = 268_435_455;

    public static final MqttProperties EMPTY = new Builder().build();

    private final int payloadFormatIndicator;
    private final long messageExpiryInterval;
    private final String contentType;
    private final String responseTopic;
    private final byte[] correlationData;
    private final int[] subscriptionIdentifiers;
    private final long sessionExpiryInterval;
    private final String assignedClientIdentifier;
    private final int serverKeepAlive;
    private final String authenticationMethod;
    private final byte[] authenticationData;
    private final int requestProblemInformation;
    private final long willDelayInterval;
    private final int requestResponseInformation;
    private final String responseInformation;
    private final String serverReference;
    private final String reasonString;
    private final int receiveMaximum;
    private final int topicAliasMaximum;
    private final int topicAlias;
    private final int maximumQos;
    private final int retainAvailable;
    /** Names at even, values at odd indexes, in the order received. */
    private final String[] userProperties;
    private final long maximumPacketSize;
    private final int wildcardSubscriptionAvailable;
    private final int subscriptionIdentifierAvailable;
    private final int sharedSubscriptionAvailable;
    /** Bit {@code 1L << id} for each identifier present (all ids are below 64). */
    private final long present;
    /**
     * The object whose {@link #forwarded} encoding this one shares: itself, or the one it was derived from
     * by {@link #withDeliveryValues} (which has the same message properties).
     */
    private final MqttProperties forwardSource;
    /**
     * The message properties as encoded by {@link PropertiesWriter}, made when they are encoded a second time
     * (a message encoded once, for one subscriber, is written straight to its buffer and keeps no copy).
     * Racy on purpose, as {@code String.hash} is: threads that race compute equal values (at worst one
     * encoding more), and {@link PropertiesWriter.Forwarded} has only final fields, so a reader sees either
     * null or a complete object.
     */
    private PropertiesWriter.Forwarded forwarded;
    private boolean encodedOnce;
    /**
     * The user properties as UTF-8, made the first time they are sized and shared as {@link #forwarded} is
     * (with the same benign race: its fields are final).
     */
    private PropertiesWriter.UserPropertyBytes userPropertyBytes;

    private MqttProperties(Builder b) {
        payloadFormatIndicator = b.payloadFormatIndicator;
        messageExpiryInterval = b.messageExpiryInterval;
        contentType = b.contentType;
        responseTopic = b.responseTopic;
        correlationData = b.correlationData;
        subscriptionIdentifiers = b.subscriptionIdentifierCount == 0 ? NO_INTS
                : Arrays.copyOf(b.subscriptionIdentifiers, b.subscriptionIdentifierCount);
        sessionExpiryInterval = b.sessionExpiryInterval;
        assignedClientIdentifier = b.assignedClientIdentifier;
        serverKeepAlive = b.serverKeepAlive;
        authenticationMethod = b.authenticationMethod;
        authenticationData = b.authenticationData;
        requestProblemInformation = b.requestProblemInformation;
        willDelayInterval = b.willDelayInterval;
        requestResponseInformation = b.requestResponseInformation;
        responseInformation = b.responseInformation;
        serverReference = b.serverReference;
        reasonString = b.reasonString;
        receiveMaximum = b.receiveMaximum;
        topicAliasMaximum = b.topicAliasMaximum;
        topicAlias = b.topicAlias;
        maximumQos = b.maximumQos;
        retainAvailable = b.retainAvailable;
        userProperties = b.userPropertyCount == 0 ? NO_STRINGS
                : Arrays.copyOf(b.userProperties, 2 * b.userPropertyCount);
        maximumPacketSize = b.maximumPacketSize;
        wildcardSubscriptionAvailable = b.wildcardSubscriptionAvailable;
        subscriptionIdentifierAvailable = b.subscriptionIdentifierAvailable;
        sharedSubscriptionAvailable = b.sharedSubscriptionAvailable;
        present = computePresentIds();
        forwardSource = this;
    }

    /** A copy of {@code m} with other per-delivery values; shares m's message properties and their encoding. */
    private MqttProperties(MqttProperties m, long messageExpiryInterval, int[] subscriptionIdentifiers,
                           int topicAlias) {
        payloadFormatIndicator = m.payloadFormatIndicator;
        this.messageExpiryInterval = messageExpiryInterval;
        contentType = m.contentType;
        responseTopic = m.responseTopic;
        correlationData = m.correlationData;
        this.subscriptionIdentifiers = subscriptionIdentifiers;
        sessionExpiryInterval = m.sessionExpiryInterval;
        assignedClientIdentifier = m.assignedClientIdentifier;
        serverKeepAlive = m.serverKeepAlive;
        authenticationMethod = m.authenticationMethod;
        authenticationData = m.authenticationData;
        requestProblemInformation = m.requestProblemInformation;
        willDelayInterval = m.willDelayInterval;
        requestResponseInformation = m.requestResponseInformation;
        responseInformation = m.responseInformation;
        serverReference = m.serverReference;
        reasonString = m.reasonString;
        receiveMaximum = m.receiveMaximum;
        topicAliasMaximum = m.topicAliasMaximum;
        this.topicAlias = topicAlias;
        maximumQos = m.maximumQos;
        retainAvailable = m.retainAvailable;
        userProperties = m.userProperties;
        maximumPacketSize = m.maximumPacketSize;
        wildcardSubscriptionAvailable = m.wildcardSubscriptionAvailable;
        subscriptionIdentifierAvailable = m.subscriptionIdentifierAvailable;
        sharedSubscriptionAvailable = m.sharedSubscriptionAvailable;
        present = computePresentIds();
        forwardSource = m.forwardSource;
    }

    private long computePresentIds() {
        return bit(PropertyId.PAYLOAD_FORMAT_INDICATOR, payloadFormatIndicator != -1)
                | bit(PropertyId.MESSAGE_EXPIRY_INTERVAL, messageExpiryInterval != -1)
                | bit(PropertyId.CONTENT_TYPE, contentType != null)
                | bit(PropertyId.RESPONSE_TOPIC, responseTopic != null)
                | bit(PropertyId.CORRELATION_DATA, correlationData != null)
                | bit(PropertyId.SUBSCRIPTION_IDENTIFIER, subscriptionIdentifiers.length > 0)
                | bit(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiryInterval != -1)
                | bit(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, assignedClientIdentifier != null)
                | bit(PropertyId.SERVER_KEEP_ALIVE, serverKeepAlive != -1)
                | bit(PropertyId.AUTHENTICATION_METHOD, authenticationMethod != null)
                | bit(PropertyId.AUTHENTICATION_DATA, authenticationData != null)
                | bit(PropertyId.REQUEST_PROBLEM_INFORMATION, requestProblemInformation != -1)
                | bit(PropertyId.WILL_DELAY_INTERVAL, willDelayInterval != -1)
                | bit(PropertyId.REQUEST_RESPONSE_INFORMATION, requestResponseInformation != -1)
                | bit(PropertyId.RESPONSE_INFORMATION, responseInformation != null)
                | bit(PropertyId.SERVER_REFERENCE, serverReference != null)
                | bit(PropertyId.REASON_STRING, reasonString != null)
                | bit(PropertyId.RECEIVE_MAXIMUM, receiveMaximum != -1)
                | bit(PropertyId.TOPIC_ALIAS_MAXIMUM, topicAliasMaximum != -1)
                | bit(PropertyId.TOPIC_ALIAS, topicAlias != -1)
                | bit(PropertyId.MAXIMUM_QOS, maximumQos != -1)
                | bit(PropertyId.RETAIN_AVAILABLE, retainAvailable != -1)
                | bit(PropertyId.USER_PROPERTY, userProperties.length > 0)
                | bit(PropertyId.MAXIMUM_PACKET_SIZE, maximumPacketSize != -1)
                | bit(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, wildcardSubscriptionAvailable != -1)
                | bit(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, subscriptionIdentifierAvailable != -1)
                | bit(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, sharedSubscriptionAvailable != -1);
    }

    private static long bit(PropertyId id, boolean present) {
        return present ? 1L << id.id() : 0;
    }

    /**
     * These properties with the values an outgoing PUBLISH sets per subscriber replaced (each {@code -1},
     * or an empty array, for absent): the remaining Message Expiry Interval (§3.3.2.3.3), the matching
     * Subscription Identifiers (§3.3.2.3.8) and the Topic Alias of the receiving connection (§3.3.2.3.4).
     * The result shares this object's message properties and their encoding (it is this object when nothing
     * changes).
     *
     * @throws IllegalArgumentException for a value outside its range, as the builder's setters
     */
    public MqttProperties withDeliveryValues(long messageExpiryInterval, int[] subscriptionIdentifiers,
                                             int topicAlias) {
        Builder.checkOptional(messageExpiryInterval, 0, MAX_FOUR_BYTE, "messageExpiryInterval");
        Builder.checkOptional(topicAlias, 1, 0xFFFF, "topicAlias");
        if (messageExpiryInterval == this.messageExpiryInterval && topicAlias == this.topicAlias
                && subscriptionIdentifiers.length == 0 && this.subscriptionIdentifiers.length == 0) {
            return this;
        }
        int[] ids = NO_INTS;
        if (subscriptionIdentifiers.length > 0) {
            ids = subscriptionIdentifiers.clone();
            for (int id : ids) {
                Builder.checkSubscriptionIdentifier(id);
            }
        }
        return new MqttProperties(this, messageExpiryInterval, ids, topicAlias);
    }

    /** Bit {@code 1L << id.id()} set for each property present. */
    long presentIds() {
        return present;
    }

    /**
     * The encoded message properties, shared with the objects derived from the same message, for a writer:
     * null the first time they are asked for, made the second time.
     */
    PropertiesWriter.Forwarded forwardedForReuse() {
        MqttProperties source = forwardSource;
        PropertiesWriter.Forwarded f = source.forwarded;
        if (f == null) {
            if (!source.encodedOnce) {
                source.encodedOnce = true;
                return null;
            }
            f = PropertiesWriter.forwarded(source);
            source.forwarded = f;
        }
        return f;
    }

    PropertiesWriter.UserPropertyBytes userPropertyBytesIfMade() {
        return forwardSource.userPropertyBytes;
    }

    void keepUserPropertyBytes(PropertiesWriter.UserPropertyBytes u) {
        forwardSource.userPropertyBytes = u;
    }

    /** The encoded message properties if they were made, else null; for sizing, which is no use. */
    PropertiesWriter.Forwarded forwardedIfMade() {
        return forwardSource.forwarded;
    }


    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this object's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        copyInto(b);
        return b;
    }

    private void copyInto(Builder b) {
        b.payloadFormatIndicator = payloadFormatIndicator;
        b.messageExpiryInterval = messageExpiryInterval;
        b.contentType = contentType;
        b.responseTopic = responseTopic;
        b.correlationData = correlationData;
        b.subscriptionIdentifiers = subscriptionIdentifiers.length == 0 ? NO_INTS : subscriptionIdentifiers.clone();
        b.subscriptionIdentifierCount = subscriptionIdentifiers.length;
        b.sessionExpiryInterval = sessionExpiryInterval;
        b.assignedClientIdentifier = assignedClientIdentifier;
        b.serverKeepAlive = serverKeepAlive;
        b.authenticationMethod = authenticationMethod;
        b.authenticationData = authenticationData;
        b.requestProblemInformation = requestProblemInformation;
        b.willDelayInterval = willDelayInterval;
        b.requestResponseInformation = requestResponseInformation;
        b.responseInformation = responseInformation;
        b.serverReference = serverReference;
        b.reasonString = reasonString;
        b.receiveMaximum = receiveMaximum;
        b.topicAliasMaximum = topicAliasMaximum;
        b.topicAlias = topicAlias;
        b.maximumQos = maximumQos;
        b.retainAvailable = retainAvailable;
        b.userProperties = userProperties.length == 0 ? NO_STRINGS : userProperties.clone();
        b.userPropertyCount = userProperties.length / 2;
        b.maximumPacketSize = maximumPacketSize;
        b.wildcardSubscriptionAvailable = wildcardSubscriptionAvailable;
        b.subscriptionIdentifierAvailable = subscriptionIdentifierAvailable;
        b.sharedSubscriptionAvailable = sharedSubscriptionAvailable;
    }

    public boolean isEmpty() {
        return present == 0;
    }

    /** 0x01, byte: 0 unspecified bytes, 1 UTF-8 character data; -1 when absent. */
    public int payloadFormatIndicator() {
        return payloadFormatIndicator;
    }

    /** 0x02, four-byte integer, seconds; -1 when absent. */
    public long messageExpiryInterval() {
        return messageExpiryInterval;
    }

    /** 0x03, UTF-8 string; null when absent. */
    public String contentType() {
        return contentType;
    }

    /** 0x08, UTF-8 string; null when absent. */
    public String responseTopic() {
        return responseTopic;
    }

    /** 0x09, binary data; null when absent. The array is shared: do not modify it. */
    public byte[] correlationData() {
        return correlationData;
    }

    /** 0x0B, variable byte integers 1..268,435,455; PUBLISH may carry several, SUBSCRIBE one. */
    public int[] subscriptionIdentifiers() {
        return subscriptionIdentifiers.clone();
    }

    public int subscriptionIdentifierCount() {
        return subscriptionIdentifiers.length;
    }

    public int subscriptionIdentifier(int index) {
        return subscriptionIdentifiers[index];
    }

    /** 0x11, four-byte integer, seconds; -1 when absent. */
    public long sessionExpiryInterval() {
        return sessionExpiryInterval;
    }

    /** 0x12, UTF-8 string; null when absent. */
    public String assignedClientIdentifier() {
        return assignedClientIdentifier;
    }

    /** 0x13, two-byte integer, seconds; -1 when absent. */
    public int serverKeepAlive() {
        return serverKeepAlive;
    }

    /** 0x15, UTF-8 string; null when absent. */
    public String authenticationMethod() {
        return authenticationMethod;
    }

    /** 0x16, binary data; null when absent. */
    public byte[] authenticationData() {
        return authenticationData;
    }

    /** 0x17, byte 0 or 1; -1 when absent (the default is 1). */
    public int requestProblemInformation() {
        return requestProblemInformation;
    }

    /** 0x18, four-byte integer, seconds; -1 when absent. */
    public long willDelayInterval() {
        return willDelayInterval;
    }

    /** 0x19, byte 0 or 1; -1 when absent (the default is 0). */
    public int requestResponseInformation() {
        return requestResponseInformation;
    }

    /** 0x1A, UTF-8 string; null when absent. */
    public String responseInformation() {
        return responseInformation;
    }

    /** 0x1C, UTF-8 string; null when absent. */
    public String serverReference() {
        return serverReference;
    }

    /** 0x1F, UTF-8 string; null when absent. */
    public String reasonString() {
        return reasonString;
    }

    /** 0x21, two-byte integer 1..65,535; -1 when absent (the default is 65,535). */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /** 0x22, two-byte integer; -1 when absent (the default is 0). */
    public int topicAliasMaximum() {
        return topicAliasMaximum;
    }

    /** 0x23, two-byte integer 1..65,535; -1 when absent. */
    public int topicAlias() {
        return topicAlias;
    }

    /** 0x24, byte 0 or 1; -1 when absent (the default is 2). */
    public int maximumQos() {
        return maximumQos;
    }

    /** 0x25, byte 0 or 1; -1 when absent (the default is 1). */
    public int retainAvailable() {
        return retainAvailable;
    }

    /** 0x26, in the order received: an unmodifiable view that makes a {@link UserProperty} per element read. */
    public List<UserProperty> userProperties() {
        return userProperties.length == 0 ? List.of() : new UserPropertyList(userProperties);
    }

    /** The number of user properties (0x26); with {@link #userPropertyName} and {@link #userPropertyValue}. */
    public int userPropertyCount() {
        return userProperties.length / 2;
    }

    public String userPropertyName(int index) {
        return userProperties[2 * index];
    }

    public String userPropertyValue(int index) {
        return userProperties[2 * index + 1];
    }

    /** 0x27, four-byte integer 1..2^32-1; -1 when absent (no limit beyond the protocol's). */
    public long maximumPacketSize() {
        return maximumPacketSize;
    }

    /** 0x28, byte 0 or 1; -1 when absent (the default is 1). */
    public int wildcardSubscriptionAvailable() {
        return wildcardSubscriptionAvailable;
    }

    /** 0x29, byte 0 or 1; -1 when absent (the default is 1). */
    public int subscriptionIdentifierAvailable() {
        return subscriptionIdentifierAvailable;
    }

    /** 0x2A, byte 0 or 1; -1 when absent (the default is 1). */
    public int sharedSubscriptionAvailable() {
        return sharedSubscriptionAvailable;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MqttProperties p)) {
            return false;
        }
        return payloadFormatIndicator == p.payloadFormatIndicator
                && messageExpiryInterval == p.messageExpiryInterval
                && Objects.equals(contentType, p.contentType)
                && Objects.equals(responseTopic, p.responseTopic)
                && Arrays.equals(correlationData, p.correlationData)
                && Arrays.equals(subscriptionIdentifiers, p.subscriptionIdentifiers)
                && sessionExpiryInterval == p.sessionExpiryInterval
                && Objects.equals(assignedClientIdentifier, p.assignedClientIdentifier)
                && serverKeepAlive == p.serverKeepAlive
                && Objects.equals(authenticationMethod, p.authenticationMethod)
                && Arrays.equals(authenticationData, p.authenticationData)
                && requestProblemInformation == p.requestProblemInformation
                && willDelayInterval == p.willDelayInterval
                && requestResponseInformation == p.requestResponseInformation
                && Objects.equals(responseInformation, p.responseInformation)
                && Objects.equals(serverReference, p.serverReference)
                && Objects.equals(reasonString, p.reasonString)
                && receiveMaximum == p.receiveMaximum
                && topicAliasMaximum == p.topicAliasMaximum
                && topicAlias == p.topicAlias
                && maximumQos == p.maximumQos
                && retainAvailable == p.retainAvailable
                && Arrays.equals(userProperties, p.userProperties)
                && maximumPacketSize == p.maximumPacketSize
                && wildcardSubscriptionAvailable == p.wildcardSubscriptionAvailable
                && subscriptionIdentifierAvailable == p.subscriptionIdentifierAvailable
                && sharedSubscriptionAvailable == p.sharedSubscriptionAvailable;
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageExpiryInterval, contentType, responseTopic, sessionExpiryInterval,
                reasonString, topicAlias, Arrays.hashCode(userProperties), Arrays.hashCode(subscriptionIdentifiers));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        appendIf(sb, "payloadFormatIndicator", payloadFormatIndicator);
        appendIf(sb, "messageExpiryInterval", messageExpiryInterval);
        appendIf(sb, "contentType", contentType);
        appendIf(sb, "responseTopic", responseTopic);
        if (correlationData != null) {
            sb.append("correlationData=").append(correlationData.length).append(" bytes, ");
        }
        if (subscriptionIdentifiers.length > 0) {
            sb.append("subscriptionIdentifiers=").append(Arrays.toString(subscriptionIdentifiers)).append(", ");
        }
        appendIf(sb, "sessionExpiryInterval", sessionExpiryInterval);
        appendIf(sb, "assignedClientIdentifier", assignedClientIdentifier);
        appendIf(sb, "serverKeepAlive", serverKeepAlive);
        appendIf(sb, "authenticationMethod", authenticationMethod);
        if (authenticationData != null) {
            sb.append("authenticationData=").append(authenticationData.length).append(" bytes, ");
        }
        appendIf(sb, "requestProblemInformation", requestProblemInformation);
        appendIf(sb, "willDelayInterval", willDelayInterval);
        appendIf(sb, "requestResponseInformation", requestResponseInformation);
        appendIf(sb, "responseInformation", responseInformation);
        appendIf(sb, "serverReference", serverReference);
        appendIf(sb, "reasonString", reasonString);
        appendIf(sb, "receiveMaximum", receiveMaximum);
        appendIf(sb, "topicAliasMaximum", topicAliasMaximum);
        appendIf(sb, "topicAlias", topicAlias);
        appendIf(sb, "maximumQos", maximumQos);
        appendIf(sb, "retainAvailable", retainAvailable);
        if (userProperties.length > 0) {
            sb.append("userProperties=").append(userProperties()).append(", ");
        }
        appendIf(sb, "maximumPacketSize", maximumPacketSize);
        appendIf(sb, "wildcardSubscriptionAvailable", wildcardSubscriptionAvailable);
        appendIf(sb, "subscriptionIdentifierAvailable", subscriptionIdentifierAvailable);
        appendIf(sb, "sharedSubscriptionAvailable", sharedSubscriptionAvailable);
        if (sb.length() > 1) {
            sb.setLength(sb.length() - 2);
        }
        return sb.append('}').toString();
    }

    private static void appendIf(StringBuilder sb, String name, long value) {
        if (value != -1) {
            sb.append(name).append('=').append(value).append(", ");
        }
    }

    private static void appendIf(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(name).append('=').append(value).append(", ");
        }
    }

    /** Collects property values; not thread-safe. Setters validate ranges the protocol fixes. */
    public static final class Builder {
        /** The largest array {@link #clear} keeps: 16 user properties. */
        private static final int REUSED_ARRAY_MAX = 32;

        private int payloadFormatIndicator = -1;
        private long messageExpiryInterval = -1;
        private String contentType;
        private String responseTopic;
        private byte[] correlationData;
        private int[] subscriptionIdentifiers = NO_INTS;
        private int subscriptionIdentifierCount;
        private long sessionExpiryInterval = -1;
        private String assignedClientIdentifier;
        private int serverKeepAlive = -1;
        private String authenticationMethod;
        private byte[] authenticationData;
        private int requestProblemInformation = -1;
        private long willDelayInterval = -1;
        private int requestResponseInformation = -1;
        private String responseInformation;
        private String serverReference;
        private String reasonString;
        private int receiveMaximum = -1;
        private int topicAliasMaximum = -1;
        private int topicAlias = -1;
        private int maximumQos = -1;
        private int retainAvailable = -1;
        private String[] userProperties = NO_STRINGS;
        private int userPropertyCount;
        private long maximumPacketSize = -1;
        private int wildcardSubscriptionAvailable = -1;
        private int subscriptionIdentifierAvailable = -1;
        private int sharedSubscriptionAvailable = -1;

        private Builder() {
        }

        public Builder payloadFormatIndicator(int v) {
            checkOptional(v, 0, 1, "payloadFormatIndicator");
            payloadFormatIndicator = v;
            return this;
        }

        public Builder messageExpiryInterval(long v) {
            checkOptional(v, 0, MAX_FOUR_BYTE, "messageExpiryInterval");
            messageExpiryInterval = v;
            return this;
        }

        public Builder contentType(String v) {
            contentType = v;
            return this;
        }

        public Builder responseTopic(String v) {
            responseTopic = v;
            return this;
        }

        public Builder correlationData(byte[] v) {
            correlationData = v;
            return this;
        }

        public Builder addSubscriptionIdentifier(int v) {
            checkSubscriptionIdentifier(v);
            if (subscriptionIdentifierCount == subscriptionIdentifiers.length) {
                subscriptionIdentifiers = Arrays.copyOf(subscriptionIdentifiers,
                        Math.max(2, subscriptionIdentifiers.length * 2));
            }
            subscriptionIdentifiers[subscriptionIdentifierCount++] = v;
            return this;
        }

        public Builder clearSubscriptionIdentifiers() {
            subscriptionIdentifiers = NO_INTS;
            subscriptionIdentifierCount = 0;
            return this;
        }

        public Builder sessionExpiryInterval(long v) {
            checkOptional(v, 0, MAX_FOUR_BYTE, "sessionExpiryInterval");
            sessionExpiryInterval = v;
            return this;
        }

        public Builder assignedClientIdentifier(String v) {
            assignedClientIdentifier = v;
            return this;
        }

        public Builder serverKeepAlive(int v) {
            checkOptional(v, 0, 0xFFFF, "serverKeepAlive");
            serverKeepAlive = v;
            return this;
        }

        public Builder authenticationMethod(String v) {
            authenticationMethod = v;
            return this;
        }

        public Builder authenticationData(byte[] v) {
            authenticationData = v;
            return this;
        }

        public Builder requestProblemInformation(int v) {
            checkOptional(v, 0, 1, "requestProblemInformation");
            requestProblemInformation = v;
            return this;
        }

        public Builder willDelayInterval(long v) {
            checkOptional(v, 0, MAX_FOUR_BYTE, "willDelayInterval");
            willDelayInterval = v;
            return this;
        }

        public Builder requestResponseInformation(int v) {
            checkOptional(v, 0, 1, "requestResponseInformation");
            requestResponseInformation = v;
            return this;
        }

        public Builder responseInformation(String v) {
            responseInformation = v;
            return this;
        }

        public Builder serverReference(String v) {
            serverReference = v;
            return this;
        }

        public Builder reasonString(String v) {
            reasonString = v;
            return this;
        }

        public Builder receiveMaximum(int v) {
            checkOptional(v, 1, 0xFFFF, "receiveMaximum");
            receiveMaximum = v;
            return this;
        }

        public Builder topicAliasMaximum(int v) {
            checkOptional(v, 0, 0xFFFF, "topicAliasMaximum");
            topicAliasMaximum = v;
            return this;
        }

        public Builder topicAlias(int v) {
            checkOptional(v, 1, 0xFFFF, "topicAlias");
            topicAlias = v;
            return this;
        }

        public Builder maximumQos(int v) {
            checkOptional(v, 0, 1, "maximumQos");
            maximumQos = v;
            return this;
        }

        public Builder retainAvailable(int v) {
            checkOptional(v, 0, 1, "retainAvailable");
            retainAvailable = v;
            return this;
        }

        public Builder addUserProperty(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (2 * userPropertyCount == userProperties.length) {
                userProperties = Arrays.copyOf(userProperties, Math.max(4, userProperties.length * 2));
            }
            userProperties[2 * userPropertyCount] = name;
            userProperties[2 * userPropertyCount + 1] = value;
            userPropertyCount++;
            return this;
        }

        public Builder addUserProperty(UserProperty p) {
            return addUserProperty(p.name(), p.value());
        }

        /** Replaces the user properties; null or empty for none. */
        public Builder userProperties(List<UserProperty> ps) {
            userProperties = NO_STRINGS;
            userPropertyCount = 0;
            if (ps != null) {
                for (UserProperty p : ps) {
                    addUserProperty(p);
                }
            }
            return this;
        }

        public Builder maximumPacketSize(long v) {
            checkOptional(v, 1, MAX_FOUR_BYTE, "maximumPacketSize");
            maximumPacketSize = v;
            return this;
        }

        public Builder wildcardSubscriptionAvailable(int v) {
            checkOptional(v, 0, 1, "wildcardSubscriptionAvailable");
            wildcardSubscriptionAvailable = v;
            return this;
        }

        public Builder subscriptionIdentifierAvailable(int v) {
            checkOptional(v, 0, 1, "subscriptionIdentifierAvailable");
            subscriptionIdentifierAvailable = v;
            return this;
        }

        public Builder sharedSubscriptionAvailable(int v) {
            checkOptional(v, 0, 1, "sharedSubscriptionAvailable");
            sharedSubscriptionAvailable = v;
            return this;
        }

        public MqttProperties build() {
            return new MqttProperties(this);
        }

        /** Back to no properties; small arrays stay for reuse (their old entries cleared), large ones go. */
        Builder clear() {
            String[] users = userProperties;
            int usersSet = 2 * userPropertyCount;
            int[] ids = subscriptionIdentifiers;
            EMPTY.copyInto(this);
            if (users.length <= REUSED_ARRAY_MAX) {
                Arrays.fill(users, 0, usersSet, null);
                userProperties = users;
            }
            if (ids.length <= REUSED_ARRAY_MAX) {
                subscriptionIdentifiers = ids;
            }
            return this;
        }

        static void checkSubscriptionIdentifier(int v) {
            if (v < 1 || v > MAX_VARIABLE_BYTE_INTEGER) {
                throw new IllegalArgumentException("subscription identifier " + v + " is outside 1.."
                        + MAX_VARIABLE_BYTE_INTEGER);
            }
        }

        /** Checks a number property: {@code -1} (absent) or within the range the protocol fixes. */
        static void checkOptional(long v, long min, long max, String name) {
            if (v != -1 && (v < min || v > max)) {
                throw new IllegalArgumentException(name + " " + v + " is outside " + min + ".." + max
                        + " (or -1 for absent)");
            }
        }
    }
}
