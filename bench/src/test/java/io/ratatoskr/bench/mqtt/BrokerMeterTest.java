package io.ratatoskr.bench.mqtt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/** The window every generator measures the broker over: from its first CPU sample to its latest. */
class BrokerMeterTest {

    @Test
    void theFirstSampleOpensTheWindowAndALaterOneClosesItWithTheBrokersMemoryAndGc(@TempDir Path dir)
            throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, "[0.5s][info][gc] GC(0) Pause Young (Concurrent Start) 30M->20M(128M) 3.000ms\n");
        BrokerMeter meter = new BrokerMeter(ProcessHandle.current().pid(), 100, log);

        CpuSample start = meter.sample();
        assertThat(meter.resources()).isNull();
        Files.writeString(log, "[3.0s][info][gc] GC(1) Pause Remark 25M->25M(128M) 0.500ms\n"
                + "[3.1s][info][gc] GC(2) Pause Young (Mixed) 26M->6M(128M) 2.250ms\n", StandardOpenOption.APPEND);
        CpuSample end = meter.sample();

        assertThat(end.brokerSince(start)).isGreaterThanOrEqualTo(0);
        LoadResult.Resources r = meter.resources();
        assertThat(r.gcPauses()).isEqualTo(2);
        assertThat(r.gcPauseMaxMs()).isEqualTo(2.25);
        assertThat(r.heapAfterGcMiB()).isEqualTo(6.0);
        assertThat(r.rssMiB()).isPositive();
    }

    @Test
    void withoutABrokerOnlyTheGeneratorIsMeasured() {
        BrokerMeter meter = new BrokerMeter(0, 100, null);

        CpuSample start = meter.sample();
        CpuSample end = meter.sample();

        assertThat(end.brokerSince(start)).isEqualTo(-1);
        assertThat(end.generatorSince(start)).isGreaterThanOrEqualTo(0);
        assertThat(meter.resources()).isNull();
    }
}
