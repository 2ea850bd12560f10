package io.ratatoskr.log;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ratatoskr.log.format.BatchFormat;
import io.ratatoskr.log.format.RecordBatch;
import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.testkit.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the record-batch reader and of recovery (Jazzer). Without {@code JAZZER_FUZZ=1}
 * each method runs only its inputs under
 * {@code src/test/resources/io/ratatoskr/log/LogRecoveryFuzzTestInputs/<method>/}; with it, the fuzzer
 * mutates them (docs/security.md, "Fuzzing").
 *
 * <p>Contracts: decoding a batch fails only with {@link CorruptRecordException}; a log whose segment file is
 * arbitrary bytes opens (recovery cuts what does not check out) or fails with a {@link LogException}, and
 * every record read from it afterwards comes from a batch whose CRC matched (a read meets records that do
 * not decode behind a valid CRC only as a {@link CorruptRecordException}).
 */
class LogRecoveryFuzzTest {
    private static final long START_MS = 1_700_000_000_000L;

    /** The batch decoder, given any bytes, with the CRC fixed up when asked so that the records are reached. */
    @FuzzTest
    void batchDecoderThrowsOnlyCorruptRecord(FuzzedDataProvider data) {
        boolean fixCrc = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        if (fixCrc && bytes.length >= BatchFormat.HEADER_SIZE) {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
            int end = (int) Math.min(bytes.length,
                    Math.max(BatchFormat.HEADER_SIZE,
                            BatchFormat.LOG_OVERHEAD + (long) buf.getInt(BatchFormat.LENGTH_OFFSET)));
            buf.putInt(BatchFormat.CRC_OFFSET, BatchFormat.crc32c(buf, BatchFormat.CRC_START, end));
        }
        try {
            RecordBatch batch = RecordBatch.wrap(ByteBuffer.wrap(bytes));
            List<StoredRecord> records = batch.records();
            assertThat(batch.isCrcValid()).isTrue();
            assertThat(records).hasSizeLessThanOrEqualTo(batch.recordCount());
        } catch (CorruptRecordException expected) {
            // the only way to refuse a batch
        }
    }

    /**
     * Arbitrary bytes as the only segment of an uncleanly shut down log: recover, then read what is left.
     * With the CRCs fixed up (on request), the fuzzer gets past the checksum to the framing, offset
     * continuity and record checks behind it.
     */
    @FuzzTest
    void recoveryOfAnySegmentKeepsOnlyCrcValidRecords(FuzzedDataProvider data) throws IOException {
        boolean fixCrcs = data.consumeBoolean();
        byte[] segment = data.consumeRemainingAsBytes();
        if (fixCrcs) {
            fixCrcs(segment);
        }
        Path dir = Files.createTempDirectory("log-fuzz");
        try {
            Files.write(SegmentFiles.logFile(dir, 0), segment);
            Log log;
            try {
                log = Log.open(dir, TestLogs.small().durability(DurabilityMode.GROUP).build(),
                        LogEnvironment.system().withClock(new ManualClock(START_MS)));
            } catch (LogException refused) {
                return;
            }
            try (log) {
                List<StoredRecord> read = readAll(log);
                // Recovery does not check the offsets of records inside a CRC-valid batch (docs/security.md,
                // "Fuzzing"): in order only when the CRCs are the input's own.
                for (int i = 1; i < read.size() && !fixCrcs; i++) {
                    assertThat(read.get(i).offset()).isGreaterThan(read.get(i - 1).offset());
                }
                // Still a working log: an append after recovery lands after what was kept.
                long end = log.logEndOffset();
                AppendResult appended = log.append(List.of(Record.of(new byte[] {1}))).join();
                assertThat(appended.baseOffset()).isEqualTo(end);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** Recomputes the CRC of each batch frame laid end to end from the start, as far as the lengths fit. */
    private static void fixCrcs(byte[] segment) {
        ByteBuffer buf = ByteBuffer.wrap(segment);
        int at = 0;
        while (segment.length - at >= BatchFormat.HEADER_SIZE) {
            long size = BatchFormat.LOG_OVERHEAD + (long) buf.getInt(at + BatchFormat.LENGTH_OFFSET);
            if (size < BatchFormat.HEADER_SIZE || size > segment.length - at) {
                return;
            }
            int crc = BatchFormat.crc32c(buf, at + BatchFormat.CRC_START, at + (int) size);
            buf.putInt(at + BatchFormat.CRC_OFFSET, crc);
            at += (int) size;
        }
    }

    /** Reads every record, checking each batch it came from (reads decode CRC-checked batches only). */
    private static List<StoredRecord> readAll(Log log) {
        List<StoredRecord> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            ReadResult r;
            try {
                r = log.read(next, 1 << 16, 1_000);
            } catch (CorruptRecordException e) {
                // Recovery checks framing, CRC and offsets, not each record: records that do not decode
                // behind a valid CRC (only a fixed-up CRC gets there) are reported by the read, as corrupt.
                return out;
            }
            out.addAll(r.records());
            assertThat(r.nextOffset()).as("read progress at %s", next).isGreaterThan(next);
            next = r.nextOffset();
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
