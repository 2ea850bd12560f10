package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.START_MS;
import static io.ratatoskr.log.TestLogs.append;
import static io.ratatoskr.log.TestLogs.readAll;
import static io.ratatoskr.log.TestLogs.string;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.testkit.ManualClock;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactionTest {

    @TempDir Path dir;
    final ManualClock clock = new ManualClock(START_MS);

    private LogConfig.Builder compacted() {
        return TestLogs.small()
                .cleanupPolicy(CleanupPolicy.COMPACT)
                .compactionLagMs(1000)
                .tombstoneRetentionMs(10_000)
                .minCleanableDirtyRatio(0);
    }

    private static Map<String, String> latest(Log log) {
        Map<String, String> out = new LinkedHashMap<>();
        for (StoredRecord r : readAll(log)) {
            out.put(string(r.key()), string(r.value()));
        }
        return out;
    }

    @Test
    void compactionKeepsOnlyTheLatestRecordPerKey() {
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            for (int round = 0; round < 20; round++) {
                for (int k = 0; k < 5; k++) {
                    append(log, "k" + k, "v" + round + "-" + k + "-" + "x".repeat(50), clock.millis());
                }
            }
            Map<String, String> before = latest(log);
            clock.advanceMs(2000);
            CompactionResult result = log.compact();
            assertThat(result.segmentsRewritten()).isPositive();
            assertThat(result.recordsRemoved()).isPositive();
            assertThat(latest(log)).isEqualTo(before);
            long sealedRecords = readAll(log).stream().filter(r -> r.offset() < log.stats().segments()).count();
            assertThat(readAll(log).size()).isLessThan(100);
            assertThat(sealedRecords).isGreaterThanOrEqualTo(0);
            assertThat(log.highWatermark()).isEqualTo(100);
            assertThat(append(log, "k0", "new", clock.millis()).baseOffset()).isEqualTo(100);
        }
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            assertThat(latest(log).get("k0")).isEqualTo("new");
            assertThat(log.highWatermark()).isEqualTo(101);
        }
    }

    @Test
    void freshRecordsWithinTheLagAreNotCompacted() {
        try (Log log = TestLogs.open(dir, compacted().compactionLagMs(60_000).build(), clock)) {
            for (int i = 0; i < 100; i++) {
                append(log, "same", "v" + i + "x".repeat(80), clock.millis());
            }
            assertThat(log.compact().segmentsRewritten()).isZero();
            assertThat(readAll(log)).hasSize(100);
        }
    }

    @Test
    void tombstonesAreKeptForTheirRetentionThenRemoved() {
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            for (int i = 0; i < 30; i++) {
                append(log, "k" + (i % 3), "v" + i + "x".repeat(100), clock.millis());
            }
            append(log, "k1", null, clock.millis());
            for (int i = 0; i < 30; i++) {
                append(log, "other" + i, "y".repeat(100), clock.millis());
            }
            clock.advanceMs(2000);
            log.compact();
            Map<String, String> afterFirst = latest(log);
            assertThat(afterFirst).containsKey("k1");
            assertThat(afterFirst.get("k1")).isNull();
            clock.advanceMs(20_000);
            for (int i = 0; i < 30; i++) {
                append(log, "more" + i, "z".repeat(100), clock.millis());
            }
            clock.advanceMs(2000);
            log.compact();
            assertThat(latest(log)).doesNotContainKey("k1").containsKeys("k0", "k2");
        }
    }

    @Test
    void reopenAfterCompactionReadsTheSameRecords() {
        Map<String, String> before;
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            for (int i = 0; i < 200; i++) {
                append(log, "k" + (i % 17), "v" + i + "x".repeat(60), clock.millis());
            }
            clock.advanceMs(5000);
            log.compact();
            before = latest(log);
            assertThat(readAll(log).size()).isLessThan(200);
        }
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            assertThat(latest(log)).isEqualTo(before);
            assertThat(log.highWatermark()).isEqualTo(200);
        }
    }

    @Test
    void readsFromAnOffsetInACompactedGapStartAtTheNextRecord() {
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            for (int i = 0; i < 100; i++) {
                append(log, "k" + (i % 4), "v" + i + "x".repeat(80), clock.millis());
            }
            clock.advanceMs(5000);
            log.compact();
            ReadResult r = log.read(0, 1 << 20, 1);
            assertThat(r.records()).hasSize(1);
            assertThat(r.records().get(0).offset()).isGreaterThan(0);
        }
    }

    @Test
    void truncationAtACompactedGapKeepsTheEndOffsetAcrossRestarts() {
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            for (int i = 0; i < 40; i++) {
                append(log, "k" + (i % 2), "v" + i + "x".repeat(200), clock.millis());
            }
            clock.advanceMs(5000);
            log.compact();
            long gapEnd = readAll(log).get(0).offset() + 1;
            while (log.read(gapEnd, 1, 1).records().isEmpty() && gapEnd < 40) {
                gapEnd++;
            }
            log.truncateTo(gapEnd - 1);
            assertThat(log.highWatermark()).isEqualTo(gapEnd - 1);
        }
        try (Log log = TestLogs.open(dir, compacted().build(), clock)) {
            long end = log.highWatermark();
            assertThat(append(log, "k9", "after", clock.millis()).baseOffset()).isEqualTo(end);
        }
    }

    @Test
    void scheduledCompactionRunsInTheBackground() {
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            LogConfig config = compacted().compactionLagMs(0).cleanerIntervalMs(10).build();
            try (Log log = Log.open(dir, config, TestLogs.env(clock).withScheduler(scheduler))) {
                for (int i = 0; i < 100; i++) {
                    append(log, "k" + (i % 3), "v" + i + "x".repeat(80), clock.millis());
                }
                clock.advanceMs(1000);
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(10))
                        .until(() -> readAll(log).size() < 100);
                assertThat(latest(log)).containsKeys("k0", "k1", "k2");
            }
        } finally {
            scheduler.shutdownNow();
        }
    }
}
