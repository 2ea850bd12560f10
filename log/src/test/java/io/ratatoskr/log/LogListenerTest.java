package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.append;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.testkit.ManualClock;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log tells its {@link LogListener} how long each append and each fsync took (what the broker's histograms show). */
class LogListenerTest {
    @TempDir Path dir;

    /** Counts what it is told. Thread-safe (atomics). */
    static final class Counting implements LogListener {
        final AtomicLong appends = new AtomicLong();
        final AtomicLong syncs = new AtomicLong();
        final AtomicLong negative = new AtomicLong();

        @Override
        public void appended(long nanos) {
            appends.incrementAndGet();
            if (nanos < 0) {
                negative.incrementAndGet();
            }
        }

        @Override
        public void synced(long nanos) {
            syncs.incrementAndGet();
            if (nanos < 0) {
                negative.incrementAndGet();
            }
        }
    }

    @Test
    void everyDurableAppendAndEveryFsyncIsReported() {
        Counting listener = new Counting();
        LogConfig config = LogConfig.builder().durability(DurabilityMode.FSYNC).build();
        try (Log log = Log.open(dir, config, TestLogs.env(new ManualClock(1_000)).withListener(listener))) {
            for (int i = 0; i < 5; i++) {
                append(log, "v" + i);
            }
            assertThat(listener.appends.get()).isEqualTo(5);
            // Each append waited for its own fsync: as many fsyncs reported as the log counted.
            assertThat(listener.syncs.get()).isEqualTo(log.stats().fsyncs()).isGreaterThanOrEqualTo(5);
            assertThat(listener.negative.get()).isZero();
        }
    }

    @Test
    void asyncDurabilityReportsAppendsWithoutWaitingForAnFsync() {
        Counting listener = new Counting();
        LogConfig config = LogConfig.builder().durability(DurabilityMode.ASYNC).asyncFlushIntervalMs(60_000).build();
        try (Log log = Log.open(dir, config, TestLogs.env(new ManualClock(1_000)).withListener(listener))) {
            append(log, "v");
            assertThat(listener.appends.get()).isEqualTo(1);
            assertThat(listener.syncs.get()).isZero();
        }
    }
}
