package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.START_MS;
import static io.ratatoskr.log.TestLogs.append;
import static io.ratatoskr.log.TestLogs.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.testkit.ManualClock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    @TempDir Path dir;
    final ManualClock clock = new ManualClock(START_MS);

    private static void fill(Log log, int records) {
        for (int i = 0; i < records; i++) {
            append(log, List.of(Record.of(new byte[200])));
        }
    }

    @Test
    void retentionByAgeDeletesOnlyExpiredSealedSegments() {
        LogConfig config = TestLogs.small().retentionMaxAgeMs(60_000).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            fill(log, 40);
            int before = log.stats().segments();
            clock.advanceMs(30_000);
            fill(log, 40);
            assertThat(log.enforceRetention()).isZero();
            clock.advanceMs(31_000);
            int deleted = log.enforceRetention();
            assertThat(deleted).isGreaterThan(0).isLessThanOrEqualTo(before);
            assertThat(log.logStartOffset()).isGreaterThan(0).isLessThanOrEqualTo(40);
            clock.advanceMs(1_000_000);
            log.enforceRetention();
            assertThat(log.stats().segments()).isEqualTo(1);
            assertThat(log.highWatermark()).isEqualTo(80);
            assertThatThrownBy(() -> log.read(0, 100, 1)).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void retentionBySizeKeepsAtLeastTheLimit() {
        LogConfig config = TestLogs.small().retentionMaxBytes(10_000).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            fill(log, 200);
            log.enforceRetention();
            assertThat(log.stats().sizeInBytes()).isGreaterThanOrEqualTo(10_000).isLessThan(10_000 + 4096);
            assertThat(readAll(log).get(0).offset()).isEqualTo(log.logStartOffset());
        }
    }

    @Test
    void retentionByMessagesKeepsAtLeastTheLimit() {
        LogConfig config = TestLogs.small().retentionMaxMessages(50).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            fill(log, 200);
            log.enforceRetention();
            long kept = log.highWatermark() - log.logStartOffset();
            assertThat(kept).isGreaterThanOrEqualTo(50).isLessThan(50 + 20);
            assertThat(readAll(log)).hasSize((int) kept);
        }
    }

    @Test
    void retentionNeverDeletesTheActiveSegment() {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).retentionMaxAgeMs(1).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            fill(log, 10);
            clock.advanceMs(10_000);
            assertThat(log.enforceRetention()).isZero();
            assertThat(readAll(log)).hasSize(10);
        }
    }

    @Test
    void scheduledRetentionRunsInTheBackground() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            LogConfig config = TestLogs.small().retentionMaxMessages(20).retentionCheckIntervalMs(10).build();
            try (Log log = Log.open(dir, config, TestLogs.env(clock).withScheduler(scheduler))) {
                fill(log, 100);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> log.logStartOffset() > 0);
                assertThat(readAll(log).size()).isGreaterThanOrEqualTo(20);
            }
        } finally {
            scheduler.shutdownNow();
        }
    }
}
