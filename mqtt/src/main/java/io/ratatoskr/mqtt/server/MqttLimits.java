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
 * @param maxSubscriptionsPerClient topic filters one session may hold; further ones are refused in
 *                                 SUBACK with Quota exceeded (0: no limit)
 */
public record MqttLimits(int maxConnectionsPerAddress, int maxPublishRate, long maxPublishBytesRate,
                         int maxSubscriptionsPerClient) {
    /**
     * 1,000 connections per address leaves room for a gateway or a NAT in front of many devices while
     * stopping one host from holding all of {@code mqtt.max-connections}; rates and subscriptions are
     * unlimited unless an operator sets them.
     */
    public static final MqttLimits DEFAULTS = new MqttLimits(1_000, 0, 0, 0);

    public MqttLimits {
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, got "
                    + maxConnectionsPerAddress);
        }
        if (maxPublishRate < 0 || maxPublishBytesRate < 0 || maxSubscriptionsPerClient < 0) {
            throw new IllegalArgumentException("publish rates and maxSubscriptionsPerClient must not be negative");
        }
    }

    public MqttLimits withMaxConnectionsPerAddress(int n) {
        return new MqttLimits(n, maxPublishRate, maxPublishBytesRate, maxSubscriptionsPerClient);
    }

    public MqttLimits withPublishRates(int messagesPerSecond, long bytesPerSecond) {
        return new MqttLimits(maxConnectionsPerAddress, messagesPerSecond, bytesPerSecond, maxSubscriptionsPerClient);
    }

    public MqttLimits withMaxSubscriptionsPerClient(int n) {
        return new MqttLimits(maxConnectionsPerAddress, maxPublishRate, maxPublishBytesRate, n);
    }
}
