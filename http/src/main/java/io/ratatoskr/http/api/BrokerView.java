package io.ratatoskr.http.api;

import java.util.List;

/**
 * {@code GET /api/v1/broker}: what the node is, where it listens, what it holds and how much traffic
 * it carried since start (the totals only grow; rates are the difference of two samples).
 *
 * <p>Thread-safety: immutable.
 */
public record BrokerView(String version, String startedAt, long uptimeSeconds, boolean ready, String dataDir,
                         List<Listener> listeners, Counts counts, Totals totals) {

    /** One bound listener. */
    public record Listener(String name, String host, int port, boolean tls) {}

    /**
     * @param connections open MQTT connections plus open gRPC Subscribe and Consume streams
     * @param sessions    MQTT sessions, connected or not
     */
    public record Counts(int connections, int sessions, int subscriptions, int retainedMessages, int topics,
                         int groups) {}

    /** Messages and bytes in and out over every protocol since start. */
    public record Totals(long messagesIn, long messagesOut, long bytesIn, long bytesOut) {}
}
