package io.ratatoskr.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.testkit.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Refusal log lines: the first per source and interval written, the rest counted and reported with the next. */
class ThrottledLogTest {

    private static InetSocketAddress at(String address, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    @Test
    void aFloodFromOneSourceLogsOneLinePerIntervalWithTheCountOfThoseNotLogged() throws Exception {
        ManualClock clock = new ManualClock(0);
        ThrottledLog gate = new ThrottledLog(10_000, clock);
        int written = 0;
        for (int i = 0; i < 1_000; i++) {
            if (gate.admit(at("198.51.100.7", 10_000 + i)) >= 0) {
                written++;
            }
        }
        assertThat(written).as("one line for 1000 refusals within the interval, whatever the ports").isEqualTo(1);
        assertThat(gate.admit(at("198.51.100.8", 1))).as("another source logs its own first line").isZero();
        assertThat(gate.admit(at("2001:db8::1", 1))).isZero();
        assertThat(gate.admit(at("2001:db8::2", 1))).as("the same IPv6 /64 is the same source").isEqualTo(-1);

        clock.advance(Duration.ofSeconds(10));
        assertThat(gate.admit(at("198.51.100.7", 1))).as("the next line says how many were not logged")
                .isEqualTo(999);
        assertThat(gate.admit(at("198.51.100.7", 1))).isEqualTo(-1);
    }

    @Test
    void trackedSourcesAreBounded() throws Exception {
        ThrottledLog gate = new ThrottledLog(10_000, new ManualClock(0));
        for (int i = 0; i < ThrottledLog.MAX_TRACKED + 500; i++) {
            gate.admit(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16),
                    (byte) (i >> 8), (byte) i}), 1));
        }
        assertThat(gate.tracked()).isEqualTo(ThrottledLog.MAX_TRACKED);
    }
}
