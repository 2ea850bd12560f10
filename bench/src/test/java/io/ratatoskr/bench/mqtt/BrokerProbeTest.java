package io.ratatoskr.bench.mqtt;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The broker's memory and GC figures: /proc status fields and unified-logging GC lines. */
class BrokerProbeTest {

    @Test
    void gcPausesInTheWindowAreCountedSummedAndTheLastHeapAfterGcKept() {
        String log = """
                [1.002s][info][gc,start    ] GC(3) Pause Young (Normal) (G1 Evacuation Pause)
                [1.004s][info][gc,phases   ] GC(3)   Evacuate Collection Set: 1.2ms
                [1.005s][info][gc          ] GC(3) Pause Young (Normal) (G1 Evacuation Pause) 61M->7M(256M) 2.500ms
                [1.900s][info][gc          ] GC(4) Pause Remark 30M->30M(256M) 0.750ms
                [2.100s][info][gc          ] GC(5) Concurrent Mark Cycle 12.000ms
                [2.500s][info][gc          ] GC(6) Pause Young (Normal) (G1 Evacuation Pause) 2G->512M(4G) 4.000ms
                [2.600s][info][gc          ] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 61M->7M(256M) 9.0""";

        BrokerProbe.GcWindow gc = BrokerProbe.parseGc(log);

        assertThat(gc.pauses()).isEqualTo(3);
        assertThat(gc.totalMs()).isCloseTo(7.25, within(1e-9));
        assertThat(gc.maxMs()).isEqualTo(4.0);
        assertThat(gc.heapAfterMiB()).isEqualTo(512.0);
    }

    @Test
    void aWindowWithoutCollectionsHasNoPausesAndNoHeapFigure() {
        BrokerProbe.GcWindow gc = BrokerProbe.parseGc("[0.010s][info][gc] Using G1\n");

        assertThat(gc.pauses()).isZero();
        assertThat(gc.heapAfterMiB()).isEqualTo(-1);
    }

    @Test
    void residentSetAndItsPeakAreReadFromProcStatus() {
        long[] mem = BrokerProbe.memory("Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t40\n");

        assertThat(mem).containsExactly(102_400, 204_800);
        assertThat(BrokerProbe.memory("Name:\tkthread\n")).containsExactly(-1, -1);
    }

    @Test
    void onlyWhatTheLogGainedDuringTheWindowCounts(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path log = dir.resolve("gc.log");
        Files.writeString(log, "[1.0s][info][gc] GC(1) Pause Full (System.gc()) 90M->10M(256M) 50.000ms\n");
        BrokerProbe probe = new BrokerProbe(ProcessHandle.current().pid(), log);

        probe.windowStart();
        Files.writeString(log, "[2.0s][info][gc] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 40M->8M(256M) "
                + "1.500ms\n", java.nio.file.StandardOpenOption.APPEND);
        LoadResult.Resources r = probe.windowEnd();

        assertThat(r.gcPauses()).isEqualTo(1);
        assertThat(r.gcPauseMaxMs()).isEqualTo(1.5);
        assertThat(r.heapAfterGcMiB()).isEqualTo(8.0);
        assertThat(r.rssMiB()).isPositive();
    }
}
