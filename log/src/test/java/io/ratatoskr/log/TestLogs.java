package io.ratatoskr.log;

import io.ratatoskr.testkit.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared helpers for the log tests. */
final class TestLogs {

    static final long START_MS = 1_700_000_000_000L;

    private TestLogs() {}

    static LogEnvironment env(ManualClock clock) {
        return LogEnvironment.system().withClock(clock);
    }

    static Log open(Path dir, LogConfig config, ManualClock clock) {
        return Log.open(dir, config, env(clock));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Records with values {@code prefix0..prefix(n-1)}, no key. */
    static List<Record> values(String prefix, int n) {
        List<Record> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Record.of(bytes(prefix + i)));
        }
        return out;
    }

    static AppendResult append(Log log, List<Record> records) {
        return log.append(records).join();
    }

    static AppendResult append(Log log, String value) {
        return append(log, List.of(Record.of(bytes(value))));
    }

    static AppendResult append(Log log, String key, String value, long timestampMs) {
        return append(log, List.of(new Record(key == null ? null : bytes(key), value == null ? null : bytes(value), List.of(), timestampMs, null)));
    }

    /** Every readable record from the log start. */
    static List<StoredRecord> readAll(Log log) {
        List<StoredRecord> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            ReadResult r = log.read(next, 1 << 20, 10_000);
            out.addAll(r.records());
            if (r.nextOffset() <= next) {
                throw new AssertionError("read made no progress at " + next);
            }
            next = r.nextOffset();
        }
        return out;
    }

    static List<String> valuesOf(List<StoredRecord> records) {
        return records.stream().map(r -> string(r.value())).toList();
    }

    static LogConfig.Builder small() {
        return LogConfig.builder()
                .segmentBytesMax(4096)
                .indexIntervalBytes(256)
                .maxBatchBytes(2048)
                .durability(DurabilityMode.FSYNC);
    }
}
