package io.ratatoskr.mqtt.codec;

import java.util.ArrayList;
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
 */
public final class MqttProperties {
    // Declared before EMPTY: static fields initialize in order, and building EMPTY reads NO_INTS.
    private static final int[] NO_INTS = new int[0];
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
    private final List<UserProperty> userProperties;
    private final long maximumPacketSize;
    private final int wildcardSubscriptionAvailable;
    private final int subscriptionIdentifierAvailable;
    private final int sharedSubscriptionAvailable;

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
        userProperties = b.userProperties == null ? List.of() : List.copyOf(b.userProperties);
        maximumPacketSize = b.maximumPacketSize;
        wildcardSubscriptionAvailable = b.wildcardSubscriptionAvailable;
        subscriptionIdentifierAvailable = b.subscriptionIdentifierAvailable;
        sharedSubscriptionAvailable = b.sharedSubscriptionAvailable;
    }


    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this object's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.payloadFormatIndicator = payloadFormatIndicator;
        b.messageExpiryInterval = messageExpiryInterval;
        b.contentType = contentType;
        b.responseTopic = responseTopic;
        b.correlationData = correlationData;
        b.subscriptionIdentifiers = subscriptionIdentifiers.clone();
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
        b.userProperties = userProperties.isEmpty() ? null : new ArrayList<>(userProperties);
        b.maximumPacketSize = maximumPacketSize;
        b.wildcardSubscriptionAvailable = wildcardSubscriptionAvailable;
        b.subscriptionIdentifierAvailable = subscriptionIdentifierAvailable;
        b.sharedSubscriptionAvailable = sharedSubscriptionAvailable;
        return b;
    }

    public boolean isEmpty() {
        return this == EMPTY || equals(EMPTY);
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

    /** 0x26, in the order received. */
    public List<UserProperty> userProperties() {
        return userProperties;
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
                && userProperties.equals(p.userProperties)
                && maximumPacketSize == p.maximumPacketSize
                && wildcardSubscriptionAvailable == p.wildcardSubscriptionAvailable
                && subscriptionIdentifierAvailable == p.subscriptionIdentifierAvailable
                && sharedSubscriptionAvailable == p.sharedSubscriptionAvailable;
    }

    @Override
    public int hashCode() {
        return Objects.hash(messageExpiryInterval, contentType, responseTopic, sessionExpiryInterval,
                reasonString, topicAlias, userProperties, Arrays.hashCode(subscriptionIdentifiers));
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
        if (!userProperties.isEmpty()) {
            sb.append("userProperties=").append(userProperties).append(", ");
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
        private List<UserProperty> userProperties;
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
            if (v < 1 || v > MAX_VARIABLE_BYTE_INTEGER) {
                throw new IllegalArgumentException("subscription identifier " + v + " is outside 1.."
                        + MAX_VARIABLE_BYTE_INTEGER);
            }
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
            return addUserProperty(new UserProperty(name, value));
        }

        public Builder addUserProperty(UserProperty p) {
            if (userProperties == null) {
                userProperties = new ArrayList<>(4);
            }
            userProperties.add(p);
            return this;
        }

        public Builder userProperties(List<UserProperty> ps) {
            userProperties = ps == null || ps.isEmpty() ? null : new ArrayList<>(ps);
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

        /** Checks a number property: {@code -1} (absent) or within the range the protocol fixes. */
        private static void checkOptional(long v, long min, long max, String name) {
            if (v != -1 && (v < min || v > max)) {
                throw new IllegalArgumentException(name + " " + v + " is outside " + min + ".." + max
                        + " (or -1 for absent)");
            }
        }
    }
}
