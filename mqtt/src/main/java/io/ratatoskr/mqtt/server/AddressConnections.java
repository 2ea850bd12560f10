package io.ratatoskr.mqtt.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per source IP address, counted from accept to close (whether or not CONNECT
 * completed, so sockets that never finish CONNECT count too). Thread-safe: a concurrent map updated
 * atomically per address; an address's entry disappears when its count returns to 0, so the map
 * holds only addresses with open connections.
 */
final class AddressConnections {
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /** Counts a new connection; returns how many connections its address now has open. */
    int opened(SocketAddress remote) {
        InetAddress address = address(remote);
        return address == null ? 0 : open.merge(address, 1, Integer::sum);
    }

    void closed(SocketAddress remote) {
        InetAddress address = address(remote);
        if (address != null) {
            open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Open connections from {@code remote}'s address. */
    int count(SocketAddress remote) {
        InetAddress address = address(remote);
        return address == null ? 0 : open.getOrDefault(address, 0);
    }

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getAddress() : null;
    }
}
