package io.ratatoskr.log;

import static io.ratatoskr.log.TestLogs.START_MS;
import static io.ratatoskr.log.TestLogs.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.ratatoskr.log.segment.SegmentFiles;
import io.ratatoskr.testkit.ManualClock;
import io.ratatoskr.testkit.SeededRandomExtension;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random sequences of append, read, roll, truncate, retention, compaction, close/reopen, crash and
 * torn or garbage tails, each checked against a plain in-memory model. The seed is printed; replay
 * a failure with {@code -Dtest.seed=<seed>}.
 */
@ExtendWith(SeededRandomExtension.class)
class LogModelTest {

    private static final int STEPS = 400;
    private static final int MAX_BATCH = 5;

    @TempDir Path root;

    private record Rec(String key, byte[] value, long timestampMs) {}

    private final TreeMap<Long, Rec> model = new TreeMap<>();
    private long start;
    private long end;
    private ManualClock clock;
    private LogConfig config;
    private Path dir;
    private Log log;
    private RandomGenerator random;
    private final List<String> history = new ArrayList<>();

    @RepeatedTest(10)
    void logBehavesLikeTheModel(RandomGenerator random) throws Exception {
        run(random, STEPS);
    }

    @Tag("soak")
    @RepeatedTest(200)
    void logBehavesLikeTheModelForLong(RandomGenerator random) throws Exception {
        run(random, 5 * STEPS);
    }

    private void run(RandomGenerator random, int steps) throws Exception {
        this.random = random;
        this.clock = new ManualClock(START_MS);
        this.dir = root.resolve("log");
        CleanupPolicy policy = random.nextBoolean() ? CleanupPolicy.DELETE : CleanupPolicy.COMPACT_DELETE;
        DurabilityMode mode = DurabilityMode.values()[random.nextInt(3)];
        this.config =
                LogConfig.builder()
                        .segmentBytesMax(2048 + random.nextInt(4096))
                        .indexIntervalBytes(64 + random.nextInt(512))
                        .maxBatchBytes(2048)
                        .durability(mode)
                        .cleanupPolicy(policy)
                        .compression(CompressionCodec.values()[random.nextInt(CompressionCodec.values().length)])
                        .retentionMaxMessages(random.nextBoolean() ? -1 : 100 + random.nextInt(400))
                        .retentionMaxBytes(random.nextBoolean() ? -1 : 8_000 + random.nextInt(20_000))
                        .retentionMaxAgeMs(random.nextBoolean() ? -1 : 60_000 + random.nextInt(600_000))
                        .compactionLagMs(random.nextInt(5_000))
                        .tombstoneRetentionMs(random.nextInt(20_000))
                        .minCleanableDirtyRatio(0)
                        .build();
        history.add("config " + config);
        log = TestLogs.open(dir, config, clock);
        try {
            for (int step = 0; step < steps; step++) {
                int op = random.nextInt(100);
                if (op < 45) {
                    append();
                } else if (op < 60) {
                    read();
                } else if (op < 64) {
                    history.add("roll");
                    log.roll();
                } else if (op < 68) {
                    truncate();
                } else if (op < 73) {
                    retention();
                } else if (op < 78) {
                    compact();
                } else if (op < 86) {
                    long ms = random.nextInt(120_000);
                    history.add("advance " + ms);
                    clock.advanceMs(ms);
                } else if (op < 91) {
                    history.add("reopen");
                    log.close();
                    log = TestLogs.open(dir, config, clock);
                } else if (op < 95) {
                    crash();
                } else {
                    corruptTail();
                }
                check();
            }
            checkEverything();
        } catch (Throwable t) {
            System.out.println("history (last 30 steps):");
            history.subList(Math.max(0, history.size() - Integer.getInteger("history", 30)), history.size()).forEach(h -> System.out.println("  " + h));
            throw t;
        } finally {
            log.close();
        }
    }

    private void append() {
        int n = 1 + random.nextInt(MAX_BATCH);
        List<Record> records = new ArrayList<>();
        List<Rec> recs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "k" + random.nextInt(12);
            byte[] value = null;
            if (!config.cleanupPolicy().compacts() || random.nextInt(10) > 0) {
                value = new byte[random.nextInt(300)];
                random.nextBytes(value);
            }
            long ts = clock.millis();
            records.add(new Record(TestLogs.bytes(key), value, List.of(), ts, null));
            recs.add(new Rec(key, value, ts));
        }
        AppendResult r = log.append(records).join();
        history.add("append " + n + " -> " + r.baseOffset());
        assertThat(r.baseOffset()).isEqualTo(end);
        for (int i = 0; i < n; i++) {
            model.put(end + i, recs.get(i));
        }
        end += n;
    }

    private void read() {
        long offset = start + (end == start ? 0 : random.nextLong(end - start + 1));
        int maxRecords = 1 + random.nextInt(50);
        ReadResult r = log.read(offset, 1 + random.nextInt(4096), maxRecords);
        history.add("read " + offset + " -> " + r.records().size());
        assertThat(r.records().size()).isLessThanOrEqualTo(maxRecords);
        if (offset < end) {
            assertThat(r.nextOffset()).as("read progress").isGreaterThan(offset);
        }
        // Exactly the model's records between the offset and where the read says to go on.
        List<Map.Entry<Long, Rec>> expected = new ArrayList<>(model.subMap(offset, true, r.nextOffset(), false).entrySet());
        assertThat(r.records()).hasSameSizeAs(expected);
        for (int i = 0; i < r.records().size(); i++) {
            assertSame(r.records().get(i), expected.get(i));
        }
    }

    private void truncate() {
        long to = Math.max(0, start - 2 + random.nextLong(end - start + 3));
        history.add("truncate " + to);
        log.truncateTo(to);
        if (to < end) {
            model.tailMap(to, true).clear();
            end = to;
            if (to < start) {
                start = to;
            }
        }
    }

    private void retention() {
        int deleted = log.enforceRetention();
        long newStart = log.logStartOffset();
        history.add("retention " + deleted + " -> start " + newStart);
        assertThat(newStart).isGreaterThanOrEqualTo(start).isLessThanOrEqualTo(end);
        model.headMap(newStart, false).clear();
        start = newStart;
    }

    private void compact() {
        if (!config.cleanupPolicy().compacts()) {
            return;
        }
        CompactionResult result = log.compact();
        history.add("compact " + result);
        List<StoredRecord> actual = readAll(log);
        Map<Long, StoredRecord> byOffset = new TreeMap<>();
        actual.forEach(r -> byOffset.put(r.offset(), r));
        long horizon = clock.millis() - config.tombstoneRetentionMs();
        for (var it = model.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Rec> e = it.next();
            StoredRecord got = byOffset.get(e.getKey());
            if (got != null) {
                assertSame(got, e);
                continue;
            }
            boolean superseded =
                    model.tailMap(e.getKey(), false).values().stream().anyMatch(later -> later.key().equals(e.getValue().key()));
            boolean expiredTombstone = e.getValue().value() == null && e.getValue().timestampMs() < horizon;
            assertThat(superseded || expiredTombstone)
                    .as("record at %d (key %s) was removed but is neither superseded nor an expired tombstone", e.getKey(), e.getValue().key())
                    .isTrue();
            it.remove();
        }
    }

    /** Copies the directory of the open log as a crash would leave it, then reopens the copy. */
    private void crash() throws IOException {
        history.add("crash");
        Path copy = root.resolve("copy");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().equals(SegmentFiles.LOCK)) {
                    Files.copy(p, copy.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        log.close();
        deleteTree(dir);
        Files.move(copy, dir);
        log = TestLogs.open(dir, config, clock);
    }

    /** Closes the log and damages the tail of its active segment: garbage, or a torn last batch. */
    private void corruptTail() throws IOException {
        log.close();
        Path active;
        try (Stream<Path> files = Files.list(dir)) {
            active = files.filter(p -> p.toString().endsWith(SegmentFiles.LOG)).max(Comparator.naturalOrder()).orElseThrow();
        }
        long size = Files.size(active);
        boolean garbage = random.nextBoolean() || size == 0;
        try (RandomAccessFile f = new RandomAccessFile(active.toFile(), "rw")) {
            if (garbage) {
                byte[] junk = new byte[1 + random.nextInt(200)];
                random.nextBytes(junk);
                f.seek(size);
                f.write(junk);
            } else {
                f.setLength(size - 1 - random.nextInt((int) Math.min(size, 30)));
            }
        }
        history.add("corrupt tail " + (garbage ? "garbage" : "torn") + " of " + active.getFileName());
        log = TestLogs.open(dir, config, clock);
        long newEnd = log.highWatermark();
        assertThat(newEnd).isLessThanOrEqualTo(end);
        if (garbage) {
            assertThat(newEnd).isEqualTo(end);
        } else {
            // Only the last batch is lost; after truncation or compaction it may span more offsets than
            // records, so count records.
            assertThat(model.subMap(newEnd, true, end, false)).hasSizeLessThanOrEqualTo(MAX_BATCH);
            model.tailMap(newEnd, true).clear();
            end = newEnd;
        }
    }

    private void check() {
        assertThat(log.highWatermark()).as("high watermark").isEqualTo(end);
        assertThat(log.logEndOffset()).as("log end offset").isEqualTo(end);
        assertThat(log.logStartOffset()).as("log start offset").isEqualTo(start);
    }

    private void checkEverything() {
        List<StoredRecord> actual = readAll(log);
        assertThat(actual).hasSize(model.size());
        int i = 0;
        for (Map.Entry<Long, Rec> e : model.entrySet()) {
            assertSame(actual.get(i++), e);
        }
    }

    private static void assertSame(StoredRecord actual, Map.Entry<Long, Rec> expected) {
        assertThat(actual.offset()).isEqualTo(expected.getKey());
        assertThat(TestLogs.string(actual.key())).isEqualTo(expected.getValue().key());
        assertThat(Arrays.equals(actual.value(), expected.getValue().value()))
                .as("value at offset %d", actual.offset()).isTrue();
        assertThat(actual.timestampMs()).isEqualTo(expected.getValue().timestampMs());
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> files = Files.walk(p)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
