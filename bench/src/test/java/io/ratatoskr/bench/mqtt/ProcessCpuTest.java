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
}
