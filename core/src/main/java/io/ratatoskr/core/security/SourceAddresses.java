package io.ratatoskr.core.security;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HexFormat;

/**
 * What counts as one source for per-address budgets (failed logins, connections per address,
 * half-open sockets, refusal log lines): the address without the port, and an IPv6 address by its
 * /64 prefix. One host reconnecting from many ports is one source; a single IPv6 host or site usually
 * has a whole /64 to pick addresses from, so counting each IPv6 address singly would give it an
 * unlimited budget (RFC 4291 §2.5.4: the low 64 bits are the interface identifier).
 *
 * <p>Thread-safety: stateless.
 */
public final class SourceAddresses {
    private SourceAddresses() {
    }

    /**
     * The budget key of {@code remote}: an {@link InetAddress} for IPv4 (and IPv4-mapped IPv6, which
     * the JDK returns as IPv4), the string {@code ipv6/64:<16 hex digits>} for IPv6, the host string of
     * an unresolved address, and {@code String.valueOf(remote)} for anything else (a local channel).
     * Keys are equal exactly when the sources are the same.
     */
    public static Object key(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            InetAddress address = inet.getAddress();
            if (address instanceof Inet6Address v6) {
                return "ipv6/64:" + HexFormat.of().formatHex(v6.getAddress(), 0, 8);
            }
            return address != null ? address : inet.getHostString();
        }
        return String.valueOf(remote);
    }
}
