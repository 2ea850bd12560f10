package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.START_MS;
import static io.ratatoskr.log.TestLogs.append;
import static io.ratatoskr.log.TestLogs.readAll;
import static io.ratatoskr.log.TestLogs.string;
import static io.ratatoskr.log.TestLogs.valuesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.testkit.FaultyFileChannel;
import io.ratatoskr.testkit.FaultyFileChannel.Faults;
import io.ratatoskr.testkit.FaultyFileChannel.Faults.WriteFault;
import io.ratatoskr.testkit.ManualClock;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FaultInjectionTest {

    @TempDir Path dir;
    final ManualClock clock = new ManualClock(START_MS);
    final Faults faults = new Faults();

    private Log open(LogConfig config) {
        ChannelFactory faulty = (path, options) -> new FaultyFileChannel(FileChannel.open(path, options), faults);
        return Log.open(dir, config, TestLogs.env(clock).withChannels(faulty));
    }

    @ParameterizedTest
    @EnumSource(value = WriteFault.class, names = {"IO_ERROR", "SHORT_WRITE", "DISK_FULL"})
    void writeFailureMakesTheLogReadOnlyUntilRecovered(WriteFault fault) {
        try (Log log = open(TestLogs.small().build())) {
            for (int i = 0; i < 20; i++) {
                append(log, "ok" + i);
            }
            faults.failWrites(fault, 0);
            assertThatThrownBy(() -> append(log, "lost")).hasCauseInstanceOf(LogFailedException.class);
            assertThat(log.status().state()).isEqualTo(LogStatus.State.FAILED);
            assertThat(log.status().diskFull()).isEqualTo(fault == WriteFault.DISK_FULL);
            CompletableFuture<AppendResult> later = log.append(List.of(Record.of(TestLogs.bytes("later"))));
            assertThat(later).isCompletedExceptionally();
            assertThatThrownBy(later::join).hasCauseInstanceOf(LogFailedException.class)
                    .cause().hasMessageContaining(fault == WriteFault.DISK_FULL ? "disk is full" : "I/O error");
            assertThat(valuesOf(readAll(log))).hasSize(20).endsWith("ok19");

            assertThat(log.recover()).isFalse();
            assertThat(log.status().state()).isEqualTo(LogStatus.State.FAILED);
            faults.heal();
            assertThat(log.recover()).isTrue();
            assertThat(log.status().state()).isEqualTo(LogStatus.State.OPEN);
            assertThat(valuesOf(readAll(log))).hasSize(20).endsWith("ok19");
            assertThat(append(log, "again").baseOffset()).isEqualTo(20);
        }
        try (Log log = open(TestLogs.small().build())) {
            assertThat(valuesOf(readAll(log))).hasSize(21).endsWith("ok19", "again");
        }
    }

    @Test
    void aDiskTooFullForThePreallocationStillTakesTheDataThatFits() throws Exception {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).build(); // preallocates
        int stored = 0;
        try (Log log = open(config)) {
            // Files past 16 KiB cannot grow (the indexes were sized on open): not even 64 KiB of zeros fit.
            faults.fillDiskAt(16 * 1024);
            while (stored < 1_000) {
                try {
                    append(log, "v" + stored + "-" + "x".repeat(100));
                } catch (RuntimeException e) {
                    break;
                }
                stored++;
            }
            assertThat(stored).as("appends of about 170 bytes each into 16 KiB").isGreaterThan(80);
            assertThat(log.status().diskFull()).as("the data itself filled the disk").isTrue();
            faults.heal();
            assertThat(log.recover()).isTrue();
            assertThat(append(log, "after").baseOffset()).isEqualTo(stored);
            assertThat(Files.size(dir.resolve(SegmentFiles.name(0) + SegmentFiles.LOG)))
                    .as("zeros ahead of the data again").isGreaterThanOrEqualTo(64 * 1024);
        }
        try (Log log = open(config)) {
            assertThat(readAll(log)).hasSize(stored + 1);
        }
    }

    @Test
    void fsyncFailureFailsTheAppendAndKeepsAcknowledgedRecords() {
        try (Log log = open(TestLogs.small().build())) {
            append(log, "durable");
            faults.failForce(true);
            assertThatThrownBy(() -> append(log, "not durable")).hasCauseInstanceOf(LogFailedException.class);
            assertThat(log.highWatermark()).isEqualTo(1);
            assertThat(valuesOf(readAll(log))).containsExactly("durable");
            faults.heal();
            assertThat(log.recover()).isTrue();
            assertThat(log.highWatermark()).isEqualTo(1);
            assertThat(append(log, "next").baseOffset()).isEqualTo(1);
        }
    }

    @Test
    void asyncModeFailureAlsoStopsAppends() {
        try (Log log = open(TestLogs.small().durability(DurabilityMode.ASYNC).build())) {
            append(log, "a");
            faults.failWrites(WriteFault.IO_ERROR, 0);
            assertThatThrownBy(() -> append(log, "b")).hasCauseInstanceOf(LogFailedException.class);
            faults.heal();
            assertThat(log.recover()).isTrue();
            assertThat(valuesOf(readAll(log))).containsExactly("a");
        }
    }

    @Test
    void noAcknowledgedRecordIsLostWhenConcurrentAppendersHitAFault() throws Exception {
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(4);
        try (Log log = open(TestLogs.small().durability(DurabilityMode.GROUP).build())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    for (int i = 0; !stop.get(); i++) {
                        String v = "t" + id + "-" + i;
                        try {
                            AppendResult r = log.append(List.of(Record.of(TestLogs.bytes(v)))).join();
                            acknowledged.put(r.baseOffset(), v);
                        } catch (RuntimeException e) {
                            assertThat(e.getCause()).isInstanceOfAny(LogFailedException.class, LogOverloadedException.class);
                        }
                    }
                }));
            }
            started.await();
            while (acknowledged.size() < 200) {
                Thread.onSpinWait();
            }
            faults.failWrites(WriteFault.SHORT_WRITE, 3);
            while (log.status().state() == LogStatus.State.OPEN) {
                Thread.onSpinWait();
            }
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            faults.heal();
            assertThat(log.recover()).isTrue();
            List<StoredRecord> all = readAll(log);
            for (StoredRecord r : all) {
                if (acknowledged.containsKey(r.offset())) {
                    assertThat(string(r.value())).isEqualTo(acknowledged.get(r.offset()));
                }
            }
            assertThat(all.stream().map(StoredRecord::offset).toList()).containsAll(acknowledged.keySet());
            assertThat(log.highWatermark()).isEqualTo(acknowledged.keySet().stream().mapToLong(o -> o).max().orElse(-1) + 1);
        }
    }
}
