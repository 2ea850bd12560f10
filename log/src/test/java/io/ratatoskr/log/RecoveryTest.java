package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.START_MS;
import static io.ratatoskr.log.TestLogs.append;
import static io.ratatoskr.log.TestLogs.readAll;
import static io.ratatoskr.log.TestLogs.valuesOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.log.segment.LogSegment;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.log.segment.SegmentScanner;
import io.ratatoskr.testkit.ManualClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery after unclean stops: simulated by copying a live log directory before close. */
class RecoveryTest {

    @TempDir Path root;
    final ManualClock clock = new ManualClock(START_MS);

    /** Copies the files of an open log, as a crash would leave them (the data was fsync'd). */
    private Path crashCopy(Path dir) throws IOException {
        Path copy = root.resolve("crashed-" + System.nanoTime());
        Files.createDirectories(copy);
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().equals(SegmentFiles.LOCK)) {
                    Files.copy(p, copy.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return copy;
    }

    private Path logWith(int batches, LogConfig config) throws IOException {
        Path dir = root.resolve("log-" + System.nanoTime());
        Log log = TestLogs.open(dir, config, clock);
        for (int i = 0; i < batches; i++) {
            append(log, TestLogs.values("b" + i + "-", 3));
        }
        Path copy = crashCopy(dir);
        log.close();
        return copy;
    }

    private static Path activeSegment(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(SegmentFiles.LOG)).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void uncleanRestartKeepsEveryFsyncdRecord() throws Exception {
        Path crashed = logWith(40, TestLogs.small().build());
        assertThat(crashed.resolve(SegmentFiles.CLEAN_SHUTDOWN)).doesNotExist();
        try (Log log = TestLogs.open(crashed, TestLogs.small().build(), clock)) {
            assertThat(log.highWatermark()).isEqualTo(120);
            assertThat(readAll(log)).hasSize(120);
            assertThat(append(log, "more").baseOffset()).isEqualTo(120);
        }
    }

    @Test
    void recoveryTruncatesTornTail() throws Exception {
        LogConfig growing = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).preallocateBytes(0).build();
        Path crashed = logWith(10, growing);
        Path segment = activeSegment(crashed);
        long size = Files.size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(size - 7);
        }
        try (Log log = TestLogs.open(crashed, growing, clock)) {
            assertThat(log.highWatermark()).isEqualTo(27);
            assertThat(valuesOf(readAll(log))).endsWith("b8-2");
        }
    }

    @Test
    void recoveryCutsGarbageAfterTheLastBatch() throws Exception {
        LogConfig growing = TestLogs.small().preallocateBytes(0).build();
        Path crashed = logWith(5, growing);
        Path segment = activeSegment(crashed);
        long size = Files.size(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(size);
            f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
            f.seek(size + 100);
            f.write(new byte[4000]);
        }
        try (Log log = TestLogs.open(crashed, growing, clock)) {
            assertThat(log.highWatermark()).isEqualTo(15);
            assertThat(Files.size(segment)).isEqualTo(size);
        }
    }

    @Test
    void aCrashLeavesPreallocatedZerosThatRecoveryCutsWithoutLosingOrReportingAnything() throws Exception {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).build();
        Path reference = logWith(10, config.toBuilder().preallocateBytes(0).build());
        long dataEnd = Files.size(activeSegment(reference));
        Path crashed = logWith(10, config);
        Path segment = activeSegment(crashed);
        assertThat(Files.size(segment)).as("zeros written ahead of %d bytes of data", dataEnd)
                .isGreaterThanOrEqualTo(dataEnd + 64 * 1024);

        LogSegment.RecoveryOutcome outcome = recoverSegment(crashed);
        assertThat(outcome.validBytes()).isEqualTo((int) dataEnd);
        assertThat(outcome.truncatedBytes()).as("zeros are not damage").isZero();
        assertThat(outcome.reason()).isNull();
        assertThat(Files.readAllBytes(segment)).as("the data, byte for byte, as a growing file holds it")
                .isEqualTo(Files.readAllBytes(activeSegment(reference)));

        try (Log log = TestLogs.open(crashed, config, clock)) {
            assertThat(log.highWatermark()).isEqualTo(30);
            assertThat(valuesOf(readAll(log))).startsWith("b0-0").endsWith("b9-2");
            assertThat(append(log, "more").baseOffset()).isEqualTo(30);
        }
    }

    @Test
    void aTornBatchInPreallocatedSpaceIsCutAndReported() throws Exception {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).build();
        long dataEnd = Files.size(activeSegment(logWith(10, config.toBuilder().preallocateBytes(0).build())));
        Path crashed = logWith(10, config);
        Path segment = activeSegment(crashed);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(dataEnd); // the start of a batch whose first bytes reached the disk, the rest not
            f.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 30, 0, 0, 0, 90, 1, 2, 3});
        }
        LogSegment.RecoveryOutcome outcome = recoverSegment(crashed);
        assertThat(outcome.validBytes()).isEqualTo((int) dataEnd);
        assertThat(outcome.truncatedBytes()).as("the torn batch's bytes, not the zeros after them").isEqualTo(15);
        assertThat(outcome.reason()).isNotNull();
        assertThat(Files.size(segment)).isEqualTo(dataEnd);
        try (Log log = TestLogs.open(crashed, config, clock)) {
            assertThat(log.highWatermark()).isEqualTo(30);
        }
    }

    @Test
    void sealedSegmentsAndACleanCloseLeaveFilesTheSizeOfTheirData() throws Exception {
        LogConfig config = TestLogs.small().segmentBytesMax(96 * 1024).maxBatchBytes(4096).build();
        Path dir = root.resolve("preallocated");
        Path reference = root.resolve("growing");
        List<Long> whileOpen = segmentFileSizesAfter(dir, config);
        List<Long> growingWhileOpen = segmentFileSizesAfter(reference, config.toBuilder().preallocateBytes(0).build());

        assertThat(whileOpen).as("rolled twice").hasSizeGreaterThanOrEqualTo(3).hasSameSizeAs(growingWhileOpen);
        int last = whileOpen.size() - 1;
        assertThat(whileOpen.subList(0, last)).as("sealed segments hold their data alone")
                .isEqualTo(growingWhileOpen.subList(0, last));
        assertThat(whileOpen.get(last)).as("zeros ahead of the active segment's data")
                .isGreaterThan(growingWhileOpen.get(last));
        assertThat(segmentFileSizes(dir)).as("a clean close cut the zeros").isEqualTo(segmentFileSizes(reference));
        try (Log log = TestLogs.open(dir, config, clock)) {
            assertThat(readAll(log)).hasSize(1200);
        }
    }

    /** Appends the same 400 batches to a log in {@code dir}; the sizes of its segment files before it closes. */
    private List<Long> segmentFileSizesAfter(Path dir, LogConfig config) throws IOException {
        try (Log log = TestLogs.open(dir, config, clock)) {
            for (int i = 0; i < 400; i++) {
                append(log, TestLogs.values("r" + i + "-" + "x".repeat(200), 3));
            }
            return segmentFileSizes(dir);
        }
    }

    private static List<Long> segmentFileSizes(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            List<Long> sizes = new java.util.ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(SegmentFiles.LOG)).sorted().toList()) {
                sizes.add(Files.size(p));
            }
            return sizes;
        }
    }

    @Test
    void zerosAtTheEndOfASealedSegmentAreLostDataAndEndTheLogThere() throws Exception {
        LogConfig config = TestLogs.small().build();
        Path crashed = logWith(60, config);
        Path first = crashed.resolve(SegmentFiles.name(0) + SegmentFiles.LOG);
        long lastBatchPosition;
        long lastBatchBase;
        LogSegment segment = LogSegment.open(crashed, 0, 256, 1024, ChannelFactory.DEFAULT);
        try {
            SegmentScanner scanner = segment.scanner(0, Files.size(first), ByteBuffer.allocate(64 * 1024));
            lastBatchPosition = -1;
            lastBatchBase = -1;
            while (scanner.next()) {
                lastBatchPosition = scanner.position();
                lastBatchBase = scanner.baseOffset();
            }
        } finally {
            segment.close();
        }
        assertThat(lastBatchBase).as("segment 0 holds several batches").isPositive();
        // A sealed segment was cut back to its data, so zeros at its end are fsync'd data the disk lost.
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(lastBatchPosition);
            f.write(new byte[(int) (f.length() - lastBatchPosition)]);
        }
        Files.deleteIfExists(crashed.resolve(SegmentFiles.RECOVERY_POINT));
        try (Log log = TestLogs.open(crashed, config, clock)) {
            assertThat(log.highWatermark()).as("the log ends where the loss begins, with no gap").isEqualTo(lastBatchBase);
            assertThat(log.stats().segments()).as("the segments after the loss are deleted").isEqualTo(1);
            assertThat(readAll(log)).hasSize((int) lastBatchBase);
        }
    }

    @Test
    void batchesLargerThanTheWriteBufferGoIntoPreallocatedSpaceAndSurviveACrash() throws Exception {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(64 * 1024).writeBufferBytes(4096)
                .build();
        Path dir = root.resolve("large");
        Log log = TestLogs.open(dir, config, clock);
        for (int i = 0; i < 20; i++) {
            append(log, TestLogs.values("big" + i + "-" + "y".repeat(3000), 4)); // about 12 KiB a batch
        }
        Path crashed = crashCopy(dir);
        log.close();
        assertThat(Files.size(activeSegment(crashed))).as("zeros ahead of the data").isGreaterThan(20L * 12_000);
        LogSegment.RecoveryOutcome outcome = recoverSegment(crashed);
        assertThat(outcome.truncatedBytes()).isZero();
        try (Log reopened = TestLogs.open(crashed, config, clock)) {
            assertThat(reopened.highWatermark()).isEqualTo(80);
            assertThat(valuesOf(readAll(reopened))).endsWith("big19-" + "y".repeat(3000) + "3");
        }
    }

    /** Opens the newest segment of {@code dir} by itself and recovers it. */
    private LogSegment.RecoveryOutcome recoverSegment(Path dir) throws IOException {
        Path file = activeSegment(dir);
        long base = SegmentFiles.baseOffsetOf(file.getFileName().toString(), SegmentFiles.LOG).orElseThrow();
        LogSegment segment = LogSegment.open(dir, base, 256, 1024, ChannelFactory.DEFAULT);
        try {
            return segment.recover(ByteBuffer.allocate(64 * 1024), true);
        } finally {
            segment.close();
        }
    }

    @Test
    void recoveryStopsAtACorruptCrcAndDropsLaterSegments() throws Exception {
        LogConfig config = TestLogs.small().build();
        Path crashed = logWith(200, config);
        Path first = crashed.resolve(SegmentFiles.name(0) + SegmentFiles.LOG);
        try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
            f.seek(500);
            int b = f.read();
            f.seek(500);
            f.write(b ^ 0x40);
        }
        Files.deleteIfExists(crashed.resolve(SegmentFiles.RECOVERY_POINT));
        try (Log log = TestLogs.open(crashed, config, clock)) {
            long end = log.highWatermark();
            assertThat(end).isLessThan(30).isGreaterThan(0);
            assertThat(log.stats().segments()).isEqualTo(1);
            List<StoredRecord> all = readAll(log);
            assertThat(all).hasSize((int) end);
            assertThat(append(log, "x").baseOffset()).isEqualTo(end);
        }
    }

    @Test
    void missingOrCorruptIndexesAreRebuilt() throws Exception {
        LogConfig config = TestLogs.small().build();
        Path dir = root.resolve("log");
        try (Log log = TestLogs.open(dir, config, clock)) {
            for (int i = 0; i < 100; i++) {
                append(log, null, "v" + i, START_MS + i);
            }
        }
        Files.delete(dir.resolve(SegmentFiles.name(0) + SegmentFiles.INDEX));
        Path timeIndex = dir.resolve(SegmentFiles.name(0) + SegmentFiles.TIME_INDEX);
        Files.write(timeIndex, new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        try (Log log = TestLogs.open(dir, config, clock)) {
            assertThat(readAll(log)).hasSize(100);
            assertThat(log.offsetForTimestamp(START_MS + 3)).isEqualTo(3);
            assertThat(log.read(40, 1, 1).records().get(0).offset()).isEqualTo(40);
        }
    }

    @Test
    void cleanShutdownMarkerSkipsTheScan() throws Exception {
        LogConfig config = TestLogs.small().segmentBytesMax(1 << 20).maxBatchBytes(4096).build();
        Path dir = root.resolve("log");
        try (Log log = TestLogs.open(dir, config, clock)) {
            for (int i = 0; i < 100; i++) {
                append(log, "v" + i);
            }
        }
        // A corrupt byte early in the segment goes unnoticed on a clean start: only the tail is read.
        Path segment = dir.resolve(SegmentFiles.name(0) + SegmentFiles.LOG);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(30);
            f.write(0x7F);
        }
        try (Log log = TestLogs.open(dir, config, clock)) {
            assertThat(log.highWatermark()).isEqualTo(100);
        }
    }

    @Test
    void interruptedCompactionSwapIsFinishedOnLoad() throws Exception {
        LogConfig config = TestLogs.small().build();
        Path dir = root.resolve("log");
        try (Log log = TestLogs.open(dir, config, clock)) {
            for (int i = 0; i < 60; i++) {
                append(log, List.of(Record.of(new byte[100])));
            }
            assertThat(log.stats().segments()).isGreaterThan(2);
        }
        // Fake a committed swap of segment 0 that holds only its first batch but claims its range.
        Path seg0 = dir.resolve(SegmentFiles.name(0) + SegmentFiles.LOG);
        Path swap = dir.resolve(SegmentFiles.name(0) + SegmentFiles.LOG + SegmentFiles.SWAP);
        Files.copy(seg0, swap);
        Files.writeString(dir.resolve(SegmentFiles.name(0) + SegmentFiles.LOG + SegmentFiles.CLEANED), "junk");
        try (Log log = TestLogs.open(dir, config, clock)) {
            assertThat(swap).doesNotExist();
            assertThat(readAll(log)).hasSize(60);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(Path::toString)).noneMatch(n -> n.endsWith(SegmentFiles.CLEANED) || n.endsWith(SegmentFiles.SWAP));
        }
    }
}
