package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.START_MS;
import static io.ratatoskr.log.TestLogs.append;
import static io.ratatoskr.log.TestLogs.bytes;
import static io.ratatoskr.log.TestLogs.readAll;
import static io.ratatoskr.log.TestLogs.valuesOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ratatoskr.log.format.BatchFormat;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.log.segment.SegmentScanner;
import io.ratatoskr.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class LogTest {

    @TempDir Path dir;
    final ManualClock clock = new ManualClock(START_MS);

    @ParameterizedTest
    @EnumSource(DurabilityMode.class)
    void appendsGetConsecutiveOffsetsAndReadBack(DurabilityMode mode) {
        try (Log log = TestLogs.open(dir, TestLogs.small().durability(mode).build(), clock)) {
            AppendResult first = append(log, TestLogs.values("a", 3));
            AppendResult second = append(log, TestLogs.values("b", 2));
            assertThat(first.baseOffset()).isZero();
            assertThat(first.lastOffset()).isEqualTo(2);
            assertThat(second.baseOffset()).isEqualTo(3);
            assertThat(second.lastOffset()).isEqualTo(4);
            assertThat(log.highWatermark()).isEqualTo(5);
            assertThat(log.logEndOffset()).isEqualTo(5);
            assertThat(valuesOf(readAll(log))).containsExactly("a0", "a1", "a2", "b0", "b1");
            ReadResult fromMiddle = log.read(1, 1 << 20, 2);
            assertThat(valuesOf(fromMiddle.records())).containsExactly("a1", "a2");
            assertThat(fromMiddle.nextOffset()).isEqualTo(3);
        }
    }

    @Test
    void manyConcurrentAppendersShareFsyncsAndLoseNothing() throws Exception {
        LogConfig config = LogConfig.builder().durability(DurabilityMode.GROUP).groupCommitMaxDelayMs(5).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 200; i++) {
                        append(log, "t" + id + "-" + i);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(log.highWatermark()).isEqualTo(1600);
            assertThat(log.stats().fsyncs()).isLessThan(1600);
            List<String> values = valuesOf(readAll(log));
            for (int t = 0; t < 8; t++) {
                int id = t;
                List<String> mine = values.stream().filter(v -> v.startsWith("t" + id + "-")).toList();
                assertThat(mine).containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "t" + id + "-" + i).toList());
            }
        }
    }

    @Test
    void segmentsRollBySizeAndAreNamedByBaseOffset() throws Exception {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            for (int i = 0; i < 100; i++) {
                append(log, List.of(Record.of(new byte[200])));
            }
            assertThat(log.stats().segments()).isGreaterThan(4);
            assertThat(readAll(log)).hasSize(100);
        }
        try (var files = Files.list(dir)) {
            List<String> logs = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted().toList();
            assertThat(logs.get(0)).isEqualTo("00000000000000000000.log");
            assertThat(logs).allMatch(n -> n.matches("\\d{20}\\.log"));
        }
    }

    @Test
    void segmentsRollByAge() {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).segmentAgeMsMax(1000).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            append(log, "a");
            append(log, "b");
            assertThat(log.stats().segments()).isEqualTo(1);
            clock.advanceMs(1000);
            append(log, "c");
            assertThat(log.stats().segments()).isEqualTo(2);
            assertThat(valuesOf(readAll(log))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void cleanReopenKeepsEverythingAndContinuesOffsets() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            for (int i = 0; i < 50; i++) {
                append(log, "v" + i);
            }
        }
        assertThat(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN)).exists();
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            assertThat(dir.resolve(SegmentFiles.CLEAN_SHUTDOWN)).doesNotExist();
            assertThat(log.highWatermark()).isEqualTo(50);
            assertThat(append(log, "next").baseOffset()).isEqualTo(50);
            assertThat(valuesOf(readAll(log))).hasSize(51).startsWith("v0").endsWith("next");
        }
    }

    @Test
    void readByTimestampFindsTheFirstRecordAtOrAfterIt() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            for (int i = 0; i < 100; i++) {
                append(log, null, "v" + i, START_MS + i * 10L);
            }
            assertThat(log.offsetForTimestamp(START_MS - 5)).isZero();
            assertThat(log.offsetForTimestamp(START_MS + 10)).isEqualTo(1);
            assertThat(log.offsetForTimestamp(START_MS + 505)).isEqualTo(51);
            assertThat(log.offsetForTimestamp(START_MS + 990)).isEqualTo(99);
            assertThat(log.offsetForTimestamp(START_MS + 5000)).isEqualTo(100);
        }
    }

    @Test
    void readRespectsMaxBytesButReturnsAtLeastOneBatch() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            for (int i = 0; i < 10; i++) {
                append(log, List.of(Record.of(new byte[100])));
            }
            assertThat(log.read(0, 1, 100).records()).hasSize(1);
            assertThat(log.read(0, 400, 100).records()).hasSize(2);
            assertThat(log.read(10, 400, 100).records()).isEmpty();
            assertThatThrownBy(() -> log.read(11, 400, 100)).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void readsFromAnyOffsetWithAnyBudgetReturnTheLogsRecordsInOrder() {
        long seed = System.nanoTime();
        System.out.println("LogTest.readsFromAnyOffsetWithAnyBudgetReturnTheLogsRecordsInOrder seed " + seed);
        Random random = new Random(seed);
        LogConfig config = LogConfig.builder().segmentBytesMax(1 << 20).indexIntervalBytes(4096)
                .maxBatchBytes(512 * 1024).durability(DurabilityMode.ASYNC).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            for (int b = 0; b < 60; b++) {
                boolean big = random.nextInt(8) == 0; // batches beyond the read buffer's first 64 KiB
                int count = 1 + random.nextInt(big ? 150 : 8);
                List<Record> records = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    byte[] value = new byte[big ? 1000 + random.nextInt(2000) : random.nextInt(300)];
                    random.nextBytes(value);
                    records.add(Record.of(value));
                }
                append(log, records);
            }
            List<StoredRecord> all = readAll(log);
            ReadBuffer buffer = new ReadBuffer();
            for (int i = 0; i < 400; i++) {
                long offset = random.nextLong(log.highWatermark());
                int maxBytes = random.nextBoolean() ? 1 + random.nextInt(2_000) : 1 + random.nextInt(600_000);
                int maxRecords = 1 + random.nextInt(random.nextBoolean() ? 10 : 2_000);
                String what = "seed " + seed + ": read(" + offset + ", " + maxBytes + ", " + maxRecords + ")";
                ReadResult copied = log.read(offset, maxBytes, maxRecords);
                int n = copied.records().size();
                assertThat(n).as(what).isBetween(1, maxRecords);
                assertThat(copied.records()).as(what).isEqualTo(all.subList((int) offset, (int) offset + n));
                assertThat(copied.nextOffset()).as(what).isEqualTo(offset + n);
                List<StoredRecord> seen = new ArrayList<>();
                ReadProgress p = log.read(offset, maxBytes, maxRecords, true, buffer, v -> seen.add(v.toStoredRecord()));
                assertThat(seen).as(what).isEqualTo(copied.records());
                assertThat(p.nextOffset()).as(what).isEqualTo(copied.nextOffset());
            }
        }
    }

    @Test
    void aBatchHeaderDamagedOnDiskEndsAReadBeforeIt() throws Exception {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            append(log, "a");
            append(log, "b");
            append(log, "c");
            Path file;
            try (var files = Files.list(dir)) {
                file = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                SegmentScanner scanner = new SegmentScanner(ch, 0, ch.size(), ByteBuffer.allocate(4096));
                for (int i = 0; i < 3; i++) {
                    assertThat(scanner.next()).isTrue();
                }
                ch.write(ByteBuffer.wrap(new byte[] {99}), scanner.position() + BatchFormat.MAGIC_OFFSET);
            }
            ReadResult r = log.read(0, 1 << 20, 100);
            assertThat(valuesOf(r.records())).containsExactly("a", "b");
            assertThat(r.nextOffset()).isEqualTo(2);
        }
    }

    @Test
    void expiredRecordsAreNotReturnedWhenTheLogHasATtl() {
        try (Log log = TestLogs.open(dir, TestLogs.small().messageTtlMs(1000).build(), clock)) {
            append(log, null, "old", START_MS - 2000);
            append(log, null, "fresh", START_MS);
            assertThat(valuesOf(log.read(0, 1 << 20, 10).records())).containsExactly("fresh");
            clock.advanceMs(1001);
            ReadResult later = log.read(0, 1 << 20, 10);
            assertThat(later.records()).isEmpty();
            assertThat(later.nextOffset()).isEqualTo(2);
        }
    }

    @Test
    void truncateInsideABatchKeepsItsEarlierRecords() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            for (int i = 0; i < 30; i++) {
                append(log, TestLogs.values("r" + i + "-", 5));
            }
            log.truncateTo(72);
            assertThat(log.highWatermark()).isEqualTo(72);
            assertThat(log.logEndOffset()).isEqualTo(72);
            List<StoredRecord> all = readAll(log);
            assertThat(all).hasSize(72);
            assertThat(valuesOf(all).get(71)).isEqualTo("r14-1");
            assertThat(append(log, "after").baseOffset()).isEqualTo(72);
        }
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            assertThat(readAll(log)).hasSize(73);
        }
    }

    @Test
    void truncateBelowTheStartEmptiesTheLogAndStartsThere() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            append(log, TestLogs.values("x", 10));
            log.truncateTo(0);
            assertThat(log.highWatermark()).isZero();
            assertThat(readAll(log)).isEmpty();
            assertThat(append(log, "y").baseOffset()).isZero();
        }
    }

    @Test
    void queueFullFailsFastWithOverloaded() throws Exception {
        LogConfig config = LogConfig.builder().maxPendingAppends(1).maxPendingBytes(1 << 20).maxBatchBytes(1 << 20).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                futures.add(log.append(List.of(Record.of(new byte[10]))));
            }
            long overloaded = futures.stream().filter(f -> {
                try {
                    f.join();
                    return false;
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(LogOverloadedException.class);
                    return true;
                }
            }).count();
            assertThat(overloaded).isPositive();
            assertThat(log.stats().rejectedOverloaded()).isEqualTo(overloaded);
        }
    }

    @Test
    void compactedLogRefusesKeylessRecords() {
        try (Log log = TestLogs.open(dir, TestLogs.small().cleanupPolicy(CleanupPolicy.COMPACT).build(), clock)) {
            assertThatThrownBy(() -> append(log, "no key"))
                    .hasCauseInstanceOf(InvalidRecordException.class);
        }
    }

    @Test
    void tooLargeBatchIsRefused() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            assertThatThrownBy(() -> append(log, List.of(Record.of(new byte[5000]))))
                    .hasCauseInstanceOf(InvalidRecordException.class);
        }
    }

    @Test
    void closedLogRefusesAppendsAndReads() {
        Log log = TestLogs.open(dir, TestLogs.small().build(), clock);
        log.close();
        log.close();
        assertThat(log.status().state()).isEqualTo(LogStatus.State.CLOSED);
        assertThatThrownBy(() -> append(log, "x")).hasCauseInstanceOf(LogClosedException.class);
        assertThatThrownBy(() -> log.read(0, 100, 1)).isInstanceOf(LogClosedException.class);
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefused() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            assertThatThrownBy(() -> TestLogs.open(dir, TestLogs.small().build(), clock))
                    .isInstanceOf(LogException.class)
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void regionTransfersTheStoredBatchesZeroCopy() throws Exception {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            append(log, TestLogs.values("z", 3));
            append(log, TestLogs.values("y", 3));
            FileRegion region = log.readRegion(4, 1 << 20).orElseThrow();
            assertThat(region.firstOffset()).isEqualTo(3);
            assertThat(region.nextOffset()).isEqualTo(6);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(region.transferTo(Channels.newChannel(out))).isEqualTo(region.size());
            var batch = io.ratatoskr.log.format.RecordBatch.wrap(java.nio.ByteBuffer.wrap(out.toByteArray()));
            assertThat(valuesOf(batch.records())).containsExactly("y0", "y1", "y2");
        }
    }

    @Test
    void compressedBatchesReadBack() {
        for (CompressionCodec codec : CompressionCodec.values()) {
            Path sub = dir.resolve(codec.name());
            try (Log log = TestLogs.open(sub, TestLogs.small().compression(codec).build(), clock)) {
                append(log, TestLogs.values("c", 20));
                assertThat(valuesOf(readAll(log))).hasSize(20).startsWith("c0").endsWith("c19");
            }
            try (Log log = TestLogs.open(sub, TestLogs.small().compression(codec).build(), clock)) {
                assertThat(readAll(log)).hasSize(20);
            }
        }
    }

    @Test
    void deleteRemovesTheDirectory() {
        Log log = TestLogs.open(dir.resolve("gone"), TestLogs.small().build(), clock);
        append(log, "x");
        log.delete();
        assertThat(dir.resolve("gone")).doesNotExist();
    }

    @Test
    void configRejectsNonsense() {
        assertThatThrownBy(() -> LogConfig.builder().segmentBytesMax(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogConfig.builder().retentionMaxBytes(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogConfig.builder().minCleanableDirtyRatio(2).build()).isInstanceOf(IllegalArgumentException.class);
        assertThat(LogConfig.defaults().toBuilder().build()).isEqualTo(LogConfig.defaults());
        assertThat(bytes("x")).hasSize(1);
    }

    @Test
    void groupModeDoesNotDelayALoneAppender() {
        LogConfig config = TestLogs.small().durability(DurabilityMode.GROUP).groupCommitMaxDelayMs(10_000).build();
        try (Log log = TestLogs.open(dir, config, clock)) {
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                append(log, "v" + i);
            }
            // Twenty appends, each of which could linger 10 s if the writer waited for company.
            assertThat(System.nanoTime() - started).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(5));
            assertThat(log.stats().fsyncs()).isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void recoverOnAnOpenLogIsANoOp() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            append(log, "x");
            assertThat(log.recover()).isTrue();
            assertThat(log.status()).isEqualTo(LogStatus.OPEN);
            assertThat(valuesOf(readAll(log))).containsExactly("x");
        }
    }

    @Test
    void headersAndIdempotencyKeysAreStored() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            Record r = Record.of(bytes("k"), bytes("v"))
                    .withHeaders(List.of(new Header("content-type", bytes("text/plain")), new Header("empty", null)))
                    .withIdempotencyKey(bytes("publisher-1:42"))
                    .withTimestamp(START_MS - 5);
            append(log, List.of(r));
            StoredRecord stored = log.read(0, 1 << 20, 1).records().get(0);
            assertThat(stored.toRecord()).isEqualTo(r);
        }
    }

    @Test
    void aValueGivenInTwoPartsIsStoredAndReadBackWhole() {
        try (Log log = TestLogs.open(dir, TestLogs.small().build(), clock)) {
            Record twoParts = new Record(bytes("k"), bytes("payload"), List.of(new Header("h", bytes("1"))),
                    START_MS, null, bytes("head:"));
            append(log, List.of(twoParts, Record.of(bytes("plain"))));
            List<StoredRecord> stored = log.read(0, 1 << 20, 10).records();
            assertThat(TestLogs.string(stored.get(0).value())).isEqualTo("head:payload");
            assertThat(stored.get(0).toRecord()).isEqualTo(twoParts);
            assertThat(TestLogs.string(stored.get(1).value())).isEqualTo("plain");
        }
        assertThatThrownBy(() -> new Record(bytes("k"), null, List.of(), START_MS, null, bytes("head")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aVisitingReadWithAReusedBufferSeesWhatACopyingReadReturns() {
        for (CompressionCodec codec : CompressionCodec.values()) {
            // small segments: reads cross segment boundaries, and the buffer is reused from one to the next
            try (Log log = TestLogs.open(dir.resolve(codec.name()), TestLogs.small().compression(codec).build(), clock)) {
                for (int batch = 0; batch < 40; batch++) {
                    List<Record> records = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        records.add(Record.of(bytes("k" + batch), bytes("v" + batch + "-" + i + "-" + "x".repeat(batch * 7)))
                                .withHeaders(i == 0 ? List.of(new Header("n", bytes("" + batch))) : List.of())
                                .withIdempotencyKey(i == 1 ? bytes("id" + batch) : null));
                    }
                    append(log, records);
                }
                ReadBuffer buffer = new ReadBuffer();
                long offset = 0;
                List<StoredRecord> visited = new ArrayList<>();
                while (offset < log.highWatermark()) {
                    ReadResult copied = log.read(offset, 700, 7);
                    List<StoredRecord> seen = new ArrayList<>();
                    ReadProgress p = log.read(offset, 700, 7, true, buffer, v -> seen.add(v.toStoredRecord()));
                    assertThat(seen).as(codec + " at " + offset).isEqualTo(copied.records());
                    assertThat(p.records()).isEqualTo(seen.size());
                    assertThat(p.nextOffset()).isEqualTo(copied.nextOffset());
                    assertThat(p.highWatermark()).isEqualTo(copied.highWatermark());
                    visited.addAll(seen);
                    offset = p.nextOffset();
                }
                assertThat(visited).isEqualTo(readAll(log));
                assertThat(visited).hasSize(200);
            }
        }
    }
}
