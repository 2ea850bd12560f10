package io.ratatoskr.mqtt.server;

import io.ratatoskr.core.security.SourceAddresses;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open connections per source ({@link SourceAddresses#key}: an IPv4 address, or an IPv6 /64, since
 * one IPv6 host can pick any address of its /64), plus a total. One instance counts every open
 * connection from accept to close (whether or not CONNECT completed, so sockets that never finish
 * CONNECT count too); another counts only the sockets still in CONNECT. Thread-safe: a concurrent map
 * updated atomically per source; a source's entry disappears when its count returns to 0, so the map
 * holds only sources with open connections.
 */
final class AddressConnections {
    private final ConcurrentHashMap<Object, Integer> open = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    /** Counts a new connection; returns how many connections its source now has open. */
    int opened(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress)) {
            return 0;
        }
        total.incrementAndGet();
        return open.merge(SourceAddresses.key(remote), 1, Integer::sum);
    }

    /** Uncounts a connection {@link #opened} counted. */
    void closed(SocketAddress remote) {
        if (remote instanceof InetSocketAddress) {
            total.decrementAndGet();
            open.computeIfPresent(SourceAddresses.key(remote), (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Open connections from {@code remote}'s source. */
    int count(SocketAddress remote) {
        return remote instanceof InetSocketAddress ? open.getOrDefault(SourceAddresses.key(remote), 0) : 0;
    }

    /** Open connections from every source. */
    int total() {
        return total.get();
    }

    /** Sources with open connections. */
    int sources() {
        return open.size();
    }
}
