package io.ratatoskr.mqtt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** How per-source connection counts key their sources: IPv4 by address, IPv6 by /64, never by port. */
class AddressConnectionsTest {

    private static InetSocketAddress at(String address, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    @Test
    void ipv6AddressesOfOneSlash64CountAsOneSourceAndOtherPrefixesApart() throws Exception {
        AddressConnections open = new AddressConnections();
        open.opened(at("2001:db8:1:2::1", 40_000));
        open.opened(at("2001:db8:1:2:dead:beef:0:7", 40_001));
        open.opened(at("2001:db8:1:2:ffff:ffff:ffff:ffff", 40_002));
        open.opened(at("2001:db8:1:3::1", 40_003));

        assertThat(open.count(at("2001:db8:1:2::abcd", 1))).as("any address of the busy /64").isEqualTo(3);
        assertThat(open.count(at("2001:db8:1:3::9", 1))).as("the neighbouring /64").isEqualTo(1);
        assertThat(open.total()).isEqualTo(4);

        open.closed(at("2001:db8:1:2::1", 40_000));
        open.closed(at("2001:db8:1:2:dead:beef:0:7", 40_001));
        open.closed(at("2001:db8:1:2:ffff:ffff:ffff:ffff", 40_002));
        assertThat(open.count(at("2001:db8:1:2::1", 1))).isZero();
        assertThat(open.sources()).as("a source's entry goes with its last connection").isEqualTo(1);
    }

    @Test
    void ipv4AddressesCountSinglyWhateverThePort() throws Exception {
        AddressConnections open = new AddressConnections();
        open.opened(at("192.0.2.1", 1000));
        open.opened(at("192.0.2.1", 1001));
        open.opened(at("192.0.2.2", 1000));
        open.opened(at("::ffff:192.0.2.1", 1002)); // IPv4-mapped IPv6: the same IPv4 host

        assertThat(open.count(at("192.0.2.1", 9))).isEqualTo(3);
        assertThat(open.count(at("192.0.2.2", 9))).isEqualTo(1);
        assertThat(open.count(at("192.0.2.3", 9))).isZero();
    }
}
