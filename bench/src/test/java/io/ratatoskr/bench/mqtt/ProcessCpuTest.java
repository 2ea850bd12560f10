package io.ratatoskr.bench.mqtt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessCpuTest {

    @Test
    void statFieldsAreCountedAfterTheCommandNameEvenWithSpacesAndParentheses() {
        String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 7795 0 0 0 250 50 0 0 20 0 31 0 1234 "
                + "9507784704 412345 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";

        assertThat(ProcessCpu.parseStatNanos(stat, 100)).isEqualTo(3_000_000_000L);
    }

    @Test
    void thisProcessHasUsedSomeCpu() {
        assertThat(ProcessCpu.selfNanos()).isPositive();
        assertThat(ProcessCpu.otherNanos(ProcessHandle.current().pid(), 100)).isPositive();
    }

    @Test
    void machineBusyTimeCountsEveryBusyStateButIdleAndIowait() {
        String stat = "cpu  100 20 30 5000 400 6 7 8 50 0\ncpu0 50 10 15 2500 200 3 3 4 25 0\nintr 1 2 3\n";

        // user 100 + nice 20 + system 30 + irq 6 + softirq 7 + steal 8 = 171 ticks; guest is inside user.
        assertThat(ProcessCpu.parseMachineNanos(stat, 100)).isEqualTo(1_710_000_000L);
        assertThat(ProcessCpu.machineBusyNanos(100)).isPositive();
    }
}
