package io.ratatoskr.mqtt.server;

/**
 * Settings of the MQTT listener and of what it accepts from clients. Immutable; validated on
 * construction. Defaults are safe for a loopback development broker.
 *
 * @param host                  address to bind; 127.0.0.1 keeps the broker local (as Mosquitto 2 does)
 * @param port                  TCP port; 0 picks a free one
 * @param maxConnections        open connections at most; a CONNECT beyond it is refused
 * @param maxPacketSize         largest packet accepted, in bytes (told to v5 clients in CONNACK)
 * @param receiveMaximum        unacknowledged inbound QoS 1/2 PUBLISH packets per client (v5 CONNACK)
 * @param topicAliasMaximum     inbound topic aliases per v5 connection; 0 disables them
 * @param maxKeepAliveSeconds   a longer keep-alive is lowered (v5, Server Keep Alive) or refused (3.1.1)
 * @param allowZeroKeepAlive    whether a client may turn keep-alive off; if not, it gets the maximum
 * @param connectTimeoutSeconds a connection that has not completed CONNECT by then is closed
 * @param maxClientIdLength     longest client identifier accepted, in characters
 * @param ioThreads             network event loop threads (0: one per available processor)
 * @param writeBufferLowBytes   below this many buffered outbound bytes a connection is writable again
 * @param writeBufferHighBytes  above this many buffered outbound bytes a connection stops taking messages
 * @param limits                per-address and per-client quotas (see {@link MqttLimits})
 */
public record MqttConfig(String host, int port, int maxConnections, int maxPacketSize, int receiveMaximum,
                         int topicAliasMaximum, int maxKeepAliveSeconds, boolean allowZeroKeepAlive,
                         int connectTimeoutSeconds, int maxClientIdLength, int ioThreads,
                         int writeBufferLowBytes, int writeBufferHighBytes, MqttLimits limits) {

    /** The largest packet the protocol can express: 268,435,455 bytes of remaining length + 5. */
    public static final int PROTOCOL_MAX_PACKET_SIZE = 268_435_460;

    public static final MqttConfig DEFAULTS = new MqttConfig("127.0.0.1", 1883, 100_000, 1024 * 1024, 1024,
            64, 65_535, true, 10, 1024, 0, 32 * 1024, 128 * 1024, MqttLimits.DEFAULTS);

    /** A config with the default {@link MqttLimits}. */
    public MqttConfig(String host, int port, int maxConnections, int maxPacketSize, int receiveMaximum,
                      int topicAliasMaximum, int maxKeepAliveSeconds, boolean allowZeroKeepAlive,
                      int connectTimeoutSeconds, int maxClientIdLength, int ioThreads,
                      int writeBufferLowBytes, int writeBufferHighBytes) {
        this(host, port, maxConnections, maxPacketSize, receiveMaximum, topicAliasMaximum, maxKeepAliveSeconds,
                allowZeroKeepAlive, connectTimeoutSeconds, maxClientIdLength, ioThreads, writeBufferLowBytes,
                writeBufferHighBytes, MqttLimits.DEFAULTS);
    }

    public MqttConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("mqtt host is required");
        }
        check(port, 0, 65_535, "port");
        check(maxConnections, 1, Integer.MAX_VALUE, "maxConnections");
        check(maxPacketSize, 64, PROTOCOL_MAX_PACKET_SIZE, "maxPacketSize");
        check(receiveMaximum, 1, 65_535, "receiveMaximum");
        check(topicAliasMaximum, 0, 65_535, "topicAliasMaximum");
        check(maxKeepAliveSeconds, 1, 65_535, "maxKeepAliveSeconds");
        check(connectTimeoutSeconds, 1, 3600, "connectTimeoutSeconds");
        check(maxClientIdLength, 23, 65_535, "maxClientIdLength");
        check(ioThreads, 0, 1024, "ioThreads");
        check(writeBufferLowBytes, 1024, Integer.MAX_VALUE, "writeBufferLowBytes");
        check(writeBufferHighBytes, writeBufferLowBytes, Integer.MAX_VALUE, "writeBufferHighBytes");
        java.util.Objects.requireNonNull(limits, "limits");
    }

    private static void check(int value, int min, int max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("mqtt " + name + " must be within " + min + ".." + max + ", got " + value);
        }
    }

    public MqttConfig withAddress(String newHost, int newPort) {
        return toBuilder().host(newHost).port(newPort).build();
    }

    public MqttConfig withMaxConnections(int connections) {
        return toBuilder().maxConnections(connections).build();
    }

    public MqttConfig withMaxPacketSize(int bytes) {
        return toBuilder().maxPacketSize(bytes).build();
    }

    public MqttConfig withReceiveMaximum(int messages) {
        return toBuilder().receiveMaximum(messages).build();
    }

    public MqttConfig withMaxKeepAliveSeconds(int seconds) {
        return toBuilder().maxKeepAliveSeconds(seconds).build();
    }

    public MqttConfig withConnectTimeoutSeconds(int seconds) {
        return toBuilder().connectTimeoutSeconds(seconds).build();
    }

    public MqttConfig withLimits(MqttLimits newLimits) {
        return toBuilder().limits(newLimits).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A mutable copy of a config, for changing a few settings; not thread-safe. */
    public static final class Builder {
        private String host;
        private int port;
        private int maxConnections;
        private int maxPacketSize;
        private int receiveMaximum;
        private int topicAliasMaximum;
        private int maxKeepAliveSeconds;
        private boolean allowZeroKeepAlive;
        private int connectTimeoutSeconds;
        private int maxClientIdLength;
        private int ioThreads;
        private int writeBufferLowBytes;
        private int writeBufferHighBytes;
        private MqttLimits limits;

        private Builder(MqttConfig c) {
            host = c.host;
            port = c.port;
            maxConnections = c.maxConnections;
            maxPacketSize = c.maxPacketSize;
            receiveMaximum = c.receiveMaximum;
            topicAliasMaximum = c.topicAliasMaximum;
            maxKeepAliveSeconds = c.maxKeepAliveSeconds;
            allowZeroKeepAlive = c.allowZeroKeepAlive;
            connectTimeoutSeconds = c.connectTimeoutSeconds;
            maxClientIdLength = c.maxClientIdLength;
            ioThreads = c.ioThreads;
            writeBufferLowBytes = c.writeBufferLowBytes;
            writeBufferHighBytes = c.writeBufferHighBytes;
            limits = c.limits;
        }

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder maxPacketSize(int v) {
            maxPacketSize = v;
            return this;
        }

        public Builder receiveMaximum(int v) {
            receiveMaximum = v;
            return this;
        }

        public Builder topicAliasMaximum(int v) {
            topicAliasMaximum = v;
            return this;
        }

        public Builder maxKeepAliveSeconds(int v) {
            maxKeepAliveSeconds = v;
            return this;
        }

        public Builder allowZeroKeepAlive(boolean v) {
            allowZeroKeepAlive = v;
            return this;
        }

        public Builder connectTimeoutSeconds(int v) {
            connectTimeoutSeconds = v;
            return this;
        }

        public Builder maxClientIdLength(int v) {
            maxClientIdLength = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder writeBufferLowBytes(int v) {
            writeBufferLowBytes = v;
            return this;
        }

        public Builder writeBufferHighBytes(int v) {
            writeBufferHighBytes = v;
            return this;
        }

        public Builder limits(MqttLimits v) {
            limits = v;
            return this;
        }

        /** The config; validated as the record's constructor does. */
        public MqttConfig build() {
            return new MqttConfig(host, port, maxConnections, maxPacketSize, receiveMaximum, topicAliasMaximum,
                    maxKeepAliveSeconds, allowZeroKeepAlive, connectTimeoutSeconds, maxClientIdLength, ioThreads,
                    writeBufferLowBytes, writeBufferHighBytes, limits);
        }
    }
}
