package io.ratatoskr.mqtt.server;

/**
 * Quotas one source address or one client may use of the MQTT listener, so that no single peer can
 * take the broker from the others. Immutable; validated on construction. 0 means unlimited where
 * stated.
 *
 * @param maxConnectionsPerAddress open connections from one IP address (loopback included) at most; a
 *                                 CONNECT beyond it is refused with Quota exceeded
 * @param maxPublishRate           PUBLISH packets per second one connection may send on average; beyond
 *                                 it the connection stops being read until its budget refills (0: no limit)
 * @param maxPublishBytesRate      payload bytes per second one connection may publish, enforced the same
 *                                 way (0: no limit)
 * @param maxSubscriptionsPerClient topic filters one session may hold ({@code $queue} consumer-group
 *                                 subscriptions included); further ones are refused in SUBACK with Quota
 *                                 exceeded (0: no limit)
 * @param maxPendingConnectionsPerAddress sockets from one source (IPv6: one /64) accepted but without a
 *                                 completed CONNECT at most; a socket beyond it is closed at once, without
 *                                 an answer (slowloris: they cost memory and a timer each until
 *                                 {@code connectTimeoutSeconds})
 * @param maxPendingConnections    such sockets from all sources together at most, closed the same way
 */
public record MqttLimits(int maxConnectionsPerAddress, int maxPublishRate, long maxPublishBytesRate,
                         int maxSubscriptionsPerClient, int maxPendingConnectionsPerAddress,
                         int maxPendingConnections) {
    /**
     * 1,000 connections per address leaves room for a gateway or a NAT in front of many devices while
     * stopping one host from holding all of {@code mqtt.max-connections}; rates and subscriptions are
     * unlimited unless an operator sets them. 100 sockets of one source in CONNECT at once is far more
     * than a reconnect storm behind one NAT produces within a connect timeout, and 10,000 overall keeps
     * a slowloris flood to a few tens of MiB.
     */
    public static final MqttLimits DEFAULTS = new MqttLimits(1_000, 0, 0, 0, 100, 10_000);

    public MqttLimits {
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, got "
                    + maxConnectionsPerAddress);
        }
        if (maxPublishRate < 0 || maxPublishBytesRate < 0 || maxSubscriptionsPerClient < 0) {
            throw new IllegalArgumentException("publish rates and maxSubscriptionsPerClient must not be negative");
        }
        if (maxPendingConnectionsPerAddress < 1 || maxPendingConnections < 1) {
            throw new IllegalArgumentException("maxPendingConnectionsPerAddress and maxPendingConnections must be at "
                    + "least 1, got " + maxPendingConnectionsPerAddress + " and " + maxPendingConnections);
        }
    }

    /** The first four limits, with the default caps of sockets in CONNECT. */
    public MqttLimits(int maxConnectionsPerAddress, int maxPublishRate, long maxPublishBytesRate,
                      int maxSubscriptionsPerClient) {
        this(maxConnectionsPerAddress, maxPublishRate, maxPublishBytesRate, maxSubscriptionsPerClient, 100, 10_000);
    }

    public MqttLimits withMaxConnectionsPerAddress(int n) {
        return new MqttLimits(n, maxPublishRate, maxPublishBytesRate, maxSubscriptionsPerClient,
                maxPendingConnectionsPerAddress, maxPendingConnections);
    }

    public MqttLimits withPublishRates(int messagesPerSecond, long bytesPerSecond) {
        return new MqttLimits(maxConnectionsPerAddress, messagesPerSecond, bytesPerSecond, maxSubscriptionsPerClient,
                maxPendingConnectionsPerAddress, maxPendingConnections);
    }

    public MqttLimits withMaxSubscriptionsPerClient(int n) {
        return new MqttLimits(maxConnectionsPerAddress, maxPublishRate, maxPublishBytesRate, n,
                maxPendingConnectionsPerAddress, maxPendingConnections);
    }

    /** With at most {@code perAddress} sockets of one source, and {@code total} overall, in CONNECT. */
    public MqttLimits withMaxPendingConnections(int perAddress, int total) {
        return new MqttLimits(maxConnectionsPerAddress, maxPublishRate, maxPublishBytesRate, maxSubscriptionsPerClient,
                perAddress, total);
    }
}
